"""« Mon compte »: links to change the e-mail and the password; account deletion."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.dossiers import services_usager
from demarches.dossiers.models import Dossier, Invitation
from tests import factories

S = Dossier.State


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_profil_page_links_to_email_and_password_changes(client, usager):
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:profil")))
    assert "<h1>Mon compte</h1>" in content and usager.email in content
    assert reverse("account_email") in content and reverse("account_change_password") in content
    assert client.get(reverse("account_email")).status_code == 200
    assert client.get(reverse("account_change_password")).status_code == 200


def test_profil_requires_login(client, db):
    response = client.get(reverse("dossiers:profil"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_delete_account_removes_brouillons_and_invitations_and_keeps_deposited_dossiers(
    client, procedure, usager
):
    brouillon = factories.dossier_creer(procedure=procedure, user=usager)
    depose = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    autre = factories.dossier_creer(procedure=procedure)
    services_usager.invitation_creer(dossier=autre, user=autre.user, email=usager.email)
    services_usager.invitation_creer(dossier=depose, user=usager, email="collegue@exemple.fr")
    client.force_login(usager)

    response = client.post(reverse("dossiers:profil"), {})
    assert "Cochez la case pour confirmer" in page(response)
    usager.refresh_from_db()
    assert usager.is_active

    response = client.post(reverse("dossiers:profil"), {"confirmation": "on"})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    usager.refresh_from_db()
    assert not usager.is_active
    assert not Dossier.objects.filter(pk=brouillon.pk).exists()
    assert Dossier.objects.filter(pk=depose.pk).exists()
    assert not Invitation.objects.filter(email=usager.email).exists()
    assert OperationLog.objects.filter(operation="compte_supprimer").exists()
    assert client.get(reverse("dossiers:index")).status_code == 302  # logged out


@pytest.mark.django_db
def test_delete_account_refused_while_a_dossier_is_en_instruction(client, procedure, usager):
    factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_INSTRUCTION)
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:profil")))
    assert "dossier en cours d'instruction" in content and "Supprimer mon compte" not in content.split("<h2")[-1].split("</h2>", 1)[-1]
    client.post(reverse("dossiers:profil"), {"confirmation": "on"})
    usager.refresh_from_db()
    assert usager.is_active
    with pytest.raises(ValidationError):
        services_usager.compte_supprimer(user=usager)
