"""Attachments of the annotations privées of type pièce justificative.

The same checks as the usager's uploads (the field type's check_file: size, formats chosen by the
administrateur; its max_files), but written by the instructeurs who follow the dossier: like any
other annotation change, it is logged (annotations_modifier) and bumps the dossier's updated_at,
never last_champ_updated_at (the orange dot tells the usager's modifications only).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from demarches.audit.services import operation_enregistrer
from demarches.dossiers.models import Champ, Dossier, PieceJointe

from .liste import reindexation
from .services import ANNOTATIONS_MODIFIER, can_edit_annotations


def _require_editor(instructeur, dossier: Dossier) -> None:
    if not can_edit_annotations(instructeur, dossier):
        raise PermissionDenied("Suivez le dossier pour modifier ses annotations privées.")


def _modifiee(dossier: Dossier, instructeur, champ: Champ) -> None:
    champ.data = list(champ.pieces.order_by("created_at", "id").values_list("filename", flat=True)) or None
    champ.save(update_fields=["data", "updated_at"])
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=timezone.now())
    reindexation.apres_commit(dossier.pk)
    operation_enregistrer(
        operation=ANNOTATIONS_MODIFIER, actor=instructeur.user, dossier=dossier, data={"stable_ids": [champ.stable_id]}
    )


@transaction.atomic
def annotation_piece_ajouter(*, dossier: Dossier, instructeur, type_de_champ, uploaded) -> PieceJointe:
    """Attach one file to a pièce justificative annotation; ValidationError (French) when refused."""
    _require_editor(instructeur, dossier)
    field_type = type_de_champ.field_type
    if not type_de_champ.private or not field_type.accepts_files or type_de_champ.revision_id != dossier.revision_id:
        raise PermissionDenied("Cette annotation n'accepte pas de fichier.")
    field_type.check_file(uploaded, options=type_de_champ.options)
    champ, _ = Champ.objects.select_for_update().get_or_create(
        dossier=dossier, stable_id=type_de_champ.stable_id, row_id="", defaults={"type_de_champ": type_de_champ}
    )
    if champ.pieces.count() >= field_type.max_files:
        maximum = field_type.max_files
        raise ValidationError(f"Vous ne pouvez pas joindre plus de {maximum} fichier{'s' if maximum > 1 else ''} à ce champ.")
    piece = PieceJointe(
        champ=champ, filename=uploaded.name[:255], content_type=(getattr(uploaded, "content_type", "") or "")[:120],
        size=uploaded.size,
    )
    piece.file.save(uploaded.name, uploaded, save=False)
    piece.save()
    _modifiee(dossier, instructeur, champ)
    return piece


@transaction.atomic
def annotation_piece_supprimer(*, dossier: Dossier, instructeur, piece: PieceJointe) -> None:
    _require_editor(instructeur, dossier)
    champ = piece.champ
    if champ.dossier_id != dossier.pk:
        raise PermissionDenied("Ce fichier n'appartient pas à ce dossier.")
    file = piece.file
    piece.delete()
    transaction.on_commit(lambda: file.delete(save=False))
    _modifiee(dossier, instructeur, champ)
