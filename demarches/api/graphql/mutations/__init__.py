"""One module per mutation: validate, call one service or transition, return the object or errors."""

import strawberry

from .dossier_accepter import DossierAccepterPayload, dossier_accepter
from .dossier_bascule_suivi import DossierBasculeSuiviPayload, dossier_bascule_suivi
from .dossier_classer_sans_suite import DossierClasserSansSuitePayload, dossier_classer_sans_suite
from .dossier_envoyer_message import DossierEnvoyerMessagePayload, dossier_envoyer_message
from .dossier_passer_en_instruction import DossierPasserEnInstructionPayload, dossier_passer_en_instruction
from .dossier_refuser import DossierRefuserPayload, dossier_refuser
from .dossier_repasser_en_construction import DossierRepasserEnConstructionPayload, dossier_repasser_en_construction
from .dossier_repasser_en_instruction import DossierRepasserEnInstructionPayload, dossier_repasser_en_instruction


@strawberry.type
class Mutation:
    dossier_passer_en_instruction: DossierPasserEnInstructionPayload | None = strawberry.mutation(
        resolver=dossier_passer_en_instruction, description="Passer le dossier en instruction."
    )
    dossier_repasser_en_construction: DossierRepasserEnConstructionPayload | None = strawberry.mutation(
        resolver=dossier_repasser_en_construction, description="Repasser le dossier en construction."
    )
    dossier_accepter: DossierAccepterPayload | None = strawberry.mutation(
        resolver=dossier_accepter, description="Accepter le dossier."
    )
    dossier_refuser: DossierRefuserPayload | None = strawberry.mutation(
        resolver=dossier_refuser, description="Refuser le dossier."
    )
    dossier_classer_sans_suite: DossierClasserSansSuitePayload | None = strawberry.mutation(
        resolver=dossier_classer_sans_suite, description="Classer le dossier sans suite."
    )
    dossier_repasser_en_instruction: DossierRepasserEnInstructionPayload | None = strawberry.mutation(
        resolver=dossier_repasser_en_instruction, description="Repasser en instruction un dossier déjà traité."
    )
    dossier_bascule_suivi: DossierBasculeSuiviPayload | None = strawberry.mutation(
        resolver=dossier_bascule_suivi, description="Suivre le dossier (follow: true) ou ne plus le suivre (follow: false)."
    )
    dossier_envoyer_message: DossierEnvoyerMessagePayload | None = strawberry.mutation(
        resolver=dossier_envoyer_message, description="Envoyer un message à l'usager du dossier."
    )
