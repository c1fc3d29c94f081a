"""Corbeille: the owner deletes a brouillon, an en construction or a terminé dossier (never en instruction),
restores it, and brouillons left there two weeks are purged by the periodic job."""

import html
import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.dossiers import services, services_usager, tasks
from demarches.dossiers.models import Dossier, DossierSupprime, Follow, PieceJointe
from demarches.instruction import selectors as instruction_selectors
from tests import factories

S = Dossier.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur,
        instructeurs=[instructeur],
        champs=[("text", "Nom du projet", False), ("piece_justificative", "Plan des locaux", False)],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.BROUILLON, S.EN_CONSTRUCTION, S.ACCEPTE, S.REFUSE, S.SANS_SUITE])
def test_owner_deletes_then_restores(procedure, usager, state):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=state)

    services_usager.dossier_supprimer(dossier=dossier, user=usager)
    dossier.refresh_from_db()
    assert dossier.hidden_by_user_at is not None
    assert OperationLog.objects.filter(operation="dossier_supprimer", dossier_id=dossier.pk).exists()

    services_usager.dossier_restaurer(dossier=dossier, user=usager)
    dossier.refresh_from_db()
    assert dossier.hidden_by_user_at is None and dossier.state == state


@pytest.mark.django_db
def test_a_dossier_en_instruction_cannot_be_deleted(procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_INSTRUCTION)
    with pytest.raises(ValidationError, match="en instruction ne peut pas être supprimé"):
        services_usager.dossier_supprimer(dossier=dossier, user=usager)
    dossier.refresh_from_db()
    assert dossier.hidden_by_user_at is None


