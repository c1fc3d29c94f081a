"""Usager actions around his dossiers: co-editors, corbeille, duplication, account deletion.

Kept apart from services.py (the form and the deposit) so each module stays readable.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from demarches.audit.services import operation_enregistrer

from . import notifications, policies
from .models import Dossier, DossierSupprime, Invitation, PieceJointe

S = Dossier.State
CORBEILLE_PURGE_DELAY = timedelta(days=14)
EXPIRATION_NOTICE_DELAY = timedelta(days=30)
# States whose dossiers expire (expire_at is set): never while the administration examines them (en instruction).
EXPIRING_STATES = (S.BROUILLON, S.EN_CONSTRUCTION, *Dossier.TERMINE)


class Operation:
    """Operation log entries of this module (the audit log stores the name as given)."""

    INVITATION_CREER = "invitation_creer"
    INVITATION_SUPPRIMER = "invitation_supprimer"
    DOSSIER_SUPPRIMER = "dossier_supprimer"
    DOSSIER_RESTAURER = "dossier_restaurer"
    DOSSIER_PURGER = "dossier_purger"
    DOSSIER_DUPLIQUER = "dossier_dupliquer"
    DOSSIER_CONSERVER = "dossier_conserver"
    COMPTE_SUPPRIMER = "compte_supprimer"


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update(of=("self",)).select_related("procedure", "user").get(pk=dossier.pk)


# Co-editors -----------------------------------------------------------------------------------


@transaction.atomic
def invitation_creer(*, dossier: Dossier, user, email: str, message: str = "") -> Invitation:
    """Invite a person to fill the dossier; she receives an e-mail with the link."""
    if not policies.can_inviter(user, dossier):
        raise PermissionDenied("Seul le propriétaire d'un dossier modifiable peut inviter une personne.")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("Saisissez une adresse électronique valide, par exemple adresse@mail.com.")}
        ) from None
    if email == dossier.user.email.lower():
        raise ValidationError({"email": _("C'est votre propre adresse : vous avez déjà accès à ce dossier.")})
    existing = dossier.invitations.filter(email__iexact=email).first()
    if existing is not None and existing.is_expired:
        existing.delete()  # invited again: a new invitation, valid from now
    elif existing is not None:
        raise ValidationError({"email": _("%(email)s est déjà invitée à modifier ce dossier.") % {"email": email}})
    invitation = Invitation.objects.create(
        dossier=dossier, email=email, message=(message or "").strip(), invited_by=user
    )
    operation_enregistrer(
        operation=Operation.INVITATION_CREER, actor=user, dossier=dossier, data={"email": email}
    )
    notifications.invitation_envoyee(invitation)
    return invitation


@transaction.atomic
def invitation_supprimer(*, invitation: Invitation, user) -> None:
    dossier = invitation.dossier
    if not policies.is_owner(user, dossier):
        raise PermissionDenied("Seul le propriétaire du dossier peut retirer une invitation.")
    email = invitation.email
    invitation.delete()
    operation_enregistrer(
        operation=Operation.INVITATION_SUPPRIMER, actor=user, dossier=dossier, data={"email": email}
    )


def invitations_rattacher(*, user) -> int:
    """Bind the invitations sent to the user's e-mail to his account (they then follow him)."""
    if not (user and user.is_authenticated and user.email):
        return 0
    return (
        Invitation.objects.filter(user__isnull=True, email__iexact=user.email, created_at__gt=timezone.now() - Invitation.validite())
        .exclude(dossier__user=user)
        .update(user=user)
    )


# Corbeille ------------------------------------------------------------------------------------


@transaction.atomic
def dossier_supprimer(*, dossier: Dossier, user) -> Dossier:
    """Put the dossier in the owner's corbeille: restorable until purged."""
    dossier = _locked(dossier)
    if not policies.can_supprimer_as_usager(user, dossier):
        if policies.is_owner(user, dossier) and dossier.state == S.EN_INSTRUCTION:
            raise ValidationError("Un dossier en instruction ne peut pas être supprimé.")
        raise PermissionDenied("Vous ne pouvez pas supprimer ce dossier.")
    dossier.hidden_by_user_at = timezone.now()
    dossier.save(update_fields=["hidden_by_user_at", "updated_at"])
    operation_enregistrer(
        operation=Operation.DOSSIER_SUPPRIMER, actor=user, dossier=dossier, data={"state": dossier.state}
    )
    if dossier.state == S.EN_CONSTRUCTION:
        notifications.dossier_supprime_aux_instructeurs(dossier)
    return dossier


