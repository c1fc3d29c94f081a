"""The usager form's champ widgets, for the annotations privées: the same templates, with the
instructeur's own URLs for the attachments (upload, download, delete)."""

from dataclasses import dataclass

from django.urls import reverse

from demarches.dossiers.forms import ChampWidget, PieceAffichee


@dataclass
class PieceAnnotation(PieceAffichee):
    procedure_id: int = 0

    @property
    def download_url(self):
        return reverse("instruction:piece", args=[self.procedure_id, self.dossier_pk, self.piece.pk])

    @property
    def delete_url(self):
        return reverse("instruction:annotation_piece_supprimer", args=[self.procedure_id, self.dossier_pk, self.piece.pk])


@dataclass
class AnnotationWidget(ChampWidget):
    def __post_init__(self):
        if self.champ is not None and self.field_type.accepts_files:
            self.pieces = [
                PieceAnnotation(piece, self.dossier.pk, self.dossier.procedure_id)
                for piece in self.champ.pieces.order_by("created_at", "id")
            ]

    @property
    def upload_url(self):
        return reverse(
            "instruction:annotation_piece_ajouter", args=[self.dossier.procedure_id, self.dossier.pk, self.type_de_champ.stable_id]
        )


def annotation_widgets(dossier, annotations: list[tuple], errors: dict[int, str] | None = None) -> list[AnnotationWidget]:
    """annotations: what selectors.annotations_du_dossier returns; errors: messages by stable_id."""
    errors = errors or {}
    return [
        AnnotationWidget(dossier=dossier, type_de_champ=tdc, champ=champ, error=errors.get(tdc.stable_id, ""))
        for tdc, champ in annotations
    ]
