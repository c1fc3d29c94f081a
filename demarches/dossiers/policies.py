"""Who may do what on a dossier. Every dossier view and API field asks here."""

from .models import Dossier
from .transitions import is_instructeur_of

EDITABLE_BY_USAGER = (Dossier.State.BROUILLON, Dossier.State.EN_CONSTRUCTION)


def is_owner(user, dossier: Dossier) -> bool:
    return bool(user and user.is_authenticated and dossier.user_id == user.pk)


def can_view_as_usager(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier)


def can_edit_as_usager(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier) and dossier.state in EDITABLE_BY_USAGER and dossier.procedure.accepts_dossiers


def can_write_as_usager(user, dossier: Dossier) -> bool:
    return is_owner(user, dossier) and dossier.state != Dossier.State.BROUILLON and not dossier.archived


def can_view_as_instructeur(user, dossier: Dossier) -> bool:
    return dossier.state != Dossier.State.BROUILLON and is_instructeur_of(user, dossier)
