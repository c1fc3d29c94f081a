"""Who may do what on a dossier. Every dossier view and API field asks here.

The owner and the co-editors he invited (Invitation) see and fill the dossier; only the owner deposits
(see transitions.passer_en_construction), invites, deletes, restores and duplicates it.
A dossier in the owner's corbeille is out of reach until restored.
"""

from django.db.models import Q
from django.utils import timezone

from .models import Dossier, Invitation
from .transitions import is_instructeur_of

EDITABLE_BY_USAGER = (Dossier.State.BROUILLON, Dossier.State.EN_CONSTRUCTION)
DELETABLE_BY_USAGER = (Dossier.State.BROUILLON, Dossier.State.EN_CONSTRUCTION, *Dossier.TERMINE)


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


def origine(dossier: Dossier) -> Dossier:
    """A working copy (« Modifier le dossier ») answers to the rights of the dossier it modifies."""
    return dossier.editing_fork_origin if dossier.editing_fork_origin_id else dossier


def is_owner(user, dossier: Dossier) -> bool:
    return _authenticated(user) and dossier.user_id == user.pk


def _valides() -> Q:
    """Opened invitations stay; those never opened expire after Invitation.validite()."""
    return Q(user__isnull=False) | Q(created_at__gt=timezone.now() - Invitation.validite())


def invitations_de(user):
    """The valid invitations addressed to this account: already opened by it, or sent to its e-mail."""
    return Invitation.objects.filter(Q(user=user) | Q(user__isnull=True, email__iexact=user.email)).filter(_valides())


def invitation_expiree(user, dossier: Dossier) -> Invitation | None:
    """The expired invitation that would have let this user in, to tell him so."""
    if not _authenticated(user) or dossier.user_id == user.pk:
        return None
    return (
        Invitation.objects.filter(dossier_id=origine(dossier).pk, user__isnull=True, email__iexact=user.email)
        .exclude(_valides())
        .first()
    )


def is_invitee(user, dossier: Dossier) -> bool:
    if not _authenticated(user) or dossier.user_id == user.pk:
        return False
    return invitations_de(user).filter(dossier_id=origine(dossier).pk).exists()


def _owner_or_invitee(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier) or is_invitee(user, dossier)


def can_view_as_usager(user, dossier: Dossier) -> bool:
    return not origine(dossier).is_hidden_by_user and _owner_or_invitee(user, dossier)


def can_edit_as_usager(user, dossier: Dossier) -> bool:
    """A brouillon, or the working copy of a dossier still en construction. A deposited dossier itself is
    never edited in place: « Modifier le dossier » makes a working copy (services_modification)."""
    if dossier.is_editing_fork and dossier.editing_fork_origin.state != Dossier.State.EN_CONSTRUCTION:
        return False
    return (
        dossier.state in EDITABLE_BY_USAGER
        and not origine(dossier).is_hidden_by_user
        and dossier.procedure.accepts_dossiers
        and _owner_or_invitee(user, dossier)
    )


def can_modifier(user, dossier: Dossier) -> bool:
    """« Modifier le dossier »: a deposited dossier still en construction, by its owner or a co-editor."""
    return (
        not dossier.is_editing_fork
        and dossier.state == Dossier.State.EN_CONSTRUCTION
        and can_edit_as_usager(user, dossier)
    )


def can_deposer_modifications(user, dossier: Dossier) -> bool:
    """« Déposer les modifications » of a working copy: the owner only, like the deposit itself."""
    return dossier.is_editing_fork and is_owner(user, dossier) and can_edit_as_usager(user, dossier)


def can_write_as_usager(user, dossier: Dossier) -> bool:
    """The messagerie is open from the deposit until the decision (closed once the dossier is terminé)."""
    return (
        dossier.state != Dossier.State.BROUILLON
        and not dossier.is_termine
        and not dossier.archived
        and not dossier.is_hidden_by_user
        and _owner_or_invitee(user, dossier)
    )


def can_inviter(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier) and not dossier.is_hidden_by_user and dossier.state in EDITABLE_BY_USAGER


def can_supprimer_as_usager(user, dossier: Dossier) -> bool:
    """Brouillon, en construction or terminé: never while the administration is instructing it."""
    return is_owner(user, dossier) and not dossier.is_hidden_by_user and dossier.state in DELETABLE_BY_USAGER


def can_restaurer(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier) and dossier.is_hidden_by_user


def can_dupliquer(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier) and not dossier.is_hidden_by_user and dossier.procedure.accepts_dossiers


def can_view_as_instructeur(user, dossier: Dossier) -> bool:
    return dossier.state != Dossier.State.BROUILLON and is_instructeur_of(user, dossier)
