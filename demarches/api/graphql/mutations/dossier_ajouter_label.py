from typing import Optional

import strawberry

from demarches.instruction import services as instruction_services
from demarches.instruction.models import DossierLabel
from demarches.instruction.models import Label as LabelModel

from ..common import ValidationError
from ..dossiers import Dossier
from ..errors import NotFound
from ..ids import decode_pk
from ..labels import Label
from .base import Refused, dossier_modifiable, instructeur_du_jeton, run


@strawberry.input
class DossierAjouterLabelInput:
    dossier_id: strawberry.ID
    label_id: strawberry.ID = strawberry.field(description="ID du label")
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class DossierAjouterLabelPayload:
    dossier: Optional[Dossier]
    label: Optional[Label]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def dossier_ajouter_label(info: strawberry.Info, input: DossierAjouterLabelInput) -> Optional[DossierAjouterLabelPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)
    pk = decode_pk(input.label_id, "Label")
    label = LabelModel.objects.filter(pk=pk, procedure_id=dossier.procedure_id).first() if pk is not None else None
    if label is None:
        raise NotFound("Label introuvable sur la démarche de ce dossier.")

    def action():
        instructeur = instructeur_du_jeton(info, dossier)
        current = set(DossierLabel.objects.filter(dossier=dossier).values_list("label_id", flat=True))
        if label.pk in current:
            raise Refused(f"Le dossier porte déjà le label « {label.name} ».")
        current.add(label.pk)
        instruction_services.dossier_labels_definir(dossier=dossier, instructeur=instructeur, label_ids=sorted(current))
        return dossier

    result, errors = run(action)
    return DossierAjouterLabelPayload(
        dossier=Dossier(m=result) if result else None, label=Label(m=label) if result else None, errors=errors,
        client_mutation_id=input.client_mutation_id or None,
    )
