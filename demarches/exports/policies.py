"""Who may see and download an export, an archive, a dossier's ZIP, and manage modèles d'export."""

from demarches.dossiers import policies as dossier_policies
from demarches.procedures.policies import can_administer, can_instruct

from .models import Archive, Export, ExportModele


def can_see_export(user, export: Export) -> bool:
    """An export holds the dossiers its requester may see: only he, while he still instructs the démarche."""
    instructeur = getattr(user, "instructeur", None) if user and user.is_authenticated else None
    return instructeur is not None and export.instructeur_id == instructeur.pk and can_instruct(user, export.procedure)


def can_download_export(user, export: Export) -> bool:
    return can_see_export(user, export) and export.is_ready


def can_manage_modeles(user, procedure) -> bool:
    """The modèles d'export of a démarche are shared by its instructeurs: any of them creates, edits, deletes."""
    return can_instruct(user, procedure)


def can_use_modele(user, modele: ExportModele) -> bool:
    return can_manage_modeles(user, modele.procedure)


def can_archive_all(user, procedure) -> bool:
    """An administrateur of the démarche archives all its dossiers."""
    return bool(user and user.is_authenticated) and can_administer(user, procedure)


def can_archive(user, procedure) -> bool:
    """Archivage longue durée: an administrateur of the démarche, or one of its instructeurs (his groups' dossiers)."""
    return can_archive_all(user, procedure) or can_instruct(user, procedure)


def can_see_archive(user, archive: Archive) -> bool:
    return bool(user and user.is_authenticated) and archive.requested_by_id == user.pk and can_archive(user, archive.procedure)


def can_download_archive(user, archive: Archive) -> bool:
    return can_see_archive(user, archive) and archive.is_ready


def can_download_dossier_zip(user, dossier) -> bool:
    """The dossier with all its attachments: an instructeur of the dossier's groupe instructeur."""
    return dossier_policies.can_view_as_instructeur(user, dossier)
