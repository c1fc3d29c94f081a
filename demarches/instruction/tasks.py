from celery import shared_task

from . import notifications


@shared_task
def recapitulatifs_quotidiens_envoyer() -> int:
    return notifications.recapitulatifs_quotidiens_envoyer()


@shared_task
def bilans_hebdomadaires_envoyer() -> int:
    return notifications.bilans_hebdomadaires_envoyer()


@shared_task
def dossiers_supprimes_purger() -> int:
    """Dossiers deleted both for the administration and by their usager, past both restoration periods."""
    from .services import dossiers_supprimes_purger as purger

    return purger()


@shared_task
def compteurs_journal_purger() -> int:
    """The counters' journal entries that no remembered counters can still need."""
    from .compteurs import journal_purger

    return journal_purger()


# The dossier list's jobs live in liste/tasks.py: imported here so that workers register them.
from .liste.tasks import (  # noqa: E402,F401
    action_groupee_executer,
    actions_groupees_reprendre,
    dossiers_indexer,
    liste_index_reconcilier,
    procedure_index_reconstruire,
)