@transaction.atomic
def dossier_restaurer(*, dossier: Dossier, user) -> Dossier:
    dossier = _locked(dossier)
    if not policies.can_restaurer(user, dossier):
        raise PermissionDenied("Vous ne pouvez pas restaurer ce dossier.")
    dossier.hidden_by_user_at = None
    dossier.save(update_fields=["hidden_by_user_at", "updated_at"])
    operation_enregistrer(operation=Operation.DOSSIER_RESTAURER, actor=user, dossier=dossier)
    return dossier


def _dossier_detruire(dossier: Dossier, *, reason: str) -> None:
    """Delete a dossier for good, leaving its trace (DossierSupprime), then its files once committed."""
    files = [piece.file for piece in PieceJointe.objects.filter(champ__dossier=dossier)]
    operation_enregistrer(
        operation=Operation.DOSSIER_PURGER, automatic=True, dossier=dossier, data={"state": dossier.state, "reason": reason}
    )
    DossierSupprime.objects.create(
        dossier_number=dossier.pk, procedure_id=dossier.procedure_id,
        groupe_instructeur_id=dossier.groupe_instructeur_id, state=dossier.state, reason=reason,
    )
    dossier.delete()

    def delete_files():
        for file in files:
            file.delete(save=False)

    transaction.on_commit(delete_files)


def brouillons_supprimes_purger(*, now=None) -> int:
    """Brouillons left in the corbeille for two weeks are deleted for good. Idempotent."""
    limit = (now or timezone.now()) - CORBEILLE_PURGE_DELAY
    count = 0
    ids = Dossier.objects.filter(state=S.BROUILLON, hidden_by_user_at__lte=limit).values_list("pk", flat=True)
    for pk in list(ids):
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().filter(
                pk=pk, state=S.BROUILLON, hidden_by_user_at__lte=limit
            ).first()
            if dossier is None:
                continue
            _dossier_detruire(dossier, reason=DossierSupprime.Reason.CORBEILLE)
            count += 1
    return count


# Expiry ---------------------------------------------------------------------------------------


def expire_bientot(dossier: Dossier, *, now=None) -> bool:
    now = now or timezone.now()
    return (
        dossier.expire_at is not None
        and dossier.state in EXPIRING_STATES
        and dossier.expire_at <= now + EXPIRATION_NOTICE_DELAY
    )


def can_conserver(user, dossier: Dossier) -> bool:
    return policies.is_owner(user, dossier) and expire_bientot(dossier)


@transaction.atomic
def dossier_conserver(*, dossier: Dossier, user) -> Dossier:
    """« Conserver plus longtemps »: the démarche's retention period again, from now or the current expiry."""
    dossier = _locked(dossier)
    if not can_conserver(user, dossier):
        raise PermissionDenied("Ce dossier n'est pas sur le point d'expirer.")
    start = max(dossier.expire_at, timezone.now())
    dossier.expire_at = start + timedelta(days=30 * dossier.procedure.duree_conservation_dossiers)
    dossier.expiration_notice_sent_at = None
    dossier.save(update_fields=["expire_at", "expiration_notice_sent_at", "updated_at"])
    operation_enregistrer(
        operation=Operation.DOSSIER_CONSERVER, actor=user, dossier=dossier, data={"expire_at": dossier.expire_at.isoformat()}
    )
    return dossier


