from celery import shared_task

from . import services


@shared_task(acks_late=True)
def export_generer(export_id: int) -> None:
    """Build an export (idempotent: a finished export, or one alive in another worker, is left alone)."""
    services.export_generer(export_id=export_id)


@shared_task
def exports_purger() -> dict:
    """Periodic: delete expired exports, take over the jobs whose worker died."""
    return services.exports_purger()


@shared_task(acks_late=True)
def archive_generer(archive_id: int) -> None:
    """Build an archive (idempotent, like exports)."""
    from . import archives

    archives.archive_generer(archive_id=archive_id)
