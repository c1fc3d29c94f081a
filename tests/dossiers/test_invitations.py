"""Co-editors: the owner invites a person by e-mail; she fills the dossier and uploads, never deposits."""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demarches.core.models import OutgoingEmail
from demarches.dossiers import policies, services_usager
from demarches.dossiers.models import Champ, Dossier, Invitation, PieceJointe
from tests import factories

S = Dossier.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHAMPS = [("text", "Nom du projet", True), ("piece_justificative", "Plan des locaux", False)]


def page(response) -> str:
    return html.unescape(response.content.decode())


def tdc(dossier, libelle):
    return dossier.revision.types_de_champ.get(libelle=libelle)


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS)


@pytest.fixture
def brouillon(procedure, usager):
    return factories.dossier_creer(procedure=procedure, user=usager)


@pytest.fixture
def invitee(db):
    return factories.UserFactory(email="collegue@exemple.fr")


# Services -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitation_creer_records_the_invitation_and_emails_the_invitee(
    brouillon, usager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services_usager.invitation_creer(
            dossier=brouillon, user=usager, email="  Collegue@Exemple.fr ", message="Peux-tu joindre le plan ?"
        )

    assert (invitation.email, invitation.invited_by, invitation.user) == ("collegue@exemple.fr", usager, None)
    email = OutgoingEmail.objects.get(kind="invitation_dossier")
    assert email.to == "collegue@exemple.fr" and email.dossier_id == brouillon.pk
    assert f"{usager.email} vous invite" in email.subject
    assert "Peux-tu joindre le plan ?" in email.body
    assert reverse("dossiers:brouillon", args=[brouillon.pk]) in email.body
    assert reverse("account_signup") in email.body
    assert "Seul " + usager.email + " pourra déposer" in email.body
    assert [m.to for m in mailoutbox] == [["collegue@exemple.fr"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email, message",
    [
        ("pas-une-adresse", "adresse électronique valide"),
        ("", "adresse électronique valide"),
    ],
)
def test_invitation_creer_rejects_an_invalid_email(brouillon, usager, email, message):
    with pytest.raises(ValidationError) as exc:
        services_usager.invitation_creer(dossier=brouillon, user=usager, email=email)
    assert message in str(exc.value)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_invitation_creer_rejects_the_owner_and_a_second_invitation(brouillon, usager):
    with pytest.raises(ValidationError, match="votre propre adresse"):
        services_usager.invitation_creer(dossier=brouillon, user=usager, email=usager.email.upper())
    services_usager.invitation_creer(dossier=brouillon, user=usager, email="collegue@exemple.fr")
    with pytest.raises(ValidationError, match="déjà invitée"):
        services_usager.invitation_creer(dossier=brouillon, user=usager, email="COLLEGUE@exemple.fr")
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.EN_INSTRUCTION, S.ACCEPTE])
def test_no_invitation_once_the_dossier_cannot_be_modified(procedure, usager, state):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=state)
    with pytest.raises(PermissionDenied):
        services_usager.invitation_creer(dossier=dossier, user=usager, email="collegue@exemple.fr")


@pytest.mark.django_db
def test_only_the_owner_invites_and_removes_invitations(brouillon, usager, invitee):
    invitation = services_usager.invitation_creer(dossier=brouillon, user=usager, email=invitee.email)
    with pytest.raises(PermissionDenied):
        services_usager.invitation_creer(dossier=brouillon, user=invitee, email="autre@exemple.fr")
    with pytest.raises(PermissionDenied):
        services_usager.invitation_supprimer(invitation=invitation, user=invitee)
    services_usager.invitation_supprimer(invitation=invitation, user=usager)
    assert not Invitation.objects.exists()
    assert not policies.can_view_as_usager(invitee, brouillon)


@pytest.mark.django_db
def test_invitee_policies_edit_but_never_deposit_invite_or_delete(brouillon, usager, invitee):
    services_usager.invitation_creer(dossier=brouillon, user=usager, email=invitee.email)
    assert policies.is_invitee(invitee, brouillon)
    assert policies.can_view_as_usager(invitee, brouillon)
    assert policies.can_edit_as_usager(invitee, brouillon)
    assert not policies.can_inviter(invitee, brouillon)
    assert not policies.can_supprimer_as_usager(invitee, brouillon)
    assert not policies.can_dupliquer(invitee, brouillon)
    assert not policies.can_restaurer(invitee, brouillon)
    other = factories.UserFactory()
    assert not policies.can_view_as_usager(other, brouillon) and not policies.can_edit_as_usager(other, brouillon)


@pytest.mark.django_db
def test_invitation_follows_the_account_once_opened(client, brouillon, usager, invitee):
    services_usager.invitation_creer(dossier=brouillon, user=usager, email=invitee.email)
    client.force_login(invitee)
    assert client.get(reverse("dossiers:brouillon", args=[brouillon.pk])).status_code == 200
    invitation = Invitation.objects.get()
    assert invitation.user == invitee
    invitee.email = "nouvelle@exemple.fr"
    invitee.save()
    assert policies.can_edit_as_usager(invitee, brouillon)


