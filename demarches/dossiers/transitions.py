"""The dossier state machine: the only place where Dossier.state changes.

Each transition checks who may act, locks the row, records a Traitement, writes the
operation log, and registers its e-mails after commit.
"""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.utils.module_loading import import_string

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer

from . import notifications
from .models import Commentaire, CorrectionDemande, Dossier, Follow, Traitement

S = Dossier.State


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    actor: str  # "usager", "instructeur" or "system"


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("passer_en_construction", (S.BROUILLON,), S.EN_CONSTRUCTION, "usager"),
        Transition("passer_en_instruction", (S.EN_CONSTRUCTION,), S.EN_INSTRUCTION, "instructeur"),
        Transition("passer_automatiquement_en_instruction", (S.EN_CONSTRUCTION,), S.EN_INSTRUCTION, "system"),
        Transition("repasser_en_construction", (S.EN_INSTRUCTION,), S.EN_CONSTRUCTION, "instructeur"),
        # « Demander une correction »: back to the usager with a message and a pending CorrectionDemande.
        Transition(
            "repasser_en_construction_avec_correction", (S.EN_CONSTRUCTION, S.EN_INSTRUCTION), S.EN_CONSTRUCTION,
            "instructeur",
        ),
        Transition("accepter", (S.EN_INSTRUCTION,), S.ACCEPTE, "instructeur"),
        Transition("accepter_automatiquement", (S.EN_CONSTRUCTION, S.EN_INSTRUCTION), S.ACCEPTE, "system"),
        Transition("refuser", (S.EN_INSTRUCTION,), S.REFUSE, "instructeur"),
        Transition("classer_sans_suite", (S.EN_INSTRUCTION,), S.SANS_SUITE, "instructeur"),
        Transition("repasser_en_instruction", (S.ACCEPTE, S.REFUSE, S.SANS_SUITE), S.EN_INSTRUCTION, "instructeur"),
    ]
}
DECISIONS = ("accepter", "refuser", "classer_sans_suite")


def allowed_transitions(state: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if state in t.sources]


def is_instructeur_of(user, dossier: Dossier) -> bool:
    instructeur = getattr(user, "instructeur", None) if user and user.is_authenticated else None
    if instructeur is None or dossier.groupe_instructeur_id is None:
        return False
    return dossier.groupe_instructeur.instructeurs.filter(pk=instructeur.pk).exists()


def _can(name: str, dossier: Dossier, user) -> bool:
    transition = TRANSITIONS[name]
    if dossier.state not in transition.sources:
        return False
    if transition.actor == "usager":
        return user is not None and dossier.user_id == user.pk
    if transition.actor == "instructeur":
        return is_instructeur_of(user, dossier)
    return True


def can_passer_en_construction(dossier, user) -> bool:
    # A working copy of modifications (editing_fork_origin) is never deposited itself: it is merged.
    return (
        _can("passer_en_construction", dossier, user)
        and dossier.procedure.accepts_dossiers
        and dossier.editing_fork_origin_id is None
    )


def can_passer_en_instruction(dossier, user) -> bool:
    return _can("passer_en_instruction", dossier, user)


def can_repasser_en_construction(dossier, user) -> bool:
    return _can("repasser_en_construction", dossier, user)


def has_pending_correction(dossier) -> bool:
    return CorrectionDemande.objects.filter(dossier=dossier, resolved_at__isnull=True).exists()


def can_demander_correction(dossier, user) -> bool:
    return _can("repasser_en_construction_avec_correction", dossier, user) and not has_pending_correction(dossier)


def can_terminer(dossier, user) -> bool:
    return _can("accepter", dossier, user)


def can_repasser_en_instruction(dossier, user) -> bool:
    return _can("repasser_en_instruction", dossier, user) and dossier.user.is_active


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update(of=("self",)).select_related("procedure", "user").get(pk=dossier.pk)


