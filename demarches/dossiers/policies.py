"""Who may do what on a dossier. Every dossier view and API field asks here.

The owner and the co-editors he invited (Invitation) see and fill the dossier; only the owner deposits
(see transitions.passer_en_construction), invites, deletes, restores and duplicates it.
A dossier in the owner's corbeille is out of reach until restored.
"""

from django.db.models import Q

from .models import Dossier, Invitation
from .transitions import is_instructeur_of

EDITABLE_BY_USAGER = (Dossier.State.BROUILLON, Dossier.State.EN_CONSTRUCTION)
DELETABLE_BY_USAGER = (Dossier.State.BROUILLON, Dossier.State.EN_CONSTRUCTION, *Dossier.TERMINE)


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


def is_owner(user, dossier: Dossier) -> bool:
    return _authenticated(user) and dossier.user_id == user.pk


def invitations_de(user):
    """The invitations addressed to this account: already opened by it, or sent to its e-mail."""
    return Invitation.objects.filter(Q(user=user) | Q(user__isnull=True, email__iexact=user.email))


def is_invitee(user, dossier: Dossier) -> bool:
    if not _authenticated(user) or dossier.user_id == user.pk:
        return False
    return invitations_de(user).filter(dossier=dossier).exists()


def _owner_or_invitee(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier) or is_invitee(user, dossier)


def can_view_as_usager(user, dossier: Dossier) -> bool:
    return not dossier.is_hidden_by_user and _owner_or_invitee(user, dossier)


def can_edit_as_usager(user, dossier: Dossier) -> bool:
    return (
        dossier.state in EDITABLE_BY_USAGER
        and not dossier.is_hidden_by_user
        and dossier.procedure.accepts_dossiers
        and _owner_or_invitee(user, dossier)
    )


def can_write_as_usager(user, dossier: Dossier) -> bool:
    return (
        dossier.state != Dossier.State.BROUILLON
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
