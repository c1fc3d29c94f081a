"""dossierModifierAnnotation<Type>: one mutation per value type, as in the reference (which now
recommends dossierModifierAnnotations). Each is the same code with a different `value` type."""

from typing import Optional

import strawberry

from ..champs import Champ
from ..common import ValidationError
from ..scalars import ISO8601Date, ISO8601DateTime
from . import annotations
from .base import dossier_modifiable, run

# (type name, GraphQL type of `value`, kind understood by annotations.appliquer, description)
VARIANTS = [
    ("Text", str, "text", "Modifier l’annotation au format text."),
    ("Checkbox", bool, "checkbox", "Modifier l’annotation au format oui/non."),
    ("Date", ISO8601Date, "date", "Modifier l’annotation au format date."),
    ("Datetime", ISO8601DateTime, "datetime", "Modifier l’annotation au format date et heure."),
    ("IntegerNumber", int, "integer_number", "Modifier l’annotation au format nombre entier."),
    ("DecimalNumber", float, "decimal_number", "Modifier l’annotation au format nombre décimal."),
    ("DropDownList", str, "drop_down_list", "Modifier l’annotation d’un champs de type dropdown list."),
]


def _variant(type_name: str, value_type, kind: str):
    input_cls = strawberry.input(
        type(
            f"DossierModifierAnnotation{type_name}Input",
            (),
            {
                "__annotations__": {
                    "dossier_id": strawberry.ID,
                    "instructeur_id": strawberry.ID,
                    "annotation_id": strawberry.ID,
                    "value": value_type,
                    "client_mutation_id": Optional[str],
                },
                "dossier_id": strawberry.field(description="Dossier ID"),
                "instructeur_id": strawberry.field(description="Instructeur qui demande la modification."),
                "annotation_id": strawberry.field(description="Annotation ID"),
                "client_mutation_id": strawberry.UNSET,
            },
        )
    )
    payload_cls = strawberry.type(
        type(
            f"DossierModifierAnnotation{type_name}Payload",
            (),
            {
                "__annotations__": {
                    "annotation": Optional[Champ],
                    "errors": Optional[list[ValidationError]],
                    "client_mutation_id": Optional[str],
                }
            },
        )
    )

    def resolver(info: strawberry.Info, input: input_cls) -> Optional[payload_cls]:
        dossier = dossier_modifiable(info, input.dossier_id)
        ids, errors = run(lambda: annotations.appliquer(dossier, input.instructeur_id, [(input.annotation_id, kind, input.value)]))
        return payload_cls(
            annotation=annotations.champs_modifies(info, dossier, ids)[0] if ids else None, errors=errors,
            client_mutation_id=input.client_mutation_id or None,
        )

    resolver.__annotations__ = {"info": strawberry.Info, "input": input_cls, "return": Optional[payload_cls]}
    return resolver


RESOLVERS = {type_name: (_variant(type_name, value_type, kind), description) for type_name, value_type, kind, description in VARIANTS}
