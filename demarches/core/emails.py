"""Record an e-mail, then deliver it by a background job once the transaction commits."""

from django.db import transaction
from django.template.loader import render_to_string

from .models import OutgoingEmail


def email_envoyer(*, to: str, subject: str, template: str, context: dict, kind: str = "", dossier_id=None) -> OutgoingEmail:
    from django.conf import settings

    full_context = {"site_url": settings.SITE_URL, "application_name": settings.APPLICATION_NAME, **context}
    body = render_to_string(f"{template}.txt", full_context).strip()
    email = OutgoingEmail.objects.create(
        to=to, subject=subject, body=body, kind=kind or template.rsplit("/", 1)[-1], dossier_id=dossier_id
    )
    from .tasks import deliver_email

    transaction.on_commit(lambda: deliver_email.delay(email.pk))
    return email
