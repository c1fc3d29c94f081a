"""Webhook notifications: delivery, signature, retries, timeout, log and "Renvoyer", against a real receiver."""

import hashlib
import hmac
import socket
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from demarches.api import services, webhooks
from demarches.api.models import WebhookDelivery, WebhookSubscription
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from tests import factories

from .receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def abonnement(demarche, administrateur, receiver):
    return services.webhook_configurer(procedure=demarche, administrateur=administrateur, url=receiver.url)


def _passer_en_instruction(dossier, instructeur, capture):
    with capture(execute=True):
        transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    dossier.refresh_from_db()
    return dossier


def test_state_change_is_posted_signed(abonnement, receiver, dossier, instructeur, django_capture_on_commit_callbacks):
    # When a dossier of the démarche goes en instruction
    dossier = _passer_en_instruction(dossier, instructeur, django_capture_on_commit_callbacks)
    # Then the receiver got one form-encoded POST with the reference's four parameters
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/notifications"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    fields = parse_qs(request["body"])
    assert fields["procedure_id"] == [str(dossier.procedure_id)]
    assert fields["dossier_id"] == [str(dossier.pk)]
    assert fields["state"] == ["en_instruction"]
    assert fields["updated_at"][0].startswith(dossier.updated_at.astimezone().strftime("%Y-%m-%d"))
    # And signed with the démarche's secret
    expected = hmac.new(abonnement.secret.encode(), request["body"].encode(), hashlib.sha256).hexdigest()
    assert request["headers"]["X-Signature"] == expected
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None


def test_every_state_change_is_notified(abonnement, receiver, dossier, instructeur, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="")
    assert [parse_qs(r["body"])["state"] for r in receiver.requests] == [["en_instruction"], ["accepte"]]


