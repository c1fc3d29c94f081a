"""Periodic jobs of the dossiers app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services_usager


@shared_task
def brouillons_supprimes_purger() -> int:
    """Delete for good the brouillons left in the corbeille for two weeks (idempotent)."""
    return services_usager.brouillons_supprimes_purger()


@shared_task
def dossiers_retention() -> dict:
    """Hourly: corbeille purge, expiry notices a month ahead, deletion of expired dossiers (idempotent)."""
    return services_usager.retention_appliquer()
