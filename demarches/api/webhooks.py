"""Webhook notifications ("lien de rappel HTTP") of dossier state changes.

On every state change, a WebhookDelivery row records what to send (the reference's form fields
procedure_id, dossier_id, state, updated_at) and a job POSTs it with an HMAC-SHA256 signature of
the body, retrying with exponential back-off for 24 hours.
"""

import hashlib
import hmac
import logging
from urllib.parse import urlencode

import requests
from django.db import transaction
from django.utils import timezone

from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier

from .models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Signature"
FIRST_DELAY_SECONDS = 60
MAX_DELAY_SECONDS = 4 * 3600
RETRY_WINDOW_SECONDS = 24 * 3600


def retry_delays() -> list[int]:
    """Waits between attempts: 1 min, 2 min, 4 min… capped at 4 h, until 24 h have passed."""
    delays, total, delay = [], 0, FIRST_DELAY_SECONDS
    while total < RETRY_WINDOW_SECONDS:
        delays.append(delay)
        total += delay
        delay = min(delay * 2, MAX_DELAY_SECONDS)
    return delays


RETRY_DELAYS = retry_delays()


def sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def body_for(dossier: Dossier, state: str) -> str:
    updated_at = timezone.localtime(dossier.updated_at).strftime("%Y-%m-%d %H:%M:%S %Z")
    return urlencode({"procedure_id": dossier.procedure_id, "dossier_id": dossier.pk, "state": state, "updated_at": updated_at})


def on_state_change(dossier_id: int, transition_name: str) -> None:
    """Handler of settings.DOSSIER_STATE_CHANGE_HANDLERS: record the notification, then send it.

    The state sent is the transition's target: when two transitions commit together (a declarative
    démarche deposits then accepts), each notification tells its own step.
    """
    transition = transitions.TRANSITIONS.get(transition_name)
    dossier = Dossier.objects.filter(pk=dossier_id).only("pk", "procedure_id", "updated_at").first()
    if dossier is None or transition is None or transition.target == Dossier.State.BROUILLON:
        return
    subscription = WebhookSubscription.objects.filter(procedure_id=dossier.procedure_id).first()
    if subscription is None:
        return
    delivery = WebhookDelivery.objects.create(
        procedure_id=dossier.procedure_id, dossier_id=dossier.pk, state=transition.target, url=subscription.url,
        body=body_for(dossier, transition.target),
    )
    transaction.on_commit(lambda: enqueue(delivery.pk))


def enqueue(delivery_id: int) -> None:
    from .tasks import deliver_webhook

    try:
        deliver_webhook.delay(delivery_id)
    except Exception:  # the broker being down must not break the transition that triggered the notification
        logger.exception("Notification webhook %s non mise en file", delivery_id)


def attempt(delivery: WebhookDelivery, *, retries_done: int = 0) -> bool:
    """POST the notification once and record the outcome; True when the receiver answered 2xx.

    retries_done counts the retries already made in this series (a manual "Renvoyer" starts a new one).
    """
    subscription = WebhookSubscription.objects.filter(procedure_id=delivery.procedure_id).first()
    secret = subscription.secret if subscription else ""
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        response = requests.post(
            delivery.url,
            data=delivery.body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", SIGNATURE_HEADER: sign(secret, delivery.body)},
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        delivery.response_code = None
        delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        succeeded = False
    else:
        delivery.response_code = response.status_code
        succeeded = 200 <= response.status_code < 300
        delivery.last_error = "" if succeeded else f"Réponse HTTP {response.status_code}"
    if succeeded:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif retries_done >= len(RETRY_DELAYS):
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = WebhookDelivery.Status.RETRYING
        delivery.next_attempt_at = now + timezone.timedelta(seconds=RETRY_DELAYS[retries_done])
    delivery.save(
        update_fields=["attempts", "last_attempt_at", "response_code", "last_error", "status", "delivered_at", "next_attempt_at"]
    )
    return succeeded
