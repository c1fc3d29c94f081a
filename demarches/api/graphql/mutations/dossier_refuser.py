from typing import Optional

import strawberry

from demarches.dossiers import transitions

from ..common import ValidationError
from ..dossiers import Dossier
from .base import terminer


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
    result, errors = terminer(info, input, transitions.refuser)
    return DossierRefuserPayload(
        dossier=Dossier(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
