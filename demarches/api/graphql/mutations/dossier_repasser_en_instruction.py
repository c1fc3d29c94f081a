from typing import Optional

import strawberry

from demarches.dossiers import transitions

from ..common import ValidationError
from ..dossiers import Dossier
from .base import Refused, dossier_modifiable, instructeur_du_dossier, notification_kwargs, run


@strawberry.input
class DossierRepasserEnInstructionInput:
    dossier_id: strawberry.ID
    instructeur_id: strawberry.ID
    disable_notification: Optional[bool] = False
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierRepasserEnInstructionPayload:
    dossier: Optional[Dossier]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_repasser_en_instruction(
    info: strawberry.Info, input: DossierRepasserEnInstructionInput
) -> Optional[DossierRepasserEnInstructionPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if not dossier.is_termine:
            raise Refused(f"Le dossier ne peut repasser en instruction : il est {dossier.get_state_display()}.")
        extra = notification_kwargs(transitions.repasser_en_instruction, bool(input.disable_notification))
        return transitions.repasser_en_instruction(dossier=dossier, instructeur=instructeur, **extra)

    result, errors = run(action)
    return DossierRepasserEnInstructionPayload(
        dossier=Dossier(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