def expirations_traiter(*, now=None) -> dict[str, int]:
    """The periodic retention job: warn a month ahead, then delete the expired dossiers that were warned.
    Idempotent: each dossier is warned once per expiry date and deleted once."""
    now = now or timezone.now()
    expiring = Dossier.objects.filter(state__in=EXPIRING_STATES, expire_at__isnull=False)
    warned = deleted = 0
    to_warn = expiring.filter(
        expire_at__gt=now, expire_at__lte=now + EXPIRATION_NOTICE_DELAY, expiration_notice_sent_at__isnull=True
    )
    for pk in list(to_warn.values_list("pk", flat=True)):
        with transaction.atomic():
            dossier = to_warn.select_for_update(of=("self",)).filter(pk=pk).select_related("procedure", "user").first()
            if dossier is None:
                continue
            dossier.expiration_notice_sent_at = now
            dossier.save(update_fields=["expiration_notice_sent_at"])
            if dossier.user.is_active and not dossier.is_hidden_by_user:
                notifications.expiration_prochaine(dossier)
            warned += 1
    # Deleted only if warned beforehand (a dossier whose notice was never sent gets its month first).
    to_delete = expiring.filter(expire_at__lte=now, expiration_notice_sent_at__isnull=False)
    for pk in list(to_delete.values_list("pk", flat=True)):
        with transaction.atomic():
            dossier = to_delete.select_for_update().filter(pk=pk).first()
            if dossier is None:
                continue
            _dossier_detruire(dossier, reason=DossierSupprime.Reason.EXPIRATION)
            deleted += 1
    late = expiring.filter(expire_at__lte=now, expiration_notice_sent_at__isnull=True)
    for dossier in late.select_related("procedure", "user"):
        # Never warned (job down, or data imported): give the usager his month before deleting.
        with transaction.atomic():
            Dossier.objects.filter(pk=dossier.pk).update(
                expire_at=now + EXPIRATION_NOTICE_DELAY, expiration_notice_sent_at=now
            )
            dossier.expire_at = now + EXPIRATION_NOTICE_DELAY
            if dossier.user.is_active and not dossier.is_hidden_by_user:
                notifications.expiration_prochaine(dossier)
            warned += 1
    return {"warned": warned, "deleted": deleted}


def retention_appliquer(*, now=None) -> dict[str, int]:
    """Everything the hourly retention job does on usager dossiers."""
    from .prefill import dossiers_preremplis_purger

    return {
        "purged": brouillons_supprimes_purger(now=now),
        **expirations_traiter(now=now),
        "prefilled_purged": dossiers_preremplis_purger(now=now),
    }


# Duplication ----------------------------------------------------------------------------------


@transaction.atomic
def dossier_dupliquer(*, dossier: Dossier, user) -> Dossier:
    """A new brouillon pre-filled from the dossier: identity, answers and attachments (never the
    administration's private annotations). Answers to champs the démarche no longer asks are dropped."""
    from .services import dossier_creer

    if not policies.can_dupliquer(user, dossier):
        raise PermissionDenied("Vous ne pouvez pas dupliquer ce dossier.")
    copie = dossier_creer(procedure=dossier.procedure, user=user, for_test=dossier.for_procedure_preview)
    copie.civilite, copie.nom, copie.prenom = dossier.civilite, dossier.nom, dossier.prenom
    copie.date_naissance = dossier.date_naissance
    copie.last_champ_updated_at = timezone.now()
    copie.save(update_fields=["civilite", "nom", "prenom", "date_naissance", "last_champ_updated_at", "updated_at"])
    from .services_modification import champs_copier

    champs_copier(dossier, copie)
    operation_enregistrer(
        operation=Operation.DOSSIER_DUPLIQUER, actor=user, dossier=copie, data={"source": dossier.pk}
    )
    return copie


# Account --------------------------------------------------------------------------------------


def compte_suppression_bloquee(*, user) -> str:
    """Why the account cannot be deleted now ("" when it can)."""
    if Dossier.objects.filter(user=user, state=S.EN_INSTRUCTION).exists():
        return _(
            "Vous avez au moins un dossier en cours d'instruction : votre compte ne peut pas être supprimé "
            "avant la décision de l'administration."
        )
    return ""


@transaction.atomic
def compte_supprimer(*, user) -> None:
    """Close the account: brouillons deleted, invitations withdrawn, login disabled. Deposited dossiers
    stay with the administration, which keeps them for the démarche's retention period."""
    reason = compte_suppression_bloquee(user=user)
    if reason:
        raise ValidationError(reason)
    # Working copies of modifications go without a trace (the dossier they modify stays).
    for copie in Dossier.objects.select_for_update().filter(user=user, editing_fork_origin__isnull=False):
        files = [piece.file for piece in PieceJointe.objects.filter(champ__dossier=copie)]
        copie.delete()
        transaction.on_commit(lambda files=files: [file.delete(save=False) for file in files])
    for dossier in Dossier.objects.select_for_update().filter(user=user, state=S.BROUILLON):
        _dossier_detruire(dossier, reason=DossierSupprime.Reason.COMPTE_SUPPRIME)
    Invitation.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=user.email).delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
    operation_enregistrer(operation=Operation.COMPTE_SUPPRIMER, actor=user, data={"user_id": user.pk})
