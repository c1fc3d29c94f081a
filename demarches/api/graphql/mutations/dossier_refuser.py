from typing import Optional

import strawberry

from demarches.dossiers import transitions

from ..common import ValidationError
from ..dossiers import Dossier
from .base import dossier_modifiable, instructeur_du_dossier, notification_kwargs, refuse_attachments, run, state_refusal


@strawberry.input
class DossierRefuserInput:
    dossier_id: strawberry.ID
    instructeur_id: strawberry.ID
    motivation: str
    justificatif: Optional[strawberry.ID] = strawberry.UNSET
    disable_notification: Optional[bool] = False
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierRefuserPayload:
    dossier: Optional[Dossier]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_refuser(info: strawberry.Info, input: DossierRefuserInput) -> Optional[DossierRefuserPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if not transitions.can_terminer(dossier, instructeur.user):
            raise state_refusal(dossier)
        refuse_attachments(justificatif=input.justificatif)
        extra = notification_kwargs(transitions.refuser, bool(input.disable_notification))
        return transitions.refuser(dossier=dossier, instructeur=instructeur, motivation=input.motivation or "", **extra)

    result, errors = run(action)
    return DossierRefuserPayload(
        dossier=Dossier(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
