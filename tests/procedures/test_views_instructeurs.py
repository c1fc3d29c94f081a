"""Instructeurs page: assignment of existing users, invitations of unknown e-mails, removal."""

import pytest
from django.urls import reverse

from demarches.accounts.models import Instructeur
from demarches.audit.models import OperationLog
from demarches.procedures.models import InstructeurInvitation
from tests import factories

pytestmark = pytest.mark.django_db


def test_page_lists_instructeurs_and_invitations(admin_client, procedure_en_test, instructeur):
    InstructeurInvitation.objects.create(email="attente@exemple.fr", groupe=procedure_en_test.default_groupe)
    content = admin_client.get(reverse("procedures:instructeurs", args=[procedure_en_test.pk])).content.decode()
    assert "Affecter un instructeur" in content
    assert instructeur.user.email in content
    assert "Invitations en attente" in content and "attente@exemple.fr" in content


def test_affecter_an_existing_user(admin_client, procedure_en_test, mailoutbox, django_capture_on_commit_callbacks):
    # given a user with an account but no instructeur profile
    user = factories.UserFactory(email="agent.public@exemple.fr")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("procedures:instructeurs", args=[procedure_en_test.pk]), {"email": "Agent.Public@exemple.fr"}
        )
    # then
    assert response.status_code == 302
    instructeur = Instructeur.objects.get(user=user)
    assert procedure_en_test.default_groupe.instructeurs.filter(pk=instructeur.pk).exists()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["agent.public@exemple.fr"]
    assert mail.subject == "Vous avez été affecté à la démarche « Demande de subvention vélo »"
    assert "http://127.0.0.1:8000/procedures/" in mail.body
    assert "&#x27;" not in mail.body and "&quot;" not in mail.body
    page = admin_client.get(response["Location"]).content.decode()
    assert "a été affecté à la démarche et prévenu par e-mail" in page
    entry = OperationLog.objects.filter(operation=OperationLog.Operation.INSTRUCTEUR_AFFECTER).last()
    assert entry.procedure_id == procedure_en_test.pk and entry.data["email"] == "agent.public@exemple.fr"


def test_affecter_an_unknown_email_sends_an_invitation(
    admin_client, procedure_en_test, administrateur, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("procedures:instructeurs", args=[procedure_en_test.pk]), {"email": "inconnue@exemple.fr"}
        )
    assert response.status_code == 302
    invitation = InstructeurInvitation.objects.get(email="inconnue@exemple.fr")
    assert invitation.groupe == procedure_en_test.default_groupe and invitation.invited_by == administrateur.user
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["inconnue@exemple.fr"]
    assert mail.subject == "Vous êtes invité à instruire la démarche « Demande de subvention vélo »"
    link = "http://127.0.0.1:8000" + reverse("invitation_instructeur", kwargs={"token": invitation.token})
    assert link in mail.body
    assert "une invitation lui a été envoyée" in admin_client.get(response["Location"]).content.decode()
    assert not procedure_en_test.default_groupe.instructeurs.filter(user__email="inconnue@exemple.fr").exists()


def test_affecter_errors(admin_client, procedure_en_test, instructeur):
    url = reverse("procedures:instructeurs", args=[procedure_en_test.pk])
    content = admin_client.post(url, {"email": "pas-une-adresse"}).content.decode()
    assert "Saisissez une adresse électronique valide" in content and 'value="pas-une-adresse"' in content
    assert 'aria-describedby="id_email_helptext id_email-messages"' in content
    content = admin_client.post(url, {"email": instructeur.user.email}).content.decode()
    assert "est déjà instructeur de cette démarche" in content


def test_retirer_un_instructeur(admin_client, procedure_en_test, instructeur):
    url = reverse("procedures:instructeur_retirer", args=[procedure_en_test.pk, instructeur.pk])
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not procedure_en_test.default_groupe.instructeurs.exists()
    assert admin_client.post(url).status_code == 404


def test_annuler_une_invitation(admin_client, procedure_en_test):
    invitation = InstructeurInvitation.objects.create(email="attente@exemple.fr", groupe=procedure_en_test.default_groupe)
    response = admin_client.post(reverse("procedures:invitation_annuler", args=[procedure_en_test.pk, invitation.pk]))
    assert response.status_code == 302
    assert not InstructeurInvitation.objects.exists()
