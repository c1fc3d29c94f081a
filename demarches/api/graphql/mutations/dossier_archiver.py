from typing import Optional

import strawberry

from demarches.instruction import services as instruction_services

from ..common import ValidationError
from ..dossiers import Dossier
from .base import Refused, dossier_modifiable, instructeur_du_dossier, run


@strawberry.input
class DossierArchiverInput:
    dossier_id: strawberry.ID = strawberry.field(description="Dossier ID")
    instructeur_id: strawberry.ID = strawberry.field(description="Instructeur qui prend la décision sur le dossier.")
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierArchiverPayload:
    dossier: Optional[Dossier]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_archiver(info: strawberry.Info, input: DossierArchiverInput) -> Optional[DossierArchiverPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if not instruction_services.can_archiver(instructeur, dossier):
            raise Refused(
                "Seul un dossier traité (accepté, refusé ou classé sans suite) et pas encore archivé peut être archivé."
            )
        return instruction_services.dossier_archiver(dossier=dossier, instructeur=instructeur)

    result, errors = run(action)
    return DossierArchiverPayload(
        dossier=Dossier(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
