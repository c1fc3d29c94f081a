from celery import shared_task

from . import appareils


@shared_task
def appareils_renouvellements_envoyer() -> int:
    return appareils.renouvellements_envoyer()