def _apply(dossier: Dossier, name: str, *, actor=None, motivation: str = "", automatic: bool = False) -> Dossier:
    transition = TRANSITIONS[name]
    if dossier.state not in transition.sources:
        raise ValidationError(
            f"Impossible : le dossier est « {dossier.get_state_display()} », cette action n'est plus possible."
        )
    old_state = dossier.state
    now = timezone.now()
    dossier.state = transition.target
    dossier.save()
    Traitement.objects.create(
        dossier=dossier,
        state=transition.target,
        processed_at=now,
        instructeur_email="" if automatic or actor is None or transition.actor == "usager" else actor.email,
        motivation=motivation,
    )
    operation_enregistrer(
        operation=name,
        actor=actor,
        automatic=automatic,
        dossier=dossier,
        data={"from": old_state, "to": transition.target, "motivation": motivation},
    )
    transaction.on_commit(partial(_run_state_change_handlers, dossier.pk, name))
    return dossier


def _run_state_change_handlers(dossier_id: int, transition_name: str) -> None:
    for path in settings.DOSSIER_STATE_CHANGE_HANDLERS:
        import_string(path)(dossier_id, transition_name)


def _require(allowed: bool, message: str = "Vous n'avez pas le droit d'effectuer cette action sur ce dossier."):
    if not allowed:
        raise PermissionDenied(message)


def _expiration_depuis(dossier: Dossier, start) -> None:
    dossier.expire_at = start + timezone.timedelta(days=30 * dossier.procedure.duree_conservation_dossiers)
    dossier.expiration_notice_sent_at = None


@transaction.atomic
def passer_en_construction(*, dossier: Dossier, user) -> Dossier:
    dossier = _locked(dossier)
    _require(dossier.user_id == user.pk, "Seul le propriétaire du dossier peut le déposer.")
    if dossier.editing_fork_origin_id is not None:
        raise ValidationError("Une copie de travail ne se dépose pas : utilisez « Déposer les modifications ».")
    if not dossier.procedure.accepts_dossiers:
        raise ValidationError("Cette démarche est close : il n'est plus possible d'y déposer un dossier.")
    now = timezone.now()
    dossier.depose_at = dossier.depose_at or now
    dossier.en_construction_at = now
    # « Expirera le … (12 mois après le dépôt du dossier) »: kept the démarche's retention period from the deposit.
    _expiration_depuis(dossier, dossier.depose_at)
    from demarches.procedures.groupes import groupe_de_routage  # routing by the usager's answer (procedures/groupes.py)

    dossier.groupe_instructeur = groupe_de_routage(dossier)
    _apply(dossier, "passer_en_construction", actor=user)
    notifications.accuse_de_reception(dossier)
    notifications.nouveau_dossier_aux_instructeurs(dossier)
    declarative = dossier.procedure.declarative_with_state
    if declarative == S.EN_INSTRUCTION:
        passer_automatiquement_en_instruction(dossier=dossier)
    elif declarative == S.ACCEPTE:
        accepter_automatiquement(dossier=dossier)
    return dossier


def _follow(instructeur, dossier):
    Follow.objects.get_or_create(instructeur=instructeur, dossier=dossier)


@transaction.atomic
def passer_en_instruction(*, dossier: Dossier, instructeur, notify: bool = True) -> Dossier:
    dossier = _locked(dossier)
    _require(is_instructeur_of(instructeur.user, dossier))
    dossier.en_instruction_at = timezone.now()
    dossier.expire_at = None  # never expires while the administration examines it
    _apply(dossier, "passer_en_instruction", actor=instructeur.user)
    CorrectionDemande.objects.filter(dossier=dossier, resolved_at__isnull=True).update(resolved_at=timezone.now())
    _follow(instructeur, dossier)
    if notify:
        notifications.passage_en_instruction(dossier)
    return dossier


@transaction.atomic
def passer_automatiquement_en_instruction(*, dossier: Dossier) -> Dossier:
    dossier = _locked(dossier)
    dossier.en_instruction_at = timezone.now()
    dossier.expire_at = None
    _apply(dossier, "passer_automatiquement_en_instruction", automatic=True)
    notifications.passage_en_instruction(dossier)
    return dossier


@transaction.atomic
def repasser_en_construction(*, dossier: Dossier, instructeur) -> Dossier:
    dossier = _locked(dossier)
    _require(is_instructeur_of(instructeur.user, dossier))
    dossier.en_instruction_at = None
    _expiration_depuis(dossier, timezone.now())
    return _apply(dossier, "repasser_en_construction", actor=instructeur.user)


