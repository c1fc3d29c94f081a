from typing import Optional

import strawberry

from demarches.dossiers import transitions

from ..common import ValidationError
from ..dossiers import Dossier
from .base import dossier_modifiable, instructeur_du_dossier, notification_kwargs, run, state_refusal


@strawberry.input
class DossierPasserEnInstructionInput:
    dossier_id: strawberry.ID
    instructeur_id: strawberry.ID
    disable_notification: Optional[bool] = False
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierPasserEnInstructionPayload:
    dossier: Optional[Dossier]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_passer_en_instruction(info: strawberry.Info, input: DossierPasserEnInstructionInput) -> Optional[DossierPasserEnInstructionPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if not transitions.can_passer_en_instruction(dossier, instructeur.user):
            raise state_refusal(dossier)
        extra = notification_kwargs(transitions.passer_en_instruction, bool(input.disable_notification))
        return transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur, **extra)

    result, errors = run(action)
    return DossierPasserEnInstructionPayload(
        dossier=Dossier(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
