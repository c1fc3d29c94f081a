from typing import Optional

import strawberry
from django.db import transaction

from demarches.procedures import services as procedure_services

from ..common import ValidationError
from ..procedures import DemarcheDescriptor, FindDemarcheInput
from .base import procedure_administree, run


@strawberry.input
class DemarcheClonerInput:
    demarche: FindDemarcheInput = strawberry.field(description="La démarche")
    title: Optional[str] = strawberry.field(default=strawberry.UNSET, description="Le titre de la nouvelle démarche.")
    clone_service: Optional[bool] = strawberry.field(
        default=strawberry.UNSET, description="Cloner le service de la démarche."
    )
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DemarcheClonerPayload:
    demarche: Optional[DemarcheDescriptor]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def demarche_cloner(info: strawberry.Info, input: DemarcheClonerInput) -> Optional[DemarcheClonerPayload]:
    procedure = procedure_administree(info, input.demarche)
    administrateur = info.context.administrateur

    @transaction.atomic
    def action():
        clone = procedure_services.procedure_cloner(procedure=procedure, administrateur=administrateur)
        changes = {}
        if input.title:
            changes["libelle"] = input.title
        if input.clone_service is False and clone.service_id is not None:
            changes["service"] = None
        if changes:
            clone = procedure_services.procedure_modifier(procedure=clone, administrateur=administrateur, **changes)
        return clone

    clone, errors = run(action)
    return DemarcheClonerPayload(
        demarche=DemarcheDescriptor(m=clone, revision_model=clone.active_revision) if clone else None, errors=errors,
        client_mutation_id=input.client_mutation_id or None,
    )
