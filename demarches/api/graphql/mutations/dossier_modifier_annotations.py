from typing import Optional

import strawberry

from ..champs import Champ
from ..common import ValidationError
from ..scalars import ISO8601Date, ISO8601DateTime
from . import annotations
from .base import dossier_modifiable, run


@strawberry.input(one_of=True, description="La nouvelle valeur d’une annotation, selon son type.")
class AnnotationValueInput:
    checkbox: Optional[bool] = strawberry.field(default=strawberry.UNSET, description="Modifier la valeur d’un champ case à cocher")
    date: Optional[ISO8601Date] = strawberry.field(default=strawberry.UNSET, description="Modifier la valeur d’un champ date")
    datetime: Optional[ISO8601DateTime] = strawberry.field(
        default=strawberry.UNSET, description="Modifier la valeur d’un champ date et heure"
    )
    decimal_number: Optional[float] = strawberry.field(
        default=strawberry.UNSET, description="Modifier la valeur d’un champ nombre décimal"
    )
    dossier_link: Optional[str] = strawberry.field(
        default=strawberry.UNSET, description="Modifier la valeur d'un champ lien vers un dossier"
    )
    drop_down_list: Optional[str] = strawberry.field(
        default=strawberry.UNSET, description="Modifier la sélection d’un champ choix simple"
    )
    email: Optional[str] = strawberry.field(default=strawberry.UNSET, description="Modifier la valeur d’un champ adresse électronique")
    integer_number: Optional[int] = strawberry.field(
        default=strawberry.UNSET, description="Modifier la valeur d’un champ nombre entier"
    )
    multiple_drop_down_list: Optional[list[str]] = strawberry.field(
        default=strawberry.UNSET, description="Modifier la sélection d’un champ choix multiple"
    )
    repetition: Optional[int] = strawberry.field(
        default=strawberry.UNSET, description="Ajouter des repetitions à un champ répétable"
    )
    text: Optional[str] = strawberry.field(default=strawberry.UNSET, description="Modifier la valeur d’un champ texte")
    textarea: Optional[str] = strawberry.field(default=strawberry.UNSET, description="Modifier la valeur d’un champ texte long")
    yes_no: Optional[bool] = strawberry.field(default=strawberry.UNSET, description="Modifier la valeur d’un champ Oui/Non")


KINDS = {
    "checkbox": "checkbox", "date": "date", "datetime": "datetime", "decimal_number": "decimal_number",
    "dossier_link": "dossier_link", "drop_down_list": "drop_down_list", "email": "email",
    "integer_number": "integer_number", "multiple_drop_down_list": "multiple_drop_down_list",
    "repetition": "repetition", "text": "text", "textarea": "textarea", "yes_no": "yes_no",
}


@strawberry.input
class AnnotationInput:
    id: strawberry.ID = strawberry.field(description="Annotation ID")
    value: AnnotationValueInput = strawberry.field(description="Valeur de l’annotation.")


@strawberry.input
class DossierModifierAnnotationsInput:
    dossier_id: strawberry.ID = strawberry.field(description="Dossier ID")
    instructeur_id: strawberry.ID = strawberry.field(description="Instructeur qui demande la modification.")
    annotations: list[AnnotationInput] = strawberry.field(description="Annotations à modifier")
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierModifierAnnotationsPayload:
    annotations: Optional[list[Champ]]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def _change(annotation: AnnotationInput) -> tuple[str, str, object]:
    for name, kind in KINDS.items():
        value = getattr(annotation.value, name)
        if value is not strawberry.UNSET and value is not None:
            return annotation.id, kind, value
    raise annotations.Refused(f"Aucune valeur donnée pour l'annotation « {annotation.id} ».")


def dossier_modifier_annotations(
    info: strawberry.Info, input: DossierModifierAnnotationsInput
) -> Optional[DossierModifierAnnotationsPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)
    ids, errors = run(
        lambda: annotations.appliquer(dossier, input.instructeur_id, [_change(annotation) for annotation in input.annotations])
    )
    return DossierModifierAnnotationsPayload(
        annotations=annotations.champs_modifies(info, dossier, ids) if ids else None, errors=errors,
        client_mutation_id=input.client_mutation_id or None,
    )
