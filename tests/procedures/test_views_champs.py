"""The champs editor: add, edit, move, delete on the draft revision, with and without htmx."""

import pytest
from django.urls import reverse

from demarches.dossiers.models import Dossier
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _libelles(procedure):
    procedure.refresh_from_db()
    return list(procedure.draft_revision.public_types_de_champ().values_list("libelle", flat=True))


@pytest.fixture
def demarche(administrateur):
    return factories.procedure_creer(
        administrateur=administrateur, publier=False,
        champs=[("text", "Nom", True), ("email", "Courriel", False), ("date", "Date de naissance", False)],
    )


def _stable_id(procedure, libelle):
    return procedure.draft_revision.types_de_champ.get(libelle=libelle).stable_id


def test_editor_lists_champs_in_order(admin_client, demarche):
    response = admin_client.get(reverse("procedures:champs", args=[demarche.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<h1") == 1 and "Champs du formulaire" in content
    assert content.index("1. Nom") < content.index("2. Courriel") < content.index("3. Date de naissance")
    assert "Ajouter un champ" in content and "Prévisualiser le formulaire" in content and "Règles d'inéligibilité" in content
    assert "Choix multiple" in content  # type labels come from the registry


def test_ajouter_un_champ(admin_client, demarche):
    response = admin_client.post(reverse("procedures:champs", args=[demarche.pk]), {
        "nouveau-type_champ": "drop_down_list", "nouveau-libelle": "Département", "nouveau-description": "Où habitez-vous ?",
        "nouveau-mandatory": "on", "nouveau-options": "Ain\r\n\r\n--separator--\r\nAisne\r\n",
    })
    assert response.status_code == 302 and response["Location"] == reverse("procedures:champs", args=[demarche.pk])
    tdc = demarche.draft_revision.types_de_champ.get(libelle="Département")
    assert (tdc.type_champ, tdc.mandatory, tdc.description, tdc.position) == ("drop_down_list", True, "Où habitez-vous ?", 4)
    assert tdc.options == {"choices": ["Ain", "--separator--", "Aisne"], "other": False}
    assert "Le champ « Département » a été ajouté." in admin_client.get(response["Location"]).content.decode()


def test_ajouter_un_champ_with_errors_keeps_values(admin_client, demarche):
    response = admin_client.post(reverse("procedures:champs", args=[demarche.pk]), {
        "nouveau-type_champ": "multiple_drop_down_list", "nouveau-libelle": "", "nouveau-description": "Ma description",
        "nouveau-options": "",
    })
    content = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez le libellé du champ." in content
    assert "Indiquez au moins une option (une par ligne)." in content
    assert "Ma description" in content
    assert '<option value="multiple_drop_down_list" selected>' in content
    assert 'aria-describedby="id_nouveau-libelle-messages"' in content
    assert demarche.draft_revision.types_de_champ.count() == 3


def test_ajouter_un_champ_with_htmx_returns_the_editor(admin_client, demarche):
    response = admin_client.post(
        reverse("procedures:champs", args=[demarche.pk]),
        {"nouveau-type_champ": "text", "nouveau-libelle": "Prénom"}, **HTMX,
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="champs-editeur">') and "<html" not in content
    assert "Le champ « Prénom » a été ajouté." in content and "4. Prénom" in content


def test_modifier_un_champ(admin_client, demarche):
    stable_id = _stable_id(demarche, "Courriel")
    url = reverse("procedures:champ_modifier", args=[demarche.pk, stable_id])
    page = admin_client.get(url).content.decode()
    assert 'value="Courriel"' in page and "<h1" in page
    prefix = f"champ-{stable_id}"
    response = admin_client.post(url, {
        f"{prefix}-type_champ": "email", f"{prefix}-libelle": "Adresse électronique", f"{prefix}-mandatory": "on",
        f"{prefix}-description": "",
    })
    assert response.status_code == 302
    tdc = demarche.draft_revision.types_de_champ.get(stable_id=stable_id)
    assert tdc.libelle == "Adresse électronique" and tdc.mandatory


def test_modifier_un_champ_with_htmx(admin_client, demarche):
    stable_id = _stable_id(demarche, "Nom")
    url = reverse("procedures:champ_modifier", args=[demarche.pk, stable_id])
    # the inline form
    form = admin_client.get(url, **HTMX).content.decode()
    assert form.lstrip().startswith(f'<li id="champ-{stable_id}"') and "Enregistrer" in form
    # an error re-targets the champ's own form
    prefix = f"champ-{stable_id}"
    response = admin_client.post(url, {f"{prefix}-type_champ": "text", f"{prefix}-libelle": ""}, **HTMX)
    assert response["HX-Retarget"] == f"#champ-{stable_id}"
    assert "Indiquez le libellé du champ." in response.content.decode()
    # success returns the whole editor
    response = admin_client.post(url, {f"{prefix}-type_champ": "text", f"{prefix}-libelle": "Nom de famille"}, **HTMX)
    assert "HX-Retarget" not in response
    assert '<div id="champs-editeur">' in response.content.decode()
    assert _libelles(demarche)[0] == "Nom de famille"


def test_monter_et_descendre(admin_client, demarche):
    url = reverse("procedures:champ_deplacer", args=[demarche.pk, _stable_id(demarche, "Date de naissance")])
    response = admin_client.post(url, {"direction": "haut"})
    assert response.status_code == 302
    assert _libelles(demarche) == ["Nom", "Date de naissance", "Courriel"]
    response = admin_client.post(
        reverse("procedures:champ_deplacer", args=[demarche.pk, _stable_id(demarche, "Nom")]), {"direction": "bas"}, **HTMX
    )
    assert "a été descendu" in response.content.decode()
    assert _libelles(demarche) == ["Date de naissance", "Nom", "Courriel"]


def test_deplacer_is_post_only(admin_client, demarche):
    url = reverse("procedures:champ_deplacer", args=[demarche.pk, _stable_id(demarche, "Nom")])
    assert admin_client.get(url).status_code == 405


def test_supprimer_asks_for_confirmation(admin_client, demarche):
    url = reverse("procedures:champ_supprimer", args=[demarche.pk, _stable_id(demarche, "Courriel")])
    page = admin_client.get(url).content.decode()
    assert "Supprimer le champ « Courriel » ?" in page
    assert _libelles(demarche) == ["Nom", "Courriel", "Date de naissance"]
    response = admin_client.post(url)
    assert response.status_code == 302
    assert _libelles(demarche) == ["Nom", "Date de naissance"]
    assert list(demarche.draft_revision.public_types_de_champ().values_list("position", flat=True)) == [1, 2]


def test_unknown_champ_is_404(admin_client, demarche):
    assert admin_client.get(reverse("procedures:champ_modifier", args=[demarche.pk, 999999])).status_code == 404


def test_editing_after_publication_changes_only_the_draft(admin_client, procedure, usager):
    # given a published démarche with a dossier started on the published revision
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=Dossier.State.EN_CONSTRUCTION)
    published = procedure.published_revision
    stable_id = published.types_de_champ.get().stable_id
    # when the administrateur edits, adds and deletes champs
    prefix = f"champ-{stable_id}"
    admin_client.post(
        reverse("procedures:champ_modifier", args=[procedure.pk, stable_id]),
        {f"{prefix}-type_champ": "textarea", f"{prefix}-libelle": "Description du projet"},
    )
    admin_client.post(reverse("procedures:champs", args=[procedure.pk]), {"nouveau-type_champ": "date", "nouveau-libelle": "Date de début"})
    # then the published revision is untouched and the dossier keeps it
    tdc = published.types_de_champ.get()
    assert (tdc.type_champ, tdc.libelle) == ("text", "Nom du projet")
    assert published.types_de_champ.count() == 1
    dossier.refresh_from_db()
    assert dossier.revision_id == published.pk
    procedure.refresh_from_db()
    assert procedure.published_revision_id == published.pk
    assert _libelles(procedure) == ["Description du projet", "Date de début"]
    # the page says so and offers to publish the modifications
    assert "nouvelle version du formulaire" in admin_client.get(reverse("procedures:champs", args=[procedure.pk])).content.decode()
    assert "Publier les modifications" in admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    admin_client.post(reverse("procedures:champ_supprimer", args=[procedure.pk, stable_id]))
    assert published.types_de_champ.filter(stable_id=stable_id).exists()
