"""Bad input and edge cases of the usager journey: expired invitations, the messagerie after the
decision, several files at once with some refused."""

import html
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from demarches.dossiers import services_usager
from demarches.dossiers.models import Dossier, Invitation, PieceJointe
from tests import factories

S = Dossier.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur],
        champs=[("text", "Nom du projet", False, {}), ("piece_justificative", "Plan", False, {})],
    )


def _vieillir(invitation, days):
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_an_invitation_not_opened_in_time_expires_with_a_clear_page(client, procedure, settings, run_on_commit):
    settings.INVITATION_DOSSIER_VALIDITE_JOURS = 30
    owner, invitee = factories.UserFactory(), factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    invitation = services_usager.invitation_creer(dossier=dossier, user=owner, email=invitee.email)
    _vieillir(invitation, 31)
    client.force_login(invitee)
    # the dossier is no longer listed
    assert f"n° {dossier.pk}" not in page(client.get(reverse("dossiers:index") + "?statut=invites"))
    # and the link of the e-mail gives a page that says why
    response = client.get(reverse("dossiers:brouillon", args=[dossier.pk]))
    assert response.status_code == 410
    content = page(response)
    assert "Cette invitation a expiré" in content and owner.email in content
    # nothing can be written through it
    tdc = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    assert client.post(reverse("dossiers:brouillon", args=[dossier.pk]), {tdc.html_id: "x"}).status_code == 410
    assert not dossier.champs.exists()


def test_an_opened_invitation_does_not_expire(client, procedure):
    owner, invitee = factories.UserFactory(), factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    invitation = Invitation.objects.create(dossier=dossier, email=invitee.email, invited_by=owner)
    client.force_login(invitee)
    assert client.get(reverse("dossiers:brouillon", args=[dossier.pk])).status_code == 200  # opened: bound to him
    _vieillir(invitation, 400)
    assert client.get(reverse("dossiers:brouillon", args=[dossier.pk])).status_code == 200


def test_the_owner_sees_the_expiry_and_may_invite_again(client, procedure, run_on_commit):
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    invitation = services_usager.invitation_creer(dossier=dossier, user=owner, email="aide@exemple.fr")
    client.force_login(owner)
    assert "invitation valable jusqu'au" in page(client.get(reverse("dossiers:invitations", args=[dossier.pk])))
    _vieillir(invitation, 31)
    assert "invitation expirée le" in page(client.get(reverse("dossiers:invitations", args=[dossier.pk])))
    response = client.post(reverse("dossiers:invitations", args=[dossier.pk]), {"email": "aide@exemple.fr"})
    assert response.status_code == 302
    renewed = Invitation.objects.get(dossier=dossier, email="aide@exemple.fr")
    assert renewed.pk != invitation.pk and not renewed.is_expired


def test_other_usager_still_gets_a_404_not_the_expiry_page(client, procedure):
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    invitation = Invitation.objects.create(dossier=dossier, email="aide@exemple.fr", invited_by=owner)
    _vieillir(invitation, 31)
    client.force_login(factories.UserFactory())
    assert client.get(reverse("dossiers:brouillon", args=[dossier.pk])).status_code == 404


@pytest.mark.parametrize("state", [S.ACCEPTE, S.REFUSE, S.SANS_SUITE])
def test_the_messagerie_closes_once_a_decision_is_taken(client, procedure, state):
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner, state=state)
    client.force_login(owner)
    url = reverse("dossiers:messagerie", args=[dossier.pk])
    content = page(client.get(url))
    assert "Une décision a été prise sur ce dossier : la messagerie est fermée." in content
    assert 'name="body"' not in content
    client.post(url, {"body": "Encore une question"})
    assert not dossier.commentaires.filter(body="Encore une question").exists()


def test_the_messagerie_is_open_en_instruction(client, procedure):
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner, state=S.EN_INSTRUCTION)
    client.force_login(owner)
    client.post(reverse("dossiers:messagerie", args=[dossier.pk]), {"body": "Une question"})
    assert dossier.commentaires.filter(body="Une question").exists()


def test_several_files_at_once_keep_the_valid_ones_and_name_each_refused_one(client, procedure, settings):
    settings.PIECE_JUSTIFICATIVE_MAX_SIZE = 1024
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    plan = dossier.revision.types_de_champ.get(libelle="Plan")
    client.force_login(owner)
    files = [
        SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"x" * 4096, content_type="application/pdf"),
        SimpleUploadedFile("script.exe", b"MZ" + b"x" * 10, content_type="application/octet-stream"),
        SimpleUploadedFile("annexe.pdf", PDF, content_type="application/pdf"),
    ]
    response = client.post(
        reverse("dossiers:piece_ajouter", args=[dossier.pk, plan.stable_id]), {f"{plan.html_id}-fichier": files},
        HTTP_HX_REQUEST="true",
    )
    content = page(response)
    assert sorted(PieceJointe.objects.filter(champ__dossier=dossier).values_list("filename", flat=True)) == [
        "annexe.pdf", "plan.pdf",
    ]
    assert "« gros.pdf »" in content and "« script.exe »" in content
    assert "plan.pdf" in content and "annexe.pdf" in content
