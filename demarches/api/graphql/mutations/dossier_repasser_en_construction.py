from typing import Optional

import strawberry

from demarches.dossiers import transitions

from ..common import ValidationError
from ..dossiers import Dossier
from .base import dossier_modifiable, instructeur_du_dossier, run, state_refusal


@strawberry.input
class DossierRepasserEnConstructionInput:
    dossier_id: strawberry.ID
    instructeur_id: strawberry.ID
    disable_notification: Optional[bool] = False
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierRepasserEnConstructionPayload:
    dossier: Optional[Dossier]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_repasser_en_construction(
    info: strawberry.Info, input: DossierRepasserEnConstructionInput
) -> Optional[DossierRepasserEnConstructionPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if not transitions.can_repasser_en_construction(dossier, instructeur.user):
            raise state_refusal(dossier)
        # The return to construction sends no e-mail to the usager: disableNotification has nothing to silence.
        return transitions.repasser_en_construction(dossier=dossier, instructeur=instructeur)

    result, errors = run(action)
    return DossierRepasserEnConstructionPayload(
        dossier=Dossier(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
