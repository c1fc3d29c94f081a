"""Mes démarches, Nouvelle démarche, Modifier, démarche page."""

import pytest
from django.urls import reverse

from demarches.procedures.models import Procedure, Service
from tests import factories

pytestmark = pytest.mark.django_db

VALID = {
    "libelle": "Demande de carte de stationnement",
    "description": "Pour les résidents du centre-ville.",
    "for_individual": "1",
    "declarative_with_state": "",
    "duree_conservation_dossiers": "12",
    "service_choice": "nouveau",
    "service_nom": "Service du stationnement",
    "service_organisme": "Mairie de l'Exemple",
    "service_email": "stationnement@mairie.example.fr",
    "service_telephone": "01 02 03 04 05",
    "service_horaires": "Du lundi au vendredi, de 9 h à 17 h",
    "service_adresse": "1 place de la Mairie",
}


def test_index_lists_demarches_by_state(admin_client, administrateur, instructeur):
    # given one démarche in each state
    factories.procedure_creer(administrateur=administrateur, publier=False, libelle="Démarche en test")
    factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], libelle="Démarche publiée")
    close = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], libelle="Démarche close")
    close.state = Procedure.State.CLOSE
    close.save()
    factories.procedure_creer(publier=False, libelle="Démarche d'un autre administrateur")
    # when
    response = admin_client.get(reverse("procedures:index"))
    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in content and "Mes démarches" in content
    assert "En test <span class=\"fr-ml-1v\">(1)</span>" in content
    assert "Publiées <span class=\"fr-ml-1v\">(1)</span>" in content
    assert "Closes <span class=\"fr-ml-1v\">(1)</span>" in content
    assert "Démarche en test" in content and "Démarche publiée" in content and "Démarche close" in content
    assert "autre administrateur" not in content
    assert reverse("procedures:nouvelle") in content and "Nouvelle démarche" in content


def test_nouvelle_demarche_with_new_service(admin_client, administrateur):
    response = admin_client.post(reverse("procedures:nouvelle"), VALID)
    procedure = Procedure.objects.get(libelle=VALID["libelle"])
    assert response.status_code == 302
    assert response["Location"] == reverse("procedures:show", args=[procedure.pk])
    assert procedure.administrateurs.filter(pk=administrateur.pk).exists()
    assert procedure.state == Procedure.State.BROUILLON
    assert procedure.duree_conservation_dossiers == 12 and procedure.for_individual is True
    service = procedure.service
    assert (service.nom, service.organisme, service.email, service.telephone, service.horaires) == (
        "Service du stationnement", "Mairie de l'Exemple", "stationnement@mairie.example.fr", "01 02 03 04 05",
        "Du lundi au vendredi, de 9 h à 17 h",
    )
    assert service.administrateur == administrateur
    assert procedure.default_groupe is not None and procedure.draft_revision is not None


def test_nouvelle_demarche_reuses_an_existing_service(admin_client, administrateur):
    service = factories.ServiceFactory(administrateur=administrateur)
    data = {**VALID, "service_choice": str(service.pk), "service_nom": "", "service_email": "",
            "for_individual": "0", "declarative_with_state": "accepte", "duree_conservation_dossiers": "36"}
    admin_client.post(reverse("procedures:nouvelle"), data)
    procedure = Procedure.objects.get(libelle=VALID["libelle"])
    assert procedure.service == service
    assert Service.objects.count() == 1
    assert (procedure.for_individual, procedure.declarative_with_state, procedure.duree_conservation_dossiers) == (False, "accepte", 36)


def test_nouvelle_demarche_cannot_use_the_service_of_another(admin_client):
    autre = factories.ServiceFactory()
    response = admin_client.post(reverse("procedures:nouvelle"), {**VALID, "service_choice": str(autre.pk)})
    assert response.status_code == 200
    assert not Procedure.objects.exists()


def test_nouvelle_demarche_errors_are_shown_and_values_kept(admin_client):
    data = {**VALID, "libelle": "", "duree_conservation_dossiers": "48", "service_email": "pas-une-adresse", "service_nom": ""}
    response = admin_client.post(reverse("procedures:nouvelle"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert not Procedure.objects.exists()
    assert "Indiquez le titre de la démarche." in content
    assert "La durée de conservation doit être comprise entre 1 et 36 mois." in content
    assert "Saisissez une adresse électronique valide" in content
    assert "Indiquez le nom du service." in content
    # typed values are kept
    assert 'value="pas-une-adresse"' in content
    assert "Pour les résidents du centre-ville." in content
    assert 'value="48"' in content
    # errors are tied to their input
    assert 'aria-describedby="id_libelle-messages"' in content
    assert 'id="id_libelle-messages"' in content
    assert 'aria-describedby="id_duree_conservation_dossiers_helptext id_duree_conservation_dossiers-messages"' in content


def test_show_page_of_a_demarche_en_test(admin_client, procedure_en_test):
    response = admin_client.get(reverse("procedures:show", args=[procedure_en_test.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "En test" in content and "Test et publication" in content
    assert f"http://127.0.0.1:8000/commencer/test/{procedure_en_test.test_token}" in content
    assert reverse("dossiers:commencer_test", kwargs={"test_token": procedure_en_test.test_token}) in content
    for name in ("champs", "instructeurs", "publier", "modifier"):
        assert reverse(f"procedures:{name}", args=[procedure_en_test.pk]) in content
    assert "Avant de publier" not in content  # nothing missing


def test_show_page_lists_what_is_missing(admin_client, administrateur):
    procedure = factories.procedure_creer(administrateur=administrateur, publier=False, champs=[])
    content = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert "Avant de publier" in content
    assert "Affectez au moins un instructeur" in content
    assert "Ajoutez au moins un champ au formulaire" in content


def test_show_page_of_a_published_demarche(admin_client, procedure):
    content = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert "Publiée" in content
    assert f"http://127.0.0.1:8000/commencer/{procedure.path}" in content
    assert "/commencer/test/" not in content
    assert reverse("procedures:clore", args=[procedure.pk]) in content


def test_modifier_demarche(admin_client, procedure_en_test):
    url = reverse("procedures:modifier", args=[procedure_en_test.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="Demande de subvention vélo"' in page
    data = {**VALID, "service_choice": str(procedure_en_test.service_id), "libelle": "Titre modifié", "for_individual": "0"}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    procedure_en_test.refresh_from_db()
    assert procedure_en_test.libelle == "Titre modifié" and procedure_en_test.for_individual is False


def test_modifier_keeps_public_of_a_published_demarche(admin_client, procedure):
    url = reverse("procedures:modifier", args=[procedure.pk])
    data = {**VALID, "service_choice": str(procedure.service_id), "for_individual": "0"}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.for_individual is True and procedure.libelle == VALID["libelle"]


def test_modifier_service(admin_client, procedure):
    url = reverse("procedures:service_modifier", args=[procedure.service_id]) + f"?procedure={procedure.pk}"
    data = {"nom": "Nouveau nom", "organisme": "", "email": "nouveau@exemple.fr", "telephone": "", "horaires": "", "adresse": ""}
    response = admin_client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("procedures:show", args=[procedure.pk])
    procedure.service.refresh_from_db()
    assert procedure.service.nom == "Nouveau nom"


def test_modifier_service_errors(admin_client, procedure):
    url = reverse("procedures:service_modifier", args=[procedure.service_id])
    response = admin_client.post(url, {"nom": "", "email": "faux"})
    content = response.content.decode()
    assert "Indiquez le nom du service." in content and "Saisissez une adresse électronique valide" in content
    procedure.service.refresh_from_db()
    assert procedure.service.nom == "Service des autorisations"
