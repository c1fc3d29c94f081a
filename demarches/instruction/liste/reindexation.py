"""A deposited dossier's copy in the list's index is rebuilt by a job once the change that touched
it commits, so that the next list page opened by an instructeur finds it current instead of
rebuilding it during its own request.

Every save of a deposited dossier (the usager's champs, its identity, a transition, a message…)
is caught by a signal; the few write paths that move `updated_at` with a queryset update call
`apres_commit` themselves. A path that forgets does no harm: the list still catches any copy older
than its dossier (indexation.procedure_index_actualiser) before it filters, sorts or searches.
"""

import threading

from django.db import transaction

_en_attente = threading.local()
PAR_JOB = 500


def _ids() -> set[int]:
    if not hasattr(_en_attente, "ids"):
        _en_attente.ids = set()
    return _en_attente.ids


def _envoyer() -> None:
    """Send the dossiers the transaction that just committed changed (its first callback sends
    them all, the next ones find none left)."""
    from .tasks import dossiers_indexer

    ids = sorted(_ids())
    _ids().clear()
    for start in range(0, len(ids), PAR_JOB):
        dossiers_indexer.delay(ids[start : start + PAR_JOB])


def apres_commit(*dossier_ids: int) -> None:
    """Index these dossiers again when the current transaction commits (at once outside one), in
    one job per transaction. A broker that cannot be reached is logged, never shown to the user
    who made the change (robust)."""
    if not any(callback is _envoyer for _, callback, _ in transaction.get_connection().run_on_commit):
        _ids().clear()  # what was still waiting was rolled back with its transaction
    _ids().update(dossier_ids)
    transaction.on_commit(_envoyer, robust=True)


def _dossier_enregistre(sender, instance, raw=False, **kwargs) -> None:
    from demarches.dossiers.models import Dossier

    # Brouillons are never listed; a fixture being loaded (raw) is indexed by the reconciliation.
    if not raw and instance.state != Dossier.State.BROUILLON:
        apres_commit(instance.pk)


def connecter() -> None:
    """Every save of a dossier, whatever the code path (apps.ready)."""
    from django.db.models.signals import post_save

    from demarches.dossiers.models import Dossier

    post_save.connect(_dossier_enregistre, sender=Dossier, dispatch_uid="liste_reindexation_dossier")
