from typing import Optional

import strawberry

from demarches.dossiers import services

from ..common import ValidationError
from ..dossiers import Message
from .base import dossier_modifiable, instructeur_du_dossier, refuse_attachments, run


@strawberry.input
class DossierEnvoyerMessageInput:
    dossier_id: strawberry.ID
    instructeur_id: strawberry.ID
    body: str
    attachment: Optional[strawberry.ID] = strawberry.UNSET
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierEnvoyerMessagePayload:
    message: Optional[Message]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_envoyer_message(info: strawberry.Info, input: DossierEnvoyerMessageInput) -> Optional[DossierEnvoyerMessagePayload]:
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        refuse_attachments(attachment=input.attachment)
        return services.message_envoyer(dossier=dossier, user=instructeur.user, body=input.body, instructeur=instructeur)

    result, errors = run(action)
    return DossierEnvoyerMessagePayload(
        message=Message(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
