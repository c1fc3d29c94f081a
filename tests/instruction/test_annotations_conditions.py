"""Conditions on annotations privées: written in the same condition editor as the champs (on earlier
annotations and on the usager's champs), evaluated in the instructeur's « Annotations privées » form:
a hidden annotation is neither shown nor validated, and it is emptied when the form is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.fields import visibilite
from demarches.instruction import services
from demarches.procedures import editeur
from demarches.procedures import services as procedure_services
from tests import factories

S = Dossier.State
pytestmark = pytest.mark.django_db


def _ajouter(procedure, administrateur, type_champ, libelle, private=True):
    return procedure_services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle, private=private,
    )


@pytest.fixture
def brouillon(administrateur, instructeur):
    """A démarche being built: one public champ « Demande urgente ? » and three annotations."""
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False,
        champs=[("yes_no", "Demande urgente ?", True)],
    )
    _ajouter(procedure, administrateur, "yes_no", "Dossier complet ?")
    _ajouter(procedure, administrateur, "textarea", "Pièces manquantes")
    _ajouter(procedure, administrateur, "integer_number", "Délai accordé (jours)")
    return procedure


def _tdc(procedure, libelle):
    return procedure.draft_revision.types_de_champ.get(libelle=libelle)


def _conditionner(procedure, administrateur):
    urgente, complet = _tdc(procedure, "Demande urgente ?"), _tdc(procedure, "Dossier complet ?")
    editeur.condition_enregistrer(
        procedure=procedure, administrateur=administrateur, stable_id=_tdc(procedure, "Pièces manquantes").stable_id,
        condition={"and": [{"champ": complet.stable_id, "operator": "eq", "value": "false"}]},
    )
    editeur.condition_enregistrer(
        procedure=procedure, administrateur=administrateur, stable_id=_tdc(procedure, "Délai accordé (jours)").stable_id,
        condition={"and": [{"champ": urgente.stable_id, "operator": "eq", "value": "true"}]},
    )


@pytest.fixture
def procedure(brouillon, administrateur):
    _conditionner(brouillon, administrateur)
    return procedure_services.procedure_publier(procedure=brouillon, administrateur=administrateur, path="annotations-conditions")


def _dossier(procedure, instructeur, urgente="false"):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    tdc = dossier.revision.public_types_de_champ().get(libelle="Demande urgente ?")
    Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, row_id="", value=urgente)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    return dossier


def _ids(dossier):
    return {t.libelle: t.stable_id for t in dossier.revision.types_de_champ.all()}


def _condition_post(rows, action="enregistrer"):
    data = {"condition-combinaison": "and", "condition-lignes": str(len(rows)), "action": action}
    for i, (champ, operator, value) in enumerate(rows):
        data.update({f"condition-{i}-champ": str(champ), f"condition-{i}-operator": operator,
                     f"condition-{i}-value": value, f"condition-{i}-groupe": "0"})
    return data


# --- the condition editor --------------------------------------------------------------------------


def test_editor_offers_public_champs_and_earlier_annotations(client, administrateur, brouillon):
    client.force_login(administrateur.user)
    pieces = _tdc(brouillon, "Pièces manquantes")
    url = reverse("procedures:champ_condition", args=[brouillon.pk, pieces.stable_id])
    html = client.get(url).content.decode()
    assert "Logique conditionnelle du champ « Pièces manquantes »" in html
    assert "<optgroup label=\"Champs du formulaire de l'usager\">" in html
    assert '<optgroup label="Annotations privées placées avant">' in html
    assert "Demande urgente ?" in html and "Dossier complet ?" in html
    assert "Délai accordé (jours)" not in html.split("</select>")[0]  # a later annotation is not offered
    # the annotations editor has a « Condition » button per annotation
    page = client.get(reverse("procedures:annotations", args=[brouillon.pk])).content.decode()
    assert url in page and f'id="champ-{pieces.stable_id}-condition"' in page


def test_editor_saves_a_condition_on_an_annotation_and_describes_it(client, administrateur, brouillon):
    client.force_login(administrateur.user)
    complet, pieces = _tdc(brouillon, "Dossier complet ?"), _tdc(brouillon, "Pièces manquantes")
    url = reverse("procedures:champ_condition", args=[brouillon.pk, pieces.stable_id])
    response = client.post(url, _condition_post([(complet.stable_id, "eq", "false")]))
    assert response.status_code == 302 and response.url == reverse("procedures:annotations", args=[brouillon.pk])
    assert _tdc(brouillon, "Pièces manquantes").options["condition"] == {
        "and": [{"champ": complet.stable_id, "operator": "eq", "value": "false"}]
    }
    page = client.get(reverse("procedures:annotations", args=[brouillon.pk])).content.decode()
    assert "Affiché si" in page and "« Dossier complet ? » est égal à « Non »" in page
    # on a public champ too
    urgente, delai = _tdc(brouillon, "Demande urgente ?"), _tdc(brouillon, "Délai accordé (jours)")
    url = reverse("procedures:champ_condition", args=[brouillon.pk, delai.stable_id])
    assert client.post(url, _condition_post([(urgente.stable_id, "eq", "true")])).status_code == 302
    page = client.get(reverse("procedures:annotations", args=[brouillon.pk])).content.decode()
    assert "« Demande urgente ? » est égal à « Oui »" in page


def test_a_later_annotation_cannot_be_a_source(administrateur, brouillon):
    with pytest.raises(ValidationError) as error:
        editeur.condition_enregistrer(
            procedure=brouillon, administrateur=administrateur, stable_id=_tdc(brouillon, "Dossier complet ?").stable_id,
            condition={"champ": _tdc(brouillon, "Délai accordé (jours)").stable_id, "operator": "empty"},
        )
    assert "Une condition ne peut porter que sur un champ placé avant celui-ci." in str(error.value)


def test_moving_an_annotation_source_after_is_reported(client, administrateur, brouillon):
    _conditionner(brouillon, administrateur)
    client.force_login(administrateur.user)
    complet = _tdc(brouillon, "Dossier complet ?")
    client.post(reverse("procedures:champ_deplacer", args=[brouillon.pk, complet.stable_id]), {"direction": "bas"})
    page = client.get(reverse("procedures:annotations", args=[brouillon.pk])).content.decode()
    assert "1 condition ne peut plus être évaluée" in page


def test_another_administrateur_cannot_edit_the_condition(client, brouillon):
    client.force_login(factories.AdministrateurFactory().user)
    pieces = _tdc(brouillon, "Pièces manquantes")
    url = reverse("procedures:champ_condition", args=[brouillon.pk, pieces.stable_id])
    assert client.get(url).status_code == 404
    assert client.post(url, _condition_post([(_tdc(brouillon, "Dossier complet ?").stable_id, "eq", "false")])).status_code == 404
    assert "condition" not in _tdc(brouillon, "Pièces manquantes").options


# --- evaluation (unit, on a dossier) ----------------------------------------------------------------


def test_masques_follow_annotations_and_public_champs(procedure, instructeur):
    dossier = _dossier(procedure, instructeur, urgente="false")
    ids = _ids(dossier)
    assert visibilite.masques_annotations_du_dossier(dossier) == {ids["Pièces manquantes"], ids["Délai accordé (jours)"]}
    from demarches.fields.registry import StoredValue

    valeurs = {ids["Dossier complet ?"]: StoredValue(value="false")}
    assert visibilite.masques_annotations_du_dossier(dossier, valeurs) == {ids["Délai accordé (jours)"]}
    Champ.objects.filter(dossier=dossier, stable_id=ids["Demande urgente ?"]).update(value="true")
    assert visibilite.masques_annotations_du_dossier(dossier, valeurs) == set()
    # the public champs' own conditions are not touched by annotations
    assert visibilite.masques_du_dossier(dossier) == set()


# --- the instructeur's form ------------------------------------------------------------------------


def _url(dossier):
    return reverse("instruction:annotations", args=[dossier.procedure_id, dossier.pk])


def test_hidden_annotations_are_hidden_in_the_form(client, procedure, instructeur):
    dossier = _dossier(procedure, instructeur)
    ids = _ids(dossier)
    client.force_login(instructeur.user)
    html = client.get(_url(dossier)).content.decode()
    assert f'<div data-champ-bloc="champ-{ids["Dossier complet ?"]}">' in html
    assert f'<div data-champ-bloc="champ-{ids["Pièces manquantes"]}" hidden>' in html
    assert f'<div data-champ-bloc="champ-{ids["Délai accordé (jours)"]}" hidden>' in html
    assert 'id="champs-visibilite"' in html and "fields/champs.js" in html


def test_saving_validates_only_visible_annotations_and_empties_hidden_ones(client, procedure, instructeur):
    dossier = _dossier(procedure, instructeur)
    ids = _ids(dossier)
    client.force_login(instructeur.user)
    # « Non » to « Dossier complet ? » shows « Pièces manquantes »; « Délai accordé » stays hidden (not urgent):
    # its invalid value is not validated and not kept.
    response = client.post(_url(dossier), {
        f"champ-{ids['Dossier complet ?']}": "false", f"champ-{ids['Pièces manquantes']}": "Le RIB",
        f"champ-{ids['Délai accordé (jours)']}": "pas un nombre",
    })
    assert response.status_code == 302
    stored = {c.stable_id: c.value for c in Champ.objects.filter(dossier=dossier, row_id="")}
    assert stored[ids["Pièces manquantes"]] == "Le RIB"
    assert not stored.get(ids["Délai accordé (jours)"])
    html = client.get(_url(dossier)).content.decode()
    assert f'<div data-champ-bloc="champ-{ids["Pièces manquantes"]}">' in html

    # « Oui »: « Pièces manquantes » is hidden again and emptied.
    client.post(_url(dossier), {
        f"champ-{ids['Dossier complet ?']}": "true", f"champ-{ids['Pièces manquantes']}": "Le RIB",
    })
    assert not Champ.objects.get(dossier=dossier, stable_id=ids["Pièces manquantes"]).value


def test_visible_annotation_is_still_validated(client, procedure, instructeur):
    dossier = _dossier(procedure, instructeur, urgente="true")
    ids = _ids(dossier)
    client.force_login(instructeur.user)
    response = client.post(_url(dossier), {f"champ-{ids['Délai accordé (jours)']}": "pas un nombre"})
    assert response.status_code == 200
    assert "contient une erreur" in response.content.decode()
    errors = services.annotations_enregistrer(
        dossier=dossier, instructeur=instructeur, posted={f"champ-{ids['Délai accordé (jours)']}": "15"},
    )
    assert errors == {}
    assert Champ.objects.get(dossier=dossier, stable_id=ids["Délai accordé (jours)"]).value == "15"


def test_autosave_sends_the_hidden_annotations_out_of_band(client, procedure, instructeur):
    dossier = _dossier(procedure, instructeur)
    ids = _ids(dossier)
    client.force_login(instructeur.user)
    html = client.post(_url(dossier), {f"champ-{ids['Dossier complet ?']}": "false"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Annotations sauvegardées" in html
    assert 'id="champs-visibilite"' in html and 'hx-swap-oob="true"' in html
    masques = html.split('data-masques="', 1)[1].split('"', 1)[0].split()
    assert masques == [f"champ-{ids['Délai accordé (jours)']}"]


def test_read_only_instructeur_does_not_see_hidden_annotations(client, procedure, instructeur):
    dossier = _dossier(procedure, instructeur)
    ids = _ids(dossier)
    services.annotations_enregistrer(dossier=dossier, instructeur=instructeur, posted={
        f"champ-{ids['Dossier complet ?']}": "false", f"champ-{ids['Pièces manquantes']}": "Le RIB",
    })
    collegue = factories.InstructeurFactory()
    procedure.default_groupe.instructeurs.add(collegue)
    client.force_login(collegue.user)
    html = client.get(_url(dossier)).content.decode()
    assert "Pièces manquantes" in html and "Le RIB" in html
    assert "Délai accordé (jours)" not in html


def test_instructeur_of_another_demarche_cannot_save(client, procedure, instructeur):
    dossier = _dossier(procedure, instructeur)
    ids = _ids(dossier)
    other = factories.InstructeurFactory()
    client.force_login(other.user)
    assert client.post(_url(dossier), {f"champ-{ids['Dossier complet ?']}": "false"}).status_code == 404
    assert not Champ.objects.filter(dossier=dossier, stable_id=ids["Dossier complet ?"]).exists()
