from typing import Optional

import strawberry

from demarches.dossiers import transitions

from ..common import ValidationError
from ..dossiers import Dossier
from .base import terminer


@strawberry.input
class DossierAccepterInput:
    dossier_id: strawberry.ID
    instructeur_id: strawberry.ID
    motivation: Optional[str] = strawberry.UNSET
    justificatif: Optional[strawberry.ID] = strawberry.UNSET
    disable_notification: Optional[bool] = False
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierAccepterPayload:
    dossier: Optional[Dossier]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_accepter(info: strawberry.Info, input: DossierAccepterInput) -> Optional[DossierAccepterPayload]:
    result, errors = terminer(info, input, transitions.accepter)
    return DossierAccepterPayload(
        dossier=Dossier(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
