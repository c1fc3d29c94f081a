from typing import Optional

import strawberry

from demarches.instruction import services as instruction_services

from ..common import Profile, ValidationError
from ..dossiers import Dossier, profile_of_instructeur
from .base import dossier_modifiable, instructeur_du_dossier, run


@strawberry.input
class DossierBasculeSuiviInput:
    dossier_id: strawberry.ID
    instructeur_id: strawberry.ID
    follow: Optional[bool] = True
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierBasculeSuiviPayload:
    dossier: Optional[Dossier]
    instructeur: Optional[Profile]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_bascule_suivi(info: strawberry.Info, input: DossierBasculeSuiviInput) -> Optional[DossierBasculeSuiviPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if input.follow is False:
            instruction_services.dossier_ne_plus_suivre(dossier=dossier, instructeur=instructeur)
        else:
            instruction_services.dossier_suivre(dossier=dossier, instructeur=instructeur)
        return instructeur

    instructeur, errors = run(action)
    return DossierBasculeSuiviPayload(
        dossier=Dossier(m=dossier) if instructeur else None,
        instructeur=profile_of_instructeur(instructeur) if instructeur else None,
        errors=errors,
        client_mutation_id=input.client_mutation_id or None,
    )
