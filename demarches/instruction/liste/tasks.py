"""Background jobs of the dossier list."""

from celery import shared_task

from . import actions_groupees, indexation


@shared_task(acks_late=True, reject_on_worker_lost=True)
def action_groupee_executer(action_groupee_id: int) -> None:
    """Run a bulk action (idempotent: dossiers already done are skipped)."""
    actions_groupees.action_groupee_executer(action_groupee_id=action_groupee_id)


@shared_task
def actions_groupees_reprendre() -> int:
    """Periodic: take over the bulk actions whose worker died."""
    return actions_groupees.actions_groupees_reprendre()


@shared_task(acks_late=True)
def dossiers_indexer(dossier_ids: list[int]) -> int:
    """Rebuild the list's copy of these dossiers' values (after a change of their champs)."""
    return indexation.dossiers_indexer(dossier_ids)


@shared_task
def liste_index_reconcilier() -> int:
    """Periodic (nightly): rebuild any copy of dossier values that is missing or stale."""
    return indexation.index_reconcilier()


@shared_task
def procedure_index_reconstruire(procedure_id: int) -> int:
    """Rebuild the list's copy of every dossier of a démarche (after a revision adds columns)."""
    from demarches.procedures.models import Procedure

    procedure = Procedure.objects.filter(pk=procedure_id).first()
    return indexation.procedure_index_reconstruire(procedure) if procedure else 0
