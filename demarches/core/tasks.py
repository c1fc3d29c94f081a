from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .emails import pieces_jointes
from .models import OutgoingEmail


@shared_task(bind=True, max_retries=8, default_retry_delay=30, retry_backoff=True)
def deliver_email(self, email_id: int):
    """Idempotent: an e-mail already sent is not sent again."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().get(pk=email_id)
        if email.status == OutgoingEmail.Status.SENT:
            return
        email.attempts += 1
        try:
            message = EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])
            for filename, content, mimetype in pieces_jointes(email):
                message.attach(filename, content, mimetype)
            message.send()
        except Exception as exc:  # delivery failures of any kind are retried
            email.status = OutgoingEmail.Status.FAILED
            email.last_error = repr(exc)
            email.save(update_fields=["attempts", "status", "last_error"])
            raise self.retry(exc=exc) from exc
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        email.save(update_fields=["attempts", "status", "sent_at"])


@shared_task
def deliver_pending_emails():
    """Periodic safety net: deliver e-mails that were never handed to the queue or whose retries ran out."""
    cutoff = timezone.now() - timezone.timedelta(minutes=2)
    for email_id in OutgoingEmail.objects.filter(
        status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.FAILED], created_at__lt=cutoff, attempts__lt=20
    ).values_list("pk", flat=True)[:500]:
        deliver_email.delay(email_id)
