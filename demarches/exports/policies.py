"""Who may see and download an export."""

from demarches.procedures.policies import can_instruct

from .models import Export


def can_see_export(user, export: Export) -> bool:
    """An export holds the dossiers its requester may see: only he, while he still instructs the démarche."""
    instructeur = getattr(user, "instructeur", None) if user and user.is_authenticated else None
    return instructeur is not None and export.instructeur_id == instructeur.pk and can_instruct(user, export.procedure)


def can_download_export(user, export: Export) -> bool:
    return can_see_export(user, export) and export.is_ready
