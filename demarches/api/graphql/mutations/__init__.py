"""One module per mutation: validate, call one service or transition, return the object or errors."""

import strawberry

from .create_direct_upload import CreateDirectUploadPayload, create_direct_upload
from .demarche_cloner import DemarcheClonerPayload, demarche_cloner
from .dossier_accepter import DossierAccepterPayload, dossier_accepter
from .dossier_ajouter_label import DossierAjouterLabelPayload, dossier_ajouter_label
from .dossier_archiver import DossierArchiverPayload, dossier_archiver
from .dossier_bascule_suivi import DossierBasculeSuiviPayload, dossier_bascule_suivi
from .dossier_changer_groupe_instructeur import DossierChangerGroupeInstructeurPayload, dossier_changer_groupe_instructeur
from .dossier_classer_sans_suite import DossierClasserSansSuitePayload, dossier_classer_sans_suite
from .dossier_desarchiver import DossierDesarchiverPayload, dossier_desarchiver
from .dossier_envoyer_message import DossierEnvoyerMessagePayload, dossier_envoyer_message
from .dossier_modifier_annotation import RESOLVERS as ANNOTATION
from .dossier_modifier_annotations import DossierModifierAnnotationsPayload, dossier_modifier_annotations
from .dossier_passer_en_instruction import DossierPasserEnInstructionPayload, dossier_passer_en_instruction
from .dossier_refuser import DossierRefuserPayload, dossier_refuser
from .dossier_repasser_en_construction import DossierRepasserEnConstructionPayload, dossier_repasser_en_construction
from .dossier_repasser_en_instruction import DossierRepasserEnInstructionPayload, dossier_repasser_en_instruction
from .dossier_supprimer_label import DossierSupprimerLabelPayload, dossier_supprimer_label
from .dossier_supprimer_message import DossierSupprimerMessagePayload, dossier_supprimer_message
from .groupe_instructeur_creer import GroupeInstructeurCreerPayload, groupe_instructeur_creer
from .groupe_instructeur_instructeurs import (
    GroupeInstructeurAjouterInstructeursPayload,
    GroupeInstructeurSupprimerInstructeursPayload,
    groupe_instructeur_ajouter_instructeurs,
    groupe_instructeur_supprimer_instructeurs,
)
from .groupe_instructeur_modifier import GroupeInstructeurModifierPayload, groupe_instructeur_modifier

DEPRECATED_ANNOTATION = "Utilisez la mutation `dossierModifierAnnotations` à la place."


def _annotation(type_name: str):
    resolver, description = ANNOTATION[type_name]
    return strawberry.mutation(resolver=resolver, description=description, deprecation_reason=DEPRECATED_ANNOTATION)


@strawberry.type
class Mutation:
    create_direct_upload: CreateDirectUploadPayload | None = strawberry.mutation(
        resolver=create_direct_upload, description="File information required to prepare a direct upload"
    )
    demarche_cloner: DemarcheClonerPayload | None = strawberry.mutation(resolver=demarche_cloner, description="Cloner une démarche.")
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
    dossier_archiver: DossierArchiverPayload | None = strawberry.mutation(
        resolver=dossier_archiver, description="Archiver le dossier."
    )
    dossier_desarchiver: DossierDesarchiverPayload | None = strawberry.mutation(
        resolver=dossier_desarchiver, description="Désarchiver le dossier."
    )
    dossier_bascule_suivi: DossierBasculeSuiviPayload | None = strawberry.mutation(
        resolver=dossier_bascule_suivi, description="Suivre le dossier (follow: true) ou ne plus le suivre (follow: false)."
    )
    dossier_envoyer_message: DossierEnvoyerMessagePayload | None = strawberry.mutation(
        resolver=dossier_envoyer_message, description="Envoyer un message à l'usager du dossier."
    )
    dossier_supprimer_message: DossierSupprimerMessagePayload | None = strawberry.mutation(
        resolver=dossier_supprimer_message, description="Supprimer un message."
    )
    dossier_changer_groupe_instructeur: DossierChangerGroupeInstructeurPayload | None = strawberry.mutation(
        resolver=dossier_changer_groupe_instructeur, description="Changer le grope instructeur du dossier."
    )
    dossier_ajouter_label: DossierAjouterLabelPayload | None = strawberry.mutation(
        resolver=dossier_ajouter_label, description="Ajouter un label à un dossier"
    )
    dossier_supprimer_label: DossierSupprimerLabelPayload | None = strawberry.mutation(
        resolver=dossier_supprimer_label, description="Supprimer un label d’un dossier"
    )
    dossier_modifier_annotation_text = _annotation("Text")
    dossier_modifier_annotation_checkbox = _annotation("Checkbox")
    dossier_modifier_annotation_date = _annotation("Date")
    dossier_modifier_annotation_datetime = _annotation("Datetime")
    dossier_modifier_annotation_integer_number = _annotation("IntegerNumber")
    dossier_modifier_annotation_decimal_number = _annotation("DecimalNumber")
    dossier_modifier_annotation_drop_down_list = _annotation("DropDownList")
    dossier_modifier_annotations: DossierModifierAnnotationsPayload | None = strawberry.mutation(
        resolver=dossier_modifier_annotations, description="Modifier les annotations privées."
    )
    groupe_instructeur_creer: GroupeInstructeurCreerPayload | None = strawberry.mutation(
        resolver=groupe_instructeur_creer, description="Crée un groupe instructeur."
    )
    groupe_instructeur_modifier: GroupeInstructeurModifierPayload | None = strawberry.mutation(
        resolver=groupe_instructeur_modifier, description="Modifier un groupe instructeur."
    )
    groupe_instructeur_ajouter_instructeurs: GroupeInstructeurAjouterInstructeursPayload | None = strawberry.mutation(
        resolver=groupe_instructeur_ajouter_instructeurs, description="Ajouter des instructeurs à un groupe instructeur."
    )
    groupe_instructeur_supprimer_instructeurs: GroupeInstructeurSupprimerInstructeursPayload | None = strawberry.mutation(
        resolver=groupe_instructeur_supprimer_instructeurs, description="Supprimer des instructeurs d’un groupe instructeur."
    )
