from typing import Optional

import strawberry

from demarches.instruction import services as instruction_services

from ..common import ValidationError
from ..dossiers import Dossier
from .base import Refused, dossier_modifiable, instructeur_du_dossier, run


@strawberry.input
class DossierDesarchiverInput:
    dossier_id: strawberry.ID = strawberry.field(description="Dossier ID")
    instructeur_id: strawberry.ID = strawberry.field(description="Instructeur qui prend la décision sur le dossier.")
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierDesarchiverPayload:
    dossier: Optional[Dossier]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_desarchiver(info: strawberry.Info, input: DossierDesarchiverInput) -> Optional[DossierDesarchiverPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if not instruction_services.can_desarchiver(instructeur, dossier):
            raise Refused("Ce dossier n'est pas archivé.")
        return instruction_services.dossier_desarchiver(dossier=dossier, instructeur=instructeur)

    result, errors = run(action)
    return DossierDesarchiverPayload(
        dossier=Dossier(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
