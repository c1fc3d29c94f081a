"""« Publier les modifications »: summary of changes, and which dossiers move to the new revision."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.dossiers.models import Champ, Dossier
from demarches.procedures import selectors, services
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db
S = Dossier.State


@pytest.fixture
def demarche(administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False,
        champs=[("text", "Nom du projet", True), ("textarea", "Description", False),
                ("drop_down_list", "Catégorie", False, {"choices": ["Vélo", "Trottinette"]}), ("text", "Ville", False)],
    )
    services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Avis", private=True
    )
    return services.procedure_publier(procedure=procedure, administrateur=administrateur, path="velo")


def _sid(procedure, libelle, revision=None):
    return (revision or procedure.draft_revision).types_de_champ.get(libelle=libelle).stable_id


def _modifier(procedure, administrateur, ancien, **changes):
    tdc = procedure.draft_revision.types_de_champ.get(libelle=ancien)
    values = {"type_champ": tdc.type_champ, "libelle": tdc.libelle, "mandatory": tdc.mandatory,
              "description": tdc.description, "options": tdc.options, **changes}
    services.type_de_champ_modifier(procedure=procedure, administrateur=administrateur, stable_id=tdc.stable_id, **values)


def _remplir(dossier, valeurs):
    for libelle, value in valeurs.items():
        tdc = dossier.revision.types_de_champ.get(libelle=libelle)
        Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=value)


def test_nothing_changed_nothing_to_publish(demarche, administrateur):
    assert selectors.revision_changements(demarche) == []
    with pytest.raises(ValidationError, match="aucune modification à publier"):
        services.procedure_publier(procedure=demarche, administrateur=administrateur, path="velo")


def test_summary_lists_added_removed_and_modified_champs_by_stable_id(demarche, administrateur):
    description, ville = _sid(demarche, "Description"), _sid(demarche, "Ville")
    _modifier(demarche, administrateur, "Nom du projet", libelle="Intitulé du projet", mandatory=False)
    _modifier(demarche, administrateur, "Catégorie", options={"choices": ["Vélo", "Trottinette", "Cargo"]})
    _modifier(demarche, administrateur, "Avis", type_champ="textarea")
    services.type_de_champ_supprimer(procedure=demarche, administrateur=administrateur, stable_id=description)
    services.type_de_champ_ajouter(procedure=demarche, administrateur=administrateur, type_champ="email", libelle="Courriel")
    services.type_de_champ_deplacer(procedure=demarche, administrateur=administrateur, stable_id=ville, direction="haut")
    changements = selectors.revision_changements(demarche)
    resume = [(c["action"], c["libelle"], c["private"], c["details"]) for c in changements]
    assert resume == [
        ("ajout", "Courriel", False, []),
        ("modification", "Intitulé du projet", False, ["libellé : « Nom du projet » devient « Intitulé du projet »", "devient facultatif"]),
        # in the order of the new form: Ville moved above Catégorie
        ("modification", "Ville", False, ["déplacé dans le formulaire"]),
        ("modification", "Catégorie", False, ["options modifiées", "déplacé dans le formulaire"]),
        ("suppression", "Description", False, []),
        ("modification", "Avis", True, ["type : Texte court devient Texte long"]),
    ]


def test_adding_or_removing_a_champ_does_not_move_the_others(demarche, administrateur):
    services.type_de_champ_supprimer(procedure=demarche, administrateur=administrateur, stable_id=_sid(demarche, "Nom du projet"))
    changements = selectors.revision_changements(demarche)
    assert [(c["action"], c["libelle"]) for c in changements] == [("suppression", "Nom du projet")]


def test_publishing_moves_unfinished_dossiers_and_keeps_terminated_ones(demarche, administrateur):
    ancienne = demarche.published_revision
    dossiers = {state: factories.dossier_creer(procedure=demarche, state=state) for state in S.values}
    for dossier in dossiers.values():
        _remplir(dossier, {"Nom du projet": f"Projet {dossier.state}", "Description": "Texte", "Avis": "Bon"})
    description = _sid(demarche, "Description")
    services.type_de_champ_supprimer(procedure=demarche, administrateur=administrateur, stable_id=description)
    _modifier(demarche, administrateur, "Nom du projet", libelle="Intitulé du projet")
    services.type_de_champ_ajouter(procedure=demarche, administrateur=administrateur, type_champ="text", libelle="Commune")

    demarche = services.procedure_publier(procedure=demarche, administrateur=administrateur, path="velo")
    nouvelle = demarche.published_revision
    assert nouvelle != ancienne

    for state, dossier in dossiers.items():
        dossier.refresh_from_db()
        champs = {c.stable_id: c for c in dossier.champs.select_related("type_de_champ")}
        if state in (S.BROUILLON, S.EN_CONSTRUCTION, S.EN_INSTRUCTION):
            assert dossier.revision_id == nouvelle.pk, state
            nom = champs[_sid(demarche, "Intitulé du projet", nouvelle)]
            assert nom.type_de_champ.revision_id == nouvelle.pk and nom.value == f"Projet {state}"
            assert nom.type_de_champ.libelle == "Intitulé du projet"
            assert champs[_sid(demarche, "Avis", nouvelle)].type_de_champ.revision_id == nouvelle.pk
            # the removed champ's value is kept, attached to its old definition, and not part of the form
            assert champs[description].value == "Texte" and champs[description].type_de_champ.revision_id == ancienne.pk
            assert not dossier.revision.types_de_champ.filter(stable_id=description).exists()
        else:
            assert dossier.revision_id == ancienne.pk, state
            assert {c.type_de_champ.revision_id for c in champs.values()} == {ancienne.pk}
    log = OperationLog.objects.filter(operation=OperationLog.Operation.PROCEDURE_PUBLIER).order_by("-id").first()
    assert log.data["dossiers_migres"] == 3
    assert {c["action"] for c in log.data["changements"]} == {"ajout", "suppression", "modification"}


def test_dossiers_of_an_older_revision_follow_too(demarche, administrateur):
    dossier = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    for libelle in ("Commune", "Code postal"):
        services.type_de_champ_ajouter(procedure=demarche, administrateur=administrateur, type_champ="text", libelle=libelle)
        demarche = services.procedure_publier(procedure=demarche, administrateur=administrateur, path="velo")
    dossier.refresh_from_db()
    assert dossier.revision_id == demarche.published_revision_id


def test_closed_demarche_republished_moves_its_dossiers(demarche, administrateur):
    dossier = factories.dossier_creer(procedure=demarche, state=S.EN_INSTRUCTION)
    services.procedure_clore(procedure=demarche, administrateur=administrateur)
    services.type_de_champ_ajouter(procedure=demarche, administrateur=administrateur, type_champ="text", libelle="Commune")
    demarche = services.procedure_publier(procedure=Procedure.objects.get(pk=demarche.pk), administrateur=administrateur, path="velo")
    dossier.refresh_from_db()
    assert demarche.state == Procedure.State.PUBLIEE and dossier.revision_id == demarche.published_revision_id


def test_publier_page_shows_the_summary_before_publishing(admin_client, demarche, administrateur):
    factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    factories.dossier_creer(procedure=demarche, state=S.ACCEPTE)
    url = reverse("procedures:publier", args=[demarche.pk])
    html = admin_client.get(url).content.decode()
    assert "Le formulaire n&#x27;a pas changé depuis sa dernière publication" in html or "Le formulaire n'a pas changé" in html
    assert "disabled>Publier les modifications" in html

    services.type_de_champ_ajouter(procedure=demarche, administrateur=administrateur, type_champ="text", libelle="Commune")
    _modifier(demarche, administrateur, "Ville", mandatory=True)
    html = admin_client.get(url).content.decode()
    assert "<h1>Publier les modifications</h1>" in html
    assert "<strong>Ajout</strong>\n      du champ « Commune »" in html
    assert "du champ « Ville » : devient obligatoire" in html
    assert "Dossiers qui passeront sur la nouvelle version : <strong>1</strong>" in html
    response = admin_client.post(url, {"path": "velo"})
    assert response.status_code == 302
    demarche.refresh_from_db()
    assert demarche.published_revision.types_de_champ.filter(libelle="Commune").exists()
    show = admin_client.get(reverse("procedures:show", args=[demarche.pk])).content.decode()
    assert "Publier les modifications" not in show