@transaction.atomic
def repasser_en_construction_avec_correction(
    *, dossier: Dossier, instructeur, message: str, reason: str = CorrectionDemande.Reason.INCORRECT
) -> Dossier:
    """The usager must correct his dossier: the message goes to the messagerie and by e-mail."""
    dossier = _locked(dossier)
    _require(is_instructeur_of(instructeur.user, dossier))
    message = (message or "").strip()
    errors = {}
    if not message:
        errors["message"] = "Expliquez au demandeur ce qu'il doit corriger."
    if reason not in CorrectionDemande.Reason.values:
        errors["reason"] = "Choisissez le motif de la correction."
    if errors:
        raise ValidationError(errors)
    if dossier.state in TRANSITIONS["repasser_en_construction_avec_correction"].sources and has_pending_correction(dossier):
        raise ValidationError("Une correction est déjà en attente sur ce dossier : attendez que le demandeur l'effectue.")
    if dossier.expire_at is None:
        _expiration_depuis(dossier, timezone.now())
    dossier.en_instruction_at = None
    _apply(dossier, "repasser_en_construction_avec_correction", actor=instructeur.user, motivation=message)
    commentaire = Commentaire.objects.create(dossier=dossier, email=instructeur.user.email, instructeur=instructeur, body=message)
    dossier.last_commentaire_at = commentaire.created_at
    dossier.save(update_fields=["last_commentaire_at", "updated_at"])
    CorrectionDemande.objects.create(dossier=dossier, reason=reason, commentaire=commentaire)
    notifications.nouveau_message_a_l_usager(dossier, commentaire)
    return dossier


def _terminer(
    name: str, *, dossier: Dossier, instructeur=None, motivation: str = "", justificatif=None, automatic=False, notify=True
):
    dossier = _locked(dossier)
    if not automatic:
        _require(is_instructeur_of(instructeur.user, dossier))
    motivation = (motivation or "").strip()
    if name in ("refuser", "classer_sans_suite") and not motivation:
        raise ValidationError({"motivation": "La motivation est obligatoire pour un refus ou un classement sans suite."})
    dossier.processed_at = timezone.now()
    dossier.motivation = motivation
    if justificatif is not None:
        dossier.justificatif_motivation = justificatif
    months = dossier.procedure.duree_conservation_dossiers
    dossier.expire_at = dossier.processed_at + timezone.timedelta(days=30 * months)
    _apply(dossier, name, actor=getattr(instructeur, "user", None), motivation=motivation, automatic=automatic)
    if notify:
        notifications.decision(dossier)
    return dossier


@transaction.atomic
def accepter(*, dossier: Dossier, instructeur, motivation: str = "", justificatif=None, notify: bool = True) -> Dossier:
    return _terminer(
        "accepter", dossier=dossier, instructeur=instructeur, motivation=motivation, justificatif=justificatif, notify=notify
    )


@transaction.atomic
def accepter_automatiquement(*, dossier: Dossier) -> Dossier:
    return _terminer("accepter_automatiquement", dossier=dossier, automatic=True)


@transaction.atomic
def refuser(*, dossier: Dossier, instructeur, motivation: str, justificatif=None, notify: bool = True) -> Dossier:
    return _terminer(
        "refuser", dossier=dossier, instructeur=instructeur, motivation=motivation, justificatif=justificatif, notify=notify
    )


@transaction.atomic
def classer_sans_suite(*, dossier: Dossier, instructeur, motivation: str, justificatif=None, notify: bool = True) -> Dossier:
    return _terminer(
        "classer_sans_suite", dossier=dossier, instructeur=instructeur, motivation=motivation, justificatif=justificatif,
        notify=notify,
    )


@transaction.atomic
def repasser_en_instruction(*, dossier: Dossier, instructeur, notify: bool = True) -> Dossier:
    dossier = _locked(dossier)
    _require(is_instructeur_of(instructeur.user, dossier))
    if not dossier.user.is_active:
        raise ValidationError("Le compte de l'usager a été supprimé : le dossier ne peut pas être réexaminé.")
    dossier.processed_at = None
    dossier.motivation = ""
    dossier.justificatif_motivation = None
    dossier.archived = False
    dossier.hidden_by_user_at = None
    dossier.expire_at = None
    dossier.en_instruction_at = timezone.now()
    _apply(dossier, "repasser_en_instruction", actor=instructeur.user)
    if notify:
        notifications.reexamen(dossier)
    return dossier


OPERATIONS = OperationLog.Operation  # re-exported for the dossier history
