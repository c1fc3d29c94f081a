"""Delete a démarche en test or closed (soft delete)."""

import pytest
from django.urls import reverse

from demarches.dossiers.models import Dossier
from demarches.procedures import services
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db


def test_delete_a_demarche_en_test(admin_client, procedure_en_test, administrateur):
    token = procedure_en_test.test_token
    Dossier.objects.create(procedure=procedure_en_test, revision=procedure_en_test.draft_revision,
                           user=factories.UserFactory(), for_procedure_preview=True)
    show = admin_client.get(reverse("procedures:show", args=[procedure_en_test.pk])).content.decode()
    url = reverse("procedures:supprimer", args=[procedure_en_test.pk])
    assert url in show
    page = admin_client.get(url).content.decode()
    assert "Son lien de test ne fonctionnera plus" in page
    response = admin_client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("procedures:index")
    procedure = Procedure.objects.get(pk=procedure_en_test.pk)
    assert procedure.hidden_at is not None and procedure.test_token != token
    assert not procedure.dossiers.exists()
    # gone from his pages
    assert admin_client.get(reverse("procedures:show", args=[procedure.pk])).status_code == 404
    assert reverse("procedures:show", args=[procedure.pk]) not in admin_client.get(reverse("procedures:index")).content.decode()
    assert reverse("procedures:cloner", args=[procedure.pk]) not in admin_client.get(reverse("procedures:modeles")).content.decode()


def test_delete_a_closed_demarche_keeps_its_dossiers(admin_client, procedure, administrateur):
    dossier = factories.dossier_creer(procedure=procedure, state="accepte")
    services.procedure_clore(procedure=procedure, administrateur=administrateur)
    response = admin_client.post(reverse("procedures:supprimer", args=[procedure.pk]))
    assert response.status_code == 302
    assert Procedure.objects.get(pk=procedure.pk).hidden_at is not None
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    # a deleted démarche is not in the catalogue of published démarches either
    other = factories.AdministrateurFactory()
    admin_client.force_login(other.user)
    assert admin_client.post(reverse("procedures:cloner", args=[procedure.pk])).status_code == 404


def test_a_published_demarche_must_be_closed_first(admin_client, procedure):
    url = reverse("procedures:supprimer", args=[procedure.pk])
    assert url not in admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    response = admin_client.post(url, follow=True)
    assert "clore d&#x27;abord la démarche" in response.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).hidden_at is None


def test_other_roles_cannot_delete(client, procedure_en_test, usager):
    url = reverse("procedures:supprimer", args=[procedure_en_test.pk])
    assert client.post(url).status_code == 302
    client.force_login(usager)
    assert client.post(url).status_code == 403
    client.force_login(factories.AdministrateurFactory().user)
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert Procedure.objects.get(pk=procedure_en_test.pk).hidden_at is None


def test_the_dossiers_of_a_deleted_demarche_are_hidden_from_its_instructeurs(procedure, administrateur, instructeur):
    from django.test import Client

    dossier = factories.dossier_creer(procedure=procedure, state="en_instruction")
    client = Client()
    client.force_login(instructeur.user)
    page = reverse("instruction:procedure", args=[procedure.pk])
    assert client.get(page).status_code == 200
    assert page in client.get(reverse("instruction:procedures")).content.decode()
    services.procedure_clore(procedure=procedure, administrateur=administrateur)
    services.procedure_supprimer(procedure=Procedure.objects.get(pk=procedure.pk), administrateur=administrateur)
    assert page not in client.get(reverse("instruction:procedures")).content.decode()
    # the démarche's list and its dossiers are out of reach
    assert client.get(page).status_code == 404
    assert client.get(reverse("instruction:dossier", args=[procedure.pk, dossier.pk])).status_code == 404
    assert Dossier.objects.filter(pk=dossier.pk).exists()
