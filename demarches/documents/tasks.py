from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=8, default_retry_delay=30, retry_backoff=True)
def attestation_generer(self, dossier_id: int):
    """Deliver the attestation of a decision; idempotent, so retries and duplicates are harmless."""
    try:
        attestation = services.attestation_generer(dossier_id=dossier_id)
    except Exception as exc:  # rendering or storage failures are retried with back-off
        raise self.retry(exc=exc) from exc
    return attestation.code if attestation else None
