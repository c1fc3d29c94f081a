"""Publier and Clore."""

import pytest
from django.urls import reverse

from demarches.dossiers.models import Dossier
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db


def test_publier_form_suggests_a_path(admin_client, procedure_en_test):
    content = admin_client.get(reverse("procedures:publier", args=[procedure_en_test.pk])).content.decode()
    assert "Publier la démarche" in content and "Adresse de la démarche" in content
    assert 'value="demande-de-subvention-velo"' in content
    assert "http://127.0.0.1:8000/commencer/" in content


@pytest.mark.parametrize("path, message", [
    ("Mauvaise Adresse!", "L&#x27;adresse ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets."),
    ("", "Indiquez l&#x27;adresse de la démarche."),
])
def test_publier_with_invalid_path(admin_client, procedure_en_test, path, message):
    response = admin_client.post(reverse("procedures:publier", args=[procedure_en_test.pk]), {"path": path})
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert 'aria-describedby="id_path_helptext id_path-messages"' in content
    procedure_en_test.refresh_from_db()
    assert procedure_en_test.state == Procedure.State.BROUILLON


def test_publier_with_a_path_already_taken(admin_client, procedure_en_test, instructeur):
    factories.procedure_creer(instructeurs=[instructeur], path="velo")
    response = admin_client.post(reverse("procedures:publier", args=[procedure_en_test.pk]), {"path": "velo"})
    content = response.content.decode()
    assert "Cette adresse est déjà utilisée par une autre démarche" in content
    assert 'value="velo"' in content
    procedure_en_test.refresh_from_db()
    assert procedure_en_test.state == Procedure.State.BROUILLON and procedure_en_test.path is None


def test_publier_shows_what_is_missing(admin_client, administrateur):
    procedure = factories.procedure_creer(administrateur=administrateur, publier=False, champs=[])
    url = reverse("procedures:publier", args=[procedure.pk])
    assert "Affectez au moins un instructeur" in admin_client.get(url).content.decode()
    content = admin_client.post(url, {"path": "ma-demarche"}).content.decode()
    assert "La démarche ne peut pas être publiée : affectez au moins un instructeur ; ajoutez au moins un champ au formulaire." in content
    procedure.refresh_from_db()
    assert procedure.state == Procedure.State.BROUILLON


def test_publier_success(admin_client, procedure_en_test):
    # given a test dossier
    factories.dossier_creer(procedure=procedure_en_test, for_procedure_preview=True)
    # when
    response = admin_client.post(reverse("procedures:publier", args=[procedure_en_test.pk]), {"path": "subvention-velo"})
    # then
    assert response.status_code == 302 and response["Location"] == reverse("procedures:show", args=[procedure_en_test.pk])
    procedure_en_test.refresh_from_db()
    assert procedure_en_test.state == Procedure.State.PUBLIEE and procedure_en_test.path == "subvention-velo"
    assert procedure_en_test.published_revision.is_frozen
    assert not Dossier.objects.filter(procedure=procedure_en_test).exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert "La démarche est publiée" in page
    assert 'href="http://127.0.0.1:8000/commencer/subvention-velo"' in page
    # the link is the one the dossiers app serves
    assert reverse("dossiers:commencer", kwargs={"path": "subvention-velo"}) == "/commencer/subvention-velo"


def test_publier_records_where_usagers_find_the_link(admin_client, procedure_en_test):
    url = reverse("procedures:publier", args=[procedure_en_test.pk])
    page = admin_client.get(url).content.decode()
    assert "Diffusion de la démarche" in page and "Où les usagers trouveront-ils le lien de la démarche ?" in page
    response = admin_client.post(url, {"path": "subvention-velo", "lien_site": "  https://exemple.gouv.fr/velo  "})
    assert response.status_code == 302
    procedure_en_test.refresh_from_db()
    assert procedure_en_test.lien_site == "https://exemple.gouv.fr/velo"
    page = admin_client.get(response["Location"]).content.decode()
    assert "Les usagers trouvent ce lien ici : https://exemple.gouv.fr/velo" in page
    # kept, and shown again, when the form changes are published later
    assert 'value="https://exemple.gouv.fr/velo"' in admin_client.get(url).content.decode()


def test_clore(admin_client, procedure):
    url = reverse("procedures:clore", args=[procedure.pk])
    page = admin_client.get(url).content.decode()
    assert "Clore la démarche" in page and f"/commencer/{procedure.path}" in page
    response = admin_client.post(url)
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.state == Procedure.State.CLOSE and procedure.closed_at is not None
    page = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert "La démarche est close" in page and "Close" in page
    content = admin_client.get(reverse("procedures:index") + "?statut=closes").content.decode()
    assert "Closes <span class=\"fr-ml-1v\">(1)</span>" in content


def test_clore_a_demarche_en_test_is_refused(admin_client, procedure_en_test):
    response = admin_client.post(reverse("procedures:clore", args=[procedure_en_test.pk]))
    assert response.status_code == 302
    procedure_en_test.refresh_from_db()
    assert procedure_en_test.state == Procedure.State.BROUILLON
    assert "Seule une démarche publiée peut être close." in admin_client.get(response["Location"]).content.decode()
