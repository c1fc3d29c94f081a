from celery import shared_task

from . import services


@shared_task
def procedures_clore_a_date_limite():
    """Periodic (hourly is enough): close the démarches whose date limite de dépôt is over."""
    return services.procedures_clore_a_date_limite()
