"""Bulk actions on dossiers selected in the list: passer en instruction, accepter, refuser, classer
sans suite (one motivation for all), archiver, suivre.

`action_groupee_lancer` checks the selection (at most 500 dossiers, all visible to the instructeur
on this démarche, else nothing is done) and records one ActionGroupeeDossier per dossier; the job
`action_groupee_executer` then acts on each dossier through the state machine or the instruction
services. Each dossier's outcome is written in the same transaction as the action itself, under a
lock on the outcome row: a job that dies half-way and is run again (broker redelivery, or the
periodic take-over of stale jobs) skips what is recorded and never acts twice on a dossier.
"""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier

from .. import selectors, services
from ..models import ActionGroupee, ActionGroupeeDossier

logger = logging.getLogger(__name__)

A = ActionGroupee.Action
O = ActionGroupeeDossier.Outcome
MAX_DOSSIERS = 500
MOTIVATION_OBLIGATOIRE = (A.REFUSER, A.CLASSER_SANS_SUITE)
# A running job that has not reported for this long is considered dead and is taken over.
HEARTBEAT_TIMEOUT = timedelta(minutes=2)


def action_groupee_lancer(*, instructeur, procedure, action: str, dossier_ids, motivation: str = "") -> ActionGroupee:
    """Record the bulk action and start its job after commit; ValidationError / PermissionDenied (French)."""
    if action not in A.values:
        raise ValidationError({"action": "Choisissez l'action à effectuer."})
    motivation = (motivation or "").strip()
    if action in MOTIVATION_OBLIGATOIRE and not motivation:
        raise ValidationError(
            {"motivation": "La motivation est obligatoire pour un refus ou un classement sans suite."}
        )
    try:
        ids = list(dict.fromkeys(int(pk) for pk in dossier_ids))
    except (TypeError, ValueError):
        raise PermissionDenied("Sélection invalide.") from None
    if not ids:
        raise ValidationError({"dossiers": "Cochez au moins un dossier."})
    if len(ids) > MAX_DOSSIERS:
        raise ValidationError(
            {"dossiers": f"Une action groupée porte sur {MAX_DOSSIERS} dossiers au plus ({len(ids)} cochés)."}
        )
    visibles = set(
        selectors.dossiers_visibles(instructeur).filter(procedure=procedure, pk__in=ids).values_list("pk", flat=True)
    )
    if visibles != set(ids):
        raise PermissionDenied("Certains dossiers sélectionnés ne font pas partie de vos dossiers sur cette démarche.")
    with transaction.atomic():
        action_groupee = ActionGroupee.objects.create(
            procedure=procedure, instructeur=instructeur, action=action, motivation=motivation, total=len(ids)
        )
        ActionGroupeeDossier.objects.bulk_create(
            [ActionGroupeeDossier(action_groupee=action_groupee, dossier_id=pk) for pk in ids]
        )
        transaction.on_commit(lambda: _demarrer(action_groupee.pk))
    return action_groupee


def _demarrer(action_groupee_id: int) -> None:
    from .tasks import action_groupee_executer

    action_groupee_executer.delay(action_groupee_id)


def _appliquer(action_groupee: ActionGroupee, dossier: Dossier) -> None:
    instructeur, action, motivation = action_groupee.instructeur, action_groupee.action, action_groupee.motivation
    if action == A.PASSER_EN_INSTRUCTION:
        transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    elif action == A.ACCEPTER:
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation=motivation)
    elif action == A.REFUSER:
        transitions.refuser(dossier=dossier, instructeur=instructeur, motivation=motivation)
    elif action == A.CLASSER_SANS_SUITE:
        transitions.classer_sans_suite(dossier=dossier, instructeur=instructeur, motivation=motivation)
    elif action == A.ARCHIVER:
        services.dossier_archiver(dossier=dossier, instructeur=instructeur)
    elif action == A.SUIVRE:
        services.dossier_suivre(dossier=dossier, instructeur=instructeur)
    else:
        raise ValidationError(f"Action inconnue : {action}")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "Action refusée."