def test_deposit_is_notified(abonnement, receiver, demarche, django_capture_on_commit_callbacks):
    from .conftest import remplir

    dossier = factories.dossier_creer(procedure=demarche)
    dossier.state = Dossier.State.EN_CONSTRUCTION
    dossier.save()
    remplir(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(state=Dossier.State.BROUILLON)
    dossier.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.passer_en_construction(dossier=dossier, user=dossier.user)
    assert [parse_qs(r["body"])["state"] for r in receiver.requests] == [["en_construction"]]


def test_no_webhook_no_notification(receiver, dossier, instructeur, django_capture_on_commit_callbacks):
    _passer_en_instruction(dossier, instructeur, django_capture_on_commit_callbacks)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_failures_are_retried_until_delivered(abonnement, receiver, dossier, instructeur, django_capture_on_commit_callbacks):
    # Given a receiver that fails twice (the test runs jobs eagerly: retries happen at once)
    receiver.answers = [500, 503]
    _passer_en_instruction(dossier, instructeur, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.last_error) == ("succeeded", 3, 200, "")


def test_gives_up_after_the_last_retry(abonnement, receiver, dossier, instructeur, django_capture_on_commit_callbacks):
    receiver.answers = [500] * 100
    _passer_en_instruction(dossier, instructeur, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == len(webhooks.RETRY_DELAYS) + 1 == delivery.attempts
    assert (delivery.status, delivery.response_code, delivery.last_error) == ("failed", 500, "Réponse HTTP 500")
    assert delivery.next_attempt_at is None


def test_a_slow_receiver_times_out_then_is_retried(abonnement, receiver, dossier, instructeur, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.3)
    receiver.answers = [(1.5, 200)]
    _passer_en_instruction(dossier, instructeur, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 2 and (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_unreachable_receiver_is_recorded(demarche, administrateur, dossier, instructeur, django_capture_on_commit_callbacks, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed as soon as the block ends: nobody listens there
    services.webhook_configurer(procedure=demarche, administrateur=administrateur, url=f"http://127.0.0.1:{port}/")
    monkeypatch.setattr(webhooks, "RETRY_DELAYS", webhooks.RETRY_DELAYS[:1])
    _passer_en_instruction(dossier, instructeur, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.response_code is None and "ConnectionError" in delivery.last_error


def test_retry_schedule_is_exponential_over_24_hours():
    assert webhooks.TIMEOUT_SECONDS == 10  # each attempt waits 10 s at most for the receiver's answer
    delays = webhooks.retry_delays()
    assert delays[0] == 60 and delays[1] == 120 and max(delays) == 4 * 3600
    assert all(b >= a for a, b in zip(delays, delays[1:]))
    assert sum(delays) >= 24 * 3600 > sum(delays[:-1])


def test_retrying_delivery_records_when_it_will_try_again(abonnement, dossier):
    delivery = WebhookDelivery.objects.create(
        procedure=dossier.procedure, dossier_id=dossier.pk, state="en_construction", url="http://127.0.0.1:9/", body="a=b"
    )
    webhooks.attempt(delivery, retries_done=2)
    assert delivery.status == "retrying"
    expected = delivery.last_attempt_at.timestamp() + webhooks.RETRY_DELAYS[2]
    assert abs(delivery.next_attempt_at.timestamp() - expected) < 1


# --- The administrateur's page ----------------------------------------------------------------------


def test_configure_the_webhook_from_the_demarche_page(client, administrateur, demarche, receiver):
    client.force_login(administrateur.user)
    url = reverse("api:webhook", args=[demarche.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Lien de rappel HTTP" in page.text
    response = client.post(url, {"url": receiver.url}, follow=True)
    subscription = WebhookSubscription.objects.get(procedure=demarche)
    assert subscription.url == receiver.url and len(subscription.secret) == 64
    assert subscription.secret in response.text  # shown to the administrateur, to check signatures
    old = subscription.secret
    client.post(reverse("api:webhook_secret", args=[demarche.pk]))
    subscription.refresh_from_db()
    assert subscription.secret != old
    client.post(url, {"url": ""})
    assert not WebhookSubscription.objects.filter(procedure=demarche).exists()


def test_invalid_url_is_refused(client, administrateur, demarche):
    client.force_login(administrateur.user)
    response = client.post(reverse("api:webhook", args=[demarche.pk]), {"url": "ftp://exemple.fr/x"})
    assert response.status_code == 200 and "fr-input-group--error" in response.text
    assert not WebhookSubscription.objects.exists()


def test_delivery_log_and_renvoyer(client, administrateur, abonnement, receiver, dossier, instructeur, django_capture_on_commit_callbacks):
    receiver.answers = [500] * (len(webhooks.RETRY_DELAYS) + 1)
    _passer_en_instruction(dossier, instructeur, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    client.force_login(administrateur.user)
    page = client.get(reverse("api:webhook", args=[dossier.procedure_id]))
    assert "échec" in page.text and "HTTP 500" in page.text and "Renvoyer" in page.text
    # When the administrateur clicks "Renvoyer" (the receiver now answers 200)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api:webhook_renvoyer", args=[dossier.procedure_id, delivery.pk]), follow=True)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == ("succeeded", 200)
    assert delivery.attempts == len(webhooks.RETRY_DELAYS) + 2
    assert "renvoyée" in response.text


def test_only_the_demarche_administrateurs(client, demarche, abonnement):
    other = factories.AdministrateurFactory()
    client.force_login(other.user)
    assert client.get(reverse("api:webhook", args=[demarche.pk])).status_code == 404
    usager = factories.UserFactory()
    client.force_login(usager)
    assert client.get(reverse("api:webhook", args=[demarche.pk])).status_code == 403


def test_next_attempt_is_scheduled_with_back_off(abonnement, receiver, dossier, monkeypatch):
    from demarches.api import tasks

    receiver.answers = [500]
    delivery = WebhookDelivery.objects.create(
        procedure=dossier.procedure, dossier_id=dossier.pk, state="en_construction", url=receiver.url, body="a=b"
    )
    scheduled = []
    monkeypatch.setattr(
        tasks.deliver_webhook, "apply_async", lambda args, kwargs, countdown: scheduled.append((args, kwargs, countdown))
    )
    tasks.deliver_webhook.run(delivery.pk, retries_done=3)
    assert scheduled == [((delivery.pk,), {"retries_done": 4}, webhooks.RETRY_DELAYS[3])]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, 500)
