"""The entry points of the API: a démarche, a dossier, a groupe instructeur, a démarche's description."""

from typing import Optional

import strawberry

from demarches.dossiers.models import Dossier as DossierModel
from demarches.procedures.models import GroupeInstructeur as GroupeInstructeurModel
from demarches.procedures.models import Procedure

from .dossiers import Dossier
from .errors import BadRequest, NotFound, Unauthorized
from .ids import decode_pk
from .pagination import SELECT_RELATED
from .procedures import Demarche, DemarcheDescriptor, FindDemarcheInput, GroupeInstructeurWithDossiers


def procedure_lisible(info, pk: Optional[int]) -> Procedure:
    procedure = (
        Procedure.objects.select_related("service", "draft_revision", "published_revision").filter(pk=pk).first()
        if pk is not None else None
    )
    if procedure is None:
        raise NotFound("Démarche introuvable.")
    if not info.context.can_read_procedure(procedure.pk):
        raise Unauthorized("Ce jeton ne donne pas accès à cette démarche.")
    return procedure


def dossier_lisible(info, pk: Optional[int]) -> DossierModel:
    dossier = (
        DossierModel.objects.select_related(*SELECT_RELATED).exclude(state=DossierModel.State.BROUILLON)
        .filter(suppression_administration__isnull=True).filter(pk=pk).first()
        if pk is not None else None
    )
    if dossier is None:
        raise NotFound("Dossier introuvable.")
    if not info.context.can_read_procedure(dossier.procedure_id):
        raise Unauthorized("Ce jeton ne donne pas accès à ce dossier.")
    info.context.batch.prime([dossier])
    return dossier


@strawberry.type
class Query:
    @strawberry.field(description="Une démarche, avec ses dossiers.")
    def demarche(self, info: strawberry.Info, number: int) -> Demarche:
        return Demarche(m=procedure_lisible(info, number))

    @strawberry.field(description="Un dossier.")
    def dossier(self, info: strawberry.Info, number: int) -> Dossier:
        return Dossier(m=dossier_lisible(info, number))

    @strawberry.field(description="Un groupe d'instructeurs, avec ses dossiers.")
    def groupe_instructeur(self, info: strawberry.Info, number: int) -> GroupeInstructeurWithDossiers:
        groupe = GroupeInstructeurModel.objects.filter(pk=number).first()
        if groupe is None:
            raise NotFound("Groupe instructeur introuvable.")
        if not info.context.can_read_procedure(groupe.procedure_id):
            raise Unauthorized("Ce jeton ne donne pas accès à ce groupe instructeur.")
        return GroupeInstructeurWithDossiers(m=groupe)

    @strawberry.field(description="La description d'une démarche, sans ses dossiers.")
    def demarche_descriptor(self, info: strawberry.Info, demarche: FindDemarcheInput) -> Optional[DemarcheDescriptor]:
        if demarche.number is not strawberry.UNSET and demarche.number is not None:
            pk = demarche.number
        elif demarche.id is not strawberry.UNSET and demarche.id is not None:
            pk = decode_pk(demarche.id, "Procedure")
            if pk is None:
                raise BadRequest(f"Identifiant de démarche invalide : « {demarche.id} ».")
        else:
            raise BadRequest("Indiquez le numéro ou l'identifiant de la démarche.")
        procedure = procedure_lisible(info, pk)
        return DemarcheDescriptor(m=procedure, revision_model=procedure.active_revision)