def _traiter(action_groupee: ActionGroupee, item_id: int) -> bool:
    """Act on one dossier, recording its outcome atomically with the action; False if already done."""
    with transaction.atomic():
        item = ActionGroupeeDossier.objects.select_for_update().filter(pk=item_id, outcome=O.A_FAIRE).first()
        if item is None:
            return False
        dossier = Dossier.objects.get(pk=item.dossier_id)
        try:
            with transaction.atomic():  # a refused dossier rolls back its own changes, not the outcome
                _appliquer(action_groupee, dossier)
        except (ValidationError, PermissionDenied) as error:
            item.outcome, item.message = O.ECHOUE, _message(error)
        else:
            item.outcome = O.REUSSI
        item.done_at = timezone.now()
        item.save(update_fields=["outcome", "message", "done_at"])
    ActionGroupee.objects.filter(pk=action_groupee.pk).update(heartbeat_at=timezone.now())
    return True


def action_groupee_executer(*, action_groupee_id: int) -> ActionGroupee | None:
    """The job: act on every dossier not done yet, then mark the action finished. Safe to run again."""
    action_groupee = (
        ActionGroupee.objects.select_related("instructeur__user", "procedure").filter(pk=action_groupee_id).first()
    )
    if action_groupee is None or action_groupee.status == ActionGroupee.Status.TERMINEE:
        return action_groupee
    now = timezone.now()
    ActionGroupee.objects.filter(pk=action_groupee.pk).update(
        status=ActionGroupee.Status.EN_COURS, started_at=action_groupee.started_at or now, heartbeat_at=now
    )
    pending = list(
        ActionGroupeeDossier.objects.filter(action_groupee=action_groupee, outcome=O.A_FAIRE).values_list(
            "pk", flat=True
        )
    )
    for item_id in pending:
        _traiter(action_groupee, item_id)
    if not ActionGroupeeDossier.objects.filter(action_groupee=action_groupee, outcome=O.A_FAIRE).exists():
        ActionGroupee.objects.filter(pk=action_groupee.pk).update(
            status=ActionGroupee.Status.TERMINEE, finished_at=timezone.now()
        )
    action_groupee.refresh_from_db()
    return action_groupee


def actions_groupees_reprendre(*, now=None) -> int:
    """Periodic: start again the jobs that died (no heartbeat for a while, or never started)."""
    now = now or timezone.now()
    stale = ActionGroupee.objects.filter(
        Q(status=ActionGroupee.Status.EN_COURS, heartbeat_at__lt=now - HEARTBEAT_TIMEOUT)
        | Q(status=ActionGroupee.Status.EN_ATTENTE, created_at__lt=now - HEARTBEAT_TIMEOUT)
    ).values_list("pk", flat=True)
    count = 0
    for pk in stale:
        _demarrer(pk)
        count += 1
    return count


def progression(action_groupee: ActionGroupee) -> dict:
    """Counts for the progress indicator (one query) and the failures, dossier by dossier."""
    counts = ActionGroupeeDossier.objects.filter(action_groupee=action_groupee).aggregate(
        reussis=Count("pk", filter=Q(outcome=O.REUSSI)),
        echecs=Count("pk", filter=Q(outcome=O.ECHOUE)),
    )
    faits = counts["reussis"] + counts["echecs"]
    total = action_groupee.total or 1
    echecs = list(
        ActionGroupeeDossier.objects.filter(action_groupee=action_groupee, outcome=O.ECHOUE)
        .order_by("dossier_id")
        .values_list("dossier_id", "message")
    )
    return {
        "faits": faits,
        "reussis": counts["reussis"],
        "nb_echecs": counts["echecs"],
        "total": action_groupee.total,
        "pourcentage": round(100 * faits / total),
        "echecs": echecs,
        "termine": action_groupee.status == ActionGroupee.Status.TERMINEE,
    }
