"""Accepting an invitation to instruct a démarche: new account, existing account, invalid link."""

import uuid

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from demarches.accounts import services
from demarches.accounts.models import Instructeur, User
from demarches.audit.models import OperationLog
from demarches.procedures.models import InstructeurInvitation
from tests import factories

from .conftest import is_logged_in

STRONG = "Jardin-Tulipe-Orage-58"


@pytest.fixture
def invitation(procedure, administrateur):
    return InstructeurInvitation.objects.create(
        email="agent.nouveau@exemple.fr", groupe=procedure.default_groupe, invited_by=administrateur.user
    )


def url(invitation):
    return reverse("invitation_instructeur", kwargs={"token": invitation.token})


def test_invitation_url():
    token = uuid.uuid4()
    assert reverse("invitation_instructeur", kwargs={"token": token}) == f"/comptes/invitation/{token}/"


def test_new_instructeur_sets_a_password_and_joins_the_groupe(client, invitation, procedure):
    # Given the invitation page
    page = client.get(url(invitation)).content.decode()
    assert f"« {escape(procedure.libelle)} »" in page
    assert "agent.nouveau@exemple.fr" in page
    assert 'data-password-strength="id_password1-strength"' in page

    # When the invited person chooses a password
    response = client.post(url(invitation), {"password1": STRONG})

    # Then the account exists with a confirmed address, the instructeur belongs to the groupe, and is logged in
    assert response.status_code == 302 and response["Location"] == "/procedures/"
    user = User.objects.get(email="agent.nouveau@exemple.fr")
    assert user.check_password(STRONG)
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
    assert procedure.default_groupe.instructeurs.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert is_logged_in(client, user)
    entry = OperationLog.objects.filter(
        operation=OperationLog.Operation.INSTRUCTEUR_AFFECTER, actor_email=user.email
    ).get()
    assert entry.procedure_id == procedure.pk

    # And the link cannot be used again
    client.logout()
    page = client.get(url(invitation)).content.decode()
    assert "<h1>Invitation non valable</h1>" in page and "déjà été utilisée" in page


def test_weak_password_is_refused(client, invitation):
    response = client.post(url(invitation), {"password1": "azerty123456"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce mot de passe est trop facile à deviner" in page
    assert 'aria-describedby="id_password1-hint id_password1-error' in page
    assert not User.objects.filter(email=invitation.email).exists()
    assert client.post(url(invitation), {"password1": ""}).content.decode().count("Choisissez un mot de passe.") == 1


def test_existing_account_logs_in_then_the_visit_accepts(client, invitation, procedure, password):
    # Given an account created meanwhile for the invited address
    user = factories.UserFactory(email="agent.nouveau@exemple.fr")

    # When the person opens the invitation, she is asked to log in
    page = client.get(url(invitation)).content.decode()
    assert "Un compte existe déjà" in page
    login_url = f"{reverse('account_login')}?next={url(invitation).replace('/', '%2F')}"
    assert f'href="{login_url}"' in page
    assert not procedure.default_groupe.instructeurs.filter(user=user).exists()

    # And after logging in she comes back to the invitation, which is accepted
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": password, "next": url(invitation)}
    )
    assert response["Location"] == url(invitation)
    response = client.get(response["Location"])
    assert response["Location"] == "/procedures/"
    assert Instructeur.objects.filter(user=user).exists()
    assert procedure.default_groupe.instructeurs.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_existing_instructeur_keeps_his_profile(client, invitation, procedure):
    instructeur = factories.InstructeurFactory(user__email="agent.nouveau@exemple.fr")
    other_procedure = factories.procedure_creer(libelle="Autre démarche", instructeurs=[instructeur])
    client.force_login(instructeur.user)

    assert client.get(url(invitation))["Location"] == "/procedures/"

    assert Instructeur.objects.filter(user=instructeur.user).count() == 1
    assert set(instructeur.groupes.all()) == {procedure.default_groupe, other_procedure.default_groupe}


def test_logged_in_as_someone_else(client, invitation, usager):
    client.force_login(usager)
    response = client.get(url(invitation))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Cette invitation est destinée à un autre compte" in page and usager.email in page
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_unknown_token(client, db):
    response = client.get(reverse("invitation_instructeur", kwargs={"token": uuid.uuid4()}))
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Invitation non valable</h1>" in page and "n’existe pas ou n’est plus valable" in page


def test_used_invitation(client, invitation):
    InstructeurInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    response = client.get(url(invitation))
    assert response.status_code == 404 and "déjà été utilisée" in response.content.decode()


def test_service_refuses_another_person_and_a_second_acceptance(invitation, usager):
    with pytest.raises(services.InvitationError):
        services.instructeur_invitation_accepter(invitation=invitation, user=usager)
    user = factories.UserFactory(email="Agent.Nouveau@exemple.fr".lower())
    services.instructeur_invitation_accepter(invitation=invitation, user=user)
    with pytest.raises(services.InvitationError):
        services.instructeur_invitation_accepter(invitation=invitation, user=user)
