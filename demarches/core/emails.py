"""Record an e-mail, then deliver it by a background job once the transaction commits."""

import logging

from django.db import transaction
from django.template import Context
from django.template.loader import get_template

from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def email_envoyer(*, to: str, subject: str, template: str, context: dict, kind: str = "", dossier_id=None) -> OutgoingEmail:
    from django.conf import settings

    full_context = {"site_url": settings.SITE_URL, "application_name": settings.APPLICATION_NAME, **context}
    # Plain-text e-mails: nothing to escape (an apostrophe must stay an apostrophe).
    body = get_template(f"{template}.txt").template.render(Context(full_context, autoescape=False)).strip()
    email = OutgoingEmail.objects.create(
        to=to, subject=subject, body=body, kind=kind or template.rsplit("/", 1)[-1], dossier_id=dossier_id
    )
    transaction.on_commit(lambda: enqueue_delivery(email.pk))
    return email


# Attachments are made at delivery time from what the e-mail records (kind, dossier_id), so that a retried
# delivery sends the same documents: kind → function(email) returning [(filename, content, mimetype)].
_ATTACHMENT_PROVIDERS: dict = {}


def pieces_jointes_enregistrer(kind: str, provider) -> None:
    """Called by an app's ready(): the e-mails of this kind carry the documents `provider` returns."""
    _ATTACHMENT_PROVIDERS[kind] = provider


def pieces_jointes(email: OutgoingEmail) -> list[tuple[str, bytes, str]]:
    """The attachments of a recorded e-mail (none for most kinds)."""
    provider = _ATTACHMENT_PROVIDERS.get(email.kind)
    return list(provider(email)) if provider else []


def enqueue_delivery(email_id: int) -> None:
    """Hand the e-mail to the job queue; if the broker is down, the periodic job will pick it up."""
    from .tasks import deliver_email

    try:
        deliver_email.delay(email_id)
    except Exception:  # the request that produced the e-mail must not fail because of the broker
        logger.exception("E-mail %s non mis en file : il sera relancé par la tâche périodique", email_id)
