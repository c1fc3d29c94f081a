"""Expiry: a month's notice with « Conserver plus longtemps », then deletion leaving a trace."""

import html
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from demarches.core.models import OutgoingEmail
from demarches.dossiers import services_usager, tasks
from demarches.dossiers.models import Dossier, DossierSupprime
from tests import factories

S = Dossier.State


def page(response) -> str:
    return html.unescape(response.content.decode())


def _dossier(procedure, usager, state=S.BROUILLON, days=10):
    return factories.dossier_creer(
        procedure=procedure, user=usager, state=state, expire_at=timezone.now() + timedelta(days=days)
    )


@pytest.mark.django_db
def test_notice_a_month_ahead_once_then_deletion_with_a_trace(procedure, usager, django_capture_on_commit_callbacks):
    bientot = _dossier(procedure, usager, days=20)
    accepte = _dossier(procedure, usager, state=S.ACCEPTE, days=25)
    loin = _dossier(procedure, usager, days=60)
    en_instruction = _dossier(procedure, usager, state=S.EN_INSTRUCTION, days=-5)

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.dossiers_retention()

    assert result == {"purged": 0, "warned": 2, "deleted": 0, "prefilled_purged": 0}
    emails = OutgoingEmail.objects.filter(kind="expiration_prochaine")
    assert {e.dossier_id for e in emails} == {bientot.pk, accepte.pk}
    body = emails.get(dossier_id=bientot.pk).body
    assert "Conserver plus longtemps" in body and reverse("dossiers:brouillon", args=[bientot.pk]) in body
    assert "12 mois de plus" in body
    # A second run sends nothing more.
    assert services_usager.expirations_traiter() == {"warned": 0, "deleted": 0}

    later = timezone.now() + timedelta(days=31)
    assert services_usager.expirations_traiter(now=later) == {"warned": 1, "deleted": 2}  # « loin » gets its notice

    assert set(Dossier.objects.values_list("pk", flat=True)) == {loin.pk, en_instruction.pk}
    traces = DossierSupprime.objects.filter(reason="expiration")
    assert {(t.dossier_number, t.state, t.procedure_id) for t in traces} == {
        (bientot.pk, S.BROUILLON, procedure.pk), (accepte.pk, S.ACCEPTE, procedure.pk)
    }


@pytest.mark.django_db
def test_an_expired_dossier_never_warned_gets_its_month_first(procedure, usager):
    oublie = _dossier(procedure, usager, days=-3)
    assert services_usager.expirations_traiter() == {"warned": 1, "deleted": 0}
    oublie.refresh_from_db()
    assert oublie.expire_at > timezone.now() + timedelta(days=29)
    assert OutgoingEmail.objects.filter(kind="expiration_prochaine", dossier_id=oublie.pk).exists()


@pytest.mark.django_db
def test_conserver_plus_longtemps_adds_the_retention_period(client, procedure, usager):
    dossier = _dossier(procedure, usager, state=S.REFUSE, days=10)
    services_usager.expirations_traiter()
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Ce dossier sera supprimé le" in content and "Conserver plus longtemps" in content

    response = client.post(reverse("dossiers:conserver", args=[dossier.pk]), follow=True)

    dossier.refresh_from_db()
    assert dossier.expire_at > timezone.now() + timedelta(days=360)
    assert dossier.expiration_notice_sent_at is None
    assert "Votre dossier sera conservé jusqu'au" in page(response)
    assert "Conserver plus longtemps" not in page(client.get(reverse("dossiers:show", args=[dossier.pk])))


@pytest.mark.django_db
def test_conserver_is_for_the_owner_of_a_dossier_close_to_expiry(client, procedure, usager):
    loin = _dossier(procedure, usager, days=100)
    with pytest.raises(PermissionDenied):
        services_usager.dossier_conserver(dossier=loin, user=usager)
    proche = _dossier(procedure, usager, days=5)
    invitee = factories.UserFactory()
    services_usager.invitation_creer(dossier=proche, user=usager, email=invitee.email)
    with pytest.raises(PermissionDenied):
        services_usager.dossier_conserver(dossier=proche, user=invitee)
    before = proche.expire_at
    for user, status in ((invitee, 404), (factories.UserFactory(), 404)):
        client.force_login(user)
        assert client.post(reverse("dossiers:conserver", args=[proche.pk])).status_code == status
    proche.refresh_from_db()
    assert proche.expire_at == before


@pytest.mark.django_db
def test_a_deposited_dossier_expires_its_retention_period_after_the_deposit(
    client, procedure, usager, instructeur, run_on_commit
):
    from demarches.dossiers import transitions

    brouillon = factories.dossier_creer(procedure=procedure, user=usager)
    transitions.passer_en_construction(dossier=brouillon, user=usager)
    brouillon.refresh_from_db()
    mois = procedure.duree_conservation_dossiers
    assert brouillon.expire_at == brouillon.depose_at + timedelta(days=30 * mois)
    client.force_login(usager)
    date = timezone.localtime(brouillon.expire_at).strftime("%d/%m/%Y")
    content = page(client.get(reverse("dossiers:show", args=[brouillon.pk])))
    assert f"Expirera le {date} ({mois} mois après le dépôt du dossier)" in content
    assert "Conserver plus longtemps" not in content  # not close yet

    # en instruction: no expiry while the administration examines it
    transitions.passer_en_instruction(dossier=brouillon, instructeur=instructeur)
    brouillon.refresh_from_db()
    assert brouillon.expire_at is None
    assert "Expirera le" not in page(client.get(reverse("dossiers:show", args=[brouillon.pk])))

    # the decision: the period starts again from it
    transitions.accepter(dossier=brouillon, instructeur=instructeur, motivation="")
    brouillon.refresh_from_db()
    date = timezone.localtime(brouillon.expire_at).strftime("%d/%m/%Y")
    content = page(client.get(reverse("dossiers:show", args=[brouillon.pk])))
    assert f"Expirera le {date} ({mois} mois après la décision)" in content


@pytest.mark.django_db
def test_an_en_construction_dossier_is_warned_then_deleted_with_a_trace(client, procedure, usager):
    dossier = _dossier(procedure, usager, state=S.EN_CONSTRUCTION, days=20)
    assert services_usager.expirations_traiter() == {"warned": 1, "deleted": 0}
    email = OutgoingEmail.objects.get(kind="expiration_prochaine", dossier_id=dossier.pk)
    assert reverse("dossiers:show", args=[dossier.pk]) in email.body
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Ce dossier sera supprimé le" in content and "Conserver plus longtemps" in content
    assert services_usager.expirations_traiter(now=timezone.now() + timedelta(days=21)) == {"warned": 0, "deleted": 1}
    trace = DossierSupprime.objects.get(dossier_number=dossier.pk)
    assert (trace.state, trace.reason, trace.procedure_id) == (S.EN_CONSTRUCTION, "expiration", procedure.pk)