@pytest.mark.django_db
def test_only_the_owner_deletes_or_restores(procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    invitee = factories.UserFactory()
    services_usager.invitation_creer(dossier=dossier, user=usager, email=invitee.email)
    with pytest.raises(PermissionDenied):
        services_usager.dossier_supprimer(dossier=dossier, user=invitee)
    services_usager.dossier_supprimer(dossier=dossier, user=usager)
    with pytest.raises(PermissionDenied):
        services_usager.dossier_restaurer(dossier=dossier, user=invitee)


@pytest.mark.django_db
def test_a_deleted_dossier_is_out_of_reach_until_restored(client, procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    invitee = factories.UserFactory()
    services_usager.invitation_creer(dossier=dossier, user=usager, email=invitee.email)
    services_usager.dossier_supprimer(dossier=dossier, user=usager)
    nom = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    for user in (usager, invitee):
        client.force_login(user)
        assert client.get(reverse("dossiers:brouillon", args=[dossier.pk])).status_code == 404
        assert client.post(reverse("dossiers:brouillon", args=[dossier.pk]), {nom.html_id: "x"}).status_code == 404
    dossier.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.champs_enregistrer(dossier=dossier, user=usager, posted=QueryDict(f"{nom.html_id}=x"))


@pytest.mark.django_db
def test_delete_page_asks_for_confirmation_then_moves_to_the_corbeille(client, procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    client.force_login(usager)
    assert "Supprimer le dossier" in page(client.get(reverse("dossiers:brouillon", args=[dossier.pk])))
    url = reverse("dossiers:supprimer", args=[dossier.pk])
    content = page(client.get(url))
    assert f"<h1>Supprimer le dossier n° {dossier.pk} ?</h1>" in content
    assert "restaurer pendant 14 jours" in content and "Annuler" in content
    dossier.refresh_from_db()
    assert dossier.hidden_by_user_at is None  # GET changes nothing

    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("dossiers:index")
    content = page(client.get(response["Location"]))
    assert "a été placé dans la corbeille" in content and "Corbeille (1)" in content
    assert f"<td>{dossier.pk}</td>" not in content
    content = page(client.get(reverse("dossiers:index") + "?statut=corbeille"))
    assert f"<td>{dossier.pk}</td>" in content and "Restaurer" in content

    response = client.post(reverse("dossiers:restaurer", args=[dossier.pk]))

    assert response["Location"] == reverse("dossiers:brouillon", args=[dossier.pk])
    assert "a été restauré" in page(client.get(response["Location"]))


@pytest.mark.django_db
def test_delete_page_refuses_a_dossier_en_instruction(client, procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_INSTRUCTION)
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Supprimer le dossier" not in content
    response = client.post(reverse("dossiers:supprimer", args=[dossier.pk]), follow=True)
    assert "ne peut pas être supprimé" in page(response)
    dossier.refresh_from_db()
    assert dossier.hidden_by_user_at is None


@pytest.mark.django_db
def test_en_construction_deleted_disappears_for_instructeurs_and_followers_are_told(
    procedure, usager, instructeur, django_capture_on_commit_callbacks
):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    termine = factories.dossier_creer(procedure=procedure, user=usager, state=S.ACCEPTE)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    assert set(instruction_selectors.dossiers_visibles(instructeur)) == {dossier, termine}

    with django_capture_on_commit_callbacks(execute=True):
        services_usager.dossier_supprimer(dossier=dossier, user=usager)
        services_usager.dossier_supprimer(dossier=termine, user=usager)

    # A decision taken stays with the administration; a withdrawn deposit does not.
    assert set(instruction_selectors.dossiers_visibles(instructeur)) == {termine}
    email = OutgoingEmail.objects.get(kind="dossier_supprime_instructeur")
    assert email.to == instructeur.user.email and f"n° {dossier.pk}" in email.subject
    services_usager.dossier_restaurer(dossier=dossier, user=usager)
    assert dossier in instruction_selectors.dossiers_visibles(instructeur)


@pytest.mark.django_db
def test_purge_deletes_brouillons_two_weeks_in_the_corbeille_with_their_files(
    procedure, usager, django_capture_on_commit_callbacks
):
    ancien = factories.dossier_creer(procedure=procedure, user=usager)
    plan = ancien.revision.types_de_champ.get(libelle="Plan des locaux")
    piece = services.piece_ajouter(
        dossier=ancien, user=usager, type_de_champ=plan,
        uploaded=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    )
    path = piece.file.path
    recent = factories.dossier_creer(procedure=procedure, user=usager)
    depose = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    garde = factories.dossier_creer(procedure=procedure, user=usager)
    for dossier in (ancien, recent, depose):
        services_usager.dossier_supprimer(dossier=dossier, user=usager)
    long_ago = timezone.now() - timedelta(days=15)
    Dossier.objects.filter(pk__in=[ancien.pk, depose.pk]).update(hidden_by_user_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.brouillons_supprimes_purger() == 1

    assert not Dossier.objects.filter(pk=ancien.pk).exists()
    assert not PieceJointe.objects.filter(pk=piece.pk).exists()
    assert not os.path.exists(path)
    assert set(Dossier.objects.values_list("pk", flat=True)) == {recent.pk, depose.pk, garde.pk}
    trace = OperationLog.objects.get(operation="dossier_purger", dossier_id=ancien.pk)
    assert trace.automatic and trace.data == {"state": "brouillon", "reason": "corbeille"}
    assert DossierSupprime.objects.filter(
        dossier_number=ancien.pk, procedure=procedure, state=S.BROUILLON, reason="corbeille"
    ).exists()
    # Idempotent: a second run finds nothing more.
    assert services_usager.brouillons_supprimes_purger() == 0


def test_purge_job_is_scheduled():
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "demarches.dossiers.tasks.dossiers_retention" in entries


@pytest.mark.django_db
def test_a_deleted_brouillon_is_not_offered_on_commencer(client, procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    services_usager.dossier_supprimer(dossier=dossier, user=usager)
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:commencer", args=[procedure.path])))
    assert reverse("dossiers:brouillon", args=[dossier.pk]) not in content