# Pages ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_owner_sees_the_invite_link_and_invites_from_the_page(client, brouillon, usager, run_on_commit):
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:brouillon", args=[brouillon.pk])))
    assert "Inviter une personne à modifier ce dossier" in content
    url = reverse("dossiers:invitations", args=[brouillon.pk])
    content = page(client.get(url))
    assert "<h1>Inviter une personne à modifier ce dossier</h1>" in content
    assert 'for="invitation-email"' in content and "Envoyer une invitation" in content

    response = client.post(url, {"email": "collegue@exemple.fr", "message": "Merci !"})

    assert response.status_code == 302 and response["Location"] == url
    content = page(client.get(url))
    assert "Une invitation a été envoyée à collegue@exemple.fr." in content
    assert "collegue@exemple.fr" in content and "Retirer l'invitation" in content
    assert OutgoingEmail.objects.filter(kind="invitation_dossier", to="collegue@exemple.fr").exists()


@pytest.mark.django_db
def test_invitation_form_errors_are_tied_to_the_input(client, brouillon, usager):
    client.force_login(usager)
    response = client.post(reverse("dossiers:invitations", args=[brouillon.pk]), {"email": "n'importe quoi"})
    content = page(response)
    assert response.status_code == 200
    assert "<title>Erreur : " in content
    assert 'aria-describedby="invitation-email-messages" aria-invalid="true"' in content
    assert "Saisissez une adresse électronique valide" in content
    response = client.post(reverse("dossiers:invitations", args=[brouillon.pk]), {"email": usager.email})
    assert "votre propre adresse" in page(response)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_owner_removes_an_invitation(client, brouillon, usager, invitee):
    invitation = services_usager.invitation_creer(dossier=brouillon, user=usager, email=invitee.email)
    client.force_login(usager)
    response = client.post(reverse("dossiers:invitation_supprimer", args=[brouillon.pk, invitation.pk]))
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    client.force_login(invitee)
    assert client.get(reverse("dossiers:brouillon", args=[brouillon.pk])).status_code == 404


@pytest.mark.django_db
def test_invitee_finds_the_dossier_in_the_invites_tab(client, brouillon, usager, invitee):
    services_usager.invitation_creer(dossier=brouillon, user=usager, email=invitee.email)
    client.force_login(invitee)
    content = page(client.get(reverse("dossiers:index") + "?statut=invites"))
    assert "1 dossier invité" in content
    assert f"<td>{brouillon.pk}</td>" in content and "Continuer à remplir" in content
    # The invitee's own tabs stay empty, and he is offered neither deletion nor duplication.
    assert "0 en cours" in content
    assert reverse("dossiers:supprimer", args=[brouillon.pk]) not in content
    assert reverse("dossiers:dupliquer", args=[brouillon.pk]) not in content


@pytest.mark.django_db
def test_invitee_edits_and_uploads_but_cannot_deposit(client, brouillon, usager, invitee, run_on_commit):
    services_usager.invitation_creer(dossier=brouillon, user=usager, email=invitee.email)
    client.force_login(invitee)
    url = reverse("dossiers:brouillon", args=[brouillon.pk])
    nom = tdc(brouillon, "Nom du projet")
    plan = tdc(brouillon, "Plan des locaux")

    content = page(client.get(url))
    assert f"{usager.email} vous a invité à modifier ce dossier" in content
    assert "Enregistrer le brouillon" in content and "Déposer le dossier" not in content
    assert "Inviter une personne à modifier ce dossier" not in content and "Supprimer le dossier" not in content

    client.post(url, {nom.html_id: "Pharmacie du port"}, HTTP_HX_REQUEST="true")
    assert Champ.objects.get(dossier=brouillon, stable_id=nom.stable_id).value == "Pharmacie du port"
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("dossiers:piece_ajouter", args=[brouillon.pk, plan.stable_id]),
        {f"{plan.html_id}-fichier": upload},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert PieceJointe.objects.filter(champ__dossier=brouillon).count() == 1

    response = client.post(url, {nom.html_id: "Pharmacie du port", "action": "deposer"})
    assert "Seul le propriétaire du dossier peut le déposer." in page(response)
    brouillon.refresh_from_db()
    assert brouillon.state == S.BROUILLON and brouillon.depose_at is None


@pytest.mark.django_db
def test_invitee_who_signs_up_with_the_invited_email_sees_the_dossier(client, brouillon, usager, run_on_commit):
    services_usager.invitation_creer(dossier=brouillon, user=usager, email="nouveau@exemple.fr")
    nouveau = factories.UserFactory(email="Nouveau@Exemple.fr")
    client.force_login(nouveau)
    content = page(client.get(reverse("dossiers:index")))
    # With nothing of his own, the invitee lands on the tab that has something.
    assert "aria-current=\"page\">\n        1 dossier invité" in content
    assert client.get(reverse("dossiers:brouillon", args=[brouillon.pk])).status_code == 200


@pytest.mark.django_db
def test_invitee_edits_en_construction_and_writes_in_the_messagerie(client, procedure, usager, invitee):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    services_usager.invitation_creer(dossier=dossier, user=usager, email=invitee.email)
    client.force_login(invitee)
    assert client.get(reverse("dossiers:show", args=[dossier.pk])).status_code == 200
    # « Modifier le dossier » opens the working copy, which the invitee may fill too
    copie_url = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url
    assert client.get(copie_url).status_code == 200
    response = client.post(reverse("dossiers:messagerie", args=[dossier.pk]), {"body": "Je complète pour Claire."})
    assert response.status_code == 302
    assert dossier.commentaires.filter(email=invitee.email).exists()
