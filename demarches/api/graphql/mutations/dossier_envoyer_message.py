from typing import Optional

import strawberry

from demarches.api import direct_uploads
from demarches.dossiers import services

from ..common import ValidationError
from ..dossiers import Message
from .base import dossier_modifiable, fichier_depose, instructeur_du_dossier, run


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
        piece_jointe = fichier_depose(input.attachment, dossier=dossier, argument="attachment")
        message = services.message_envoyer(
            dossier=dossier, user=instructeur.user, body=input.body, instructeur=instructeur, piece_jointe=piece_jointe
        )
        if piece_jointe is not None:
            direct_uploads.blob_consommer(piece_jointe)
        return message

    result, errors = run(action)
    return DossierEnvoyerMessagePayload(
        message=Message(m=result) if result else None, errors=errors, client_mutation_id=input.client_mutation_id or None
    )
