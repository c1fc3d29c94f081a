"""Démarches, their descriptors and their groupes instructeurs."""

from typing import Annotated, Optional

import strawberry

from demarches.dossiers.models import Dossier as DossierModel

from .champs import ChampDescriptor, Revision, descriptors
from .common import DemarcheState, DossierDeclarativeState, DossierState, Order, Profile, Service, TypeOrganisme
from .dossiers import DossierConnection, profile_of_instructeur
from .ids import global_id
from .pagination import filtrer, paginer
from .scalars import ISO8601DateTime


def service_of(procedure) -> Optional[Service]:
    service = procedure.service
    if service is None:
        return None
    return Service(
        id=global_id("Service", service.pk), nom=service.nom, organisme=service.organisme, siret=None,
        type_organisme=TypeOrganisme.autre,
    )


def dossiers_de(info, queryset, *, first, last, after, before, order, state, archived, created_since,
                updated_since, revision, min_revision, max_revision) -> DossierConnection:
    first, last, after, before, order, state, archived, created_since, updated_since, revision, min_revision, max_revision = (
        None if value is strawberry.UNSET else value
        for value in (first, last, after, before, order, state, archived, created_since, updated_since, revision,
                      min_revision, max_revision)
    )
    from .deleted_dossiers import HIDDEN_FOR_ADMINISTRATION

    queryset = filtrer(
        queryset.exclude(state=DossierModel.State.BROUILLON).exclude(HIDDEN_FOR_ADMINISTRATION), state=state,
        archived=archived,
        created_since=created_since, updated_since=updated_since, revision=revision, min_revision=min_revision,
        max_revision=max_revision,
    )
    return paginer(
        info, queryset, first=first, last=last, after=after, before=before,
        order=order or Order.ASC, by_updated_at=updated_since is not None,
    )


@strawberry.type(description="Un groupe d'instructeurs d'une démarche.")
class GroupeInstructeur:
    m: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("GroupeInstructeur", self.m.pk)

    @strawberry.field(description="Le numéro du groupe.")
    def number(self) -> int:
        return self.m.pk

    @strawberry.field(description="Le nom du groupe.")
    def label(self) -> str:
        return self.m.label

    @strawberry.field(description="Le groupe est-il fermé au routage ?")
    def closed(self) -> bool:
        return self.m.closed

    @strawberry.field
    def instructeurs(self, info: strawberry.Info) -> list[Profile]:
        return [profile_of_instructeur(instructeur) for instructeur in info.context.batch.instructeurs(self.m.pk)]


@strawberry.type(description="Un groupe d'instructeurs, avec ses dossiers.")
class GroupeInstructeurWithDossiers(GroupeInstructeur):
    @strawberry.field(description="Les dossiers du groupe, page par page.")
    def dossiers(
        self,
        info: strawberry.Info,
        after: Optional[str] = strawberry.UNSET,
        before: Optional[str] = strawberry.UNSET,
        first: Optional[int] = strawberry.UNSET,
        last: Optional[int] = strawberry.UNSET,
        order: Optional[Order] = Order.ASC,
        state: Optional[DossierState] = strawberry.UNSET,
        archived: Optional[bool] = strawberry.UNSET,
        created_since: Optional[ISO8601DateTime] = strawberry.UNSET,
        updated_since: Optional[ISO8601DateTime] = strawberry.UNSET,
        revision: Optional[strawberry.ID] = strawberry.UNSET,
        min_revision: Optional[strawberry.ID] = strawberry.UNSET,
        max_revision: Optional[strawberry.ID] = strawberry.UNSET,
    ) -> DossierConnection:
        return dossiers_de(
            info, DossierModel.objects.filter(groupe_instructeur=self.m), first=first, last=last, after=after,
            before=before, order=order, state=state, archived=archived, created_since=created_since,
            updated_since=updated_since, revision=revision, min_revision=min_revision, max_revision=max_revision,
        )

    @strawberry.field(description="Liste de tous les dossiers supprimés d’un groupe instructeur.")
    def deleted_dossiers(
        self,
        after: Optional[str] = strawberry.UNSET,
        before: Optional[str] = strawberry.UNSET,
        first: Optional[int] = strawberry.UNSET,
        last: Optional[int] = strawberry.UNSET,
        order: Optional[Order] = Order.ASC,
        deleted_since: Optional[ISO8601DateTime] = strawberry.UNSET,
    ) -> Annotated["DeletedDossierConnection", strawberry.lazy(".deleted_dossiers")]:
        from . import deleted_dossiers

        return deleted_dossiers.paginer(
            deleted_dossiers.supprimes(groupe_instructeur_id=self.m.pk), first=first, last=last, after=after,
            before=before, order=order, deleted_since=deleted_since,
        )

    @strawberry.field(description="Liste de tous les dossiers en attente de suppression définitive d’un groupe instructeur.")
    def pending_deleted_dossiers(
        self,
        after: Optional[str] = strawberry.UNSET,
        before: Optional[str] = strawberry.UNSET,
        first: Optional[int] = strawberry.UNSET,
        last: Optional[int] = strawberry.UNSET,
        order: Optional[Order] = Order.ASC,
        deleted_since: Optional[ISO8601DateTime] = strawberry.UNSET,
    ) -> Annotated["DeletedDossierConnection", strawberry.lazy(".deleted_dossiers")]:
        from . import deleted_dossiers

        return deleted_dossiers.paginer(
            deleted_dossiers.en_attente(groupe_instructeur_id=self.m.pk), first=first, last=last, after=after, before=before,
            order=order, deleted_since=deleted_since,
        )


@strawberry.type(name="DemarcheFields")
class _DemarcheFields:
    """Fields shared by Demarche and DemarcheDescriptor (never exposed by itself)."""

    m: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Procedure", self.m.pk)

    @strawberry.field(description="Le numéro de la démarche.")
    def number(self) -> int:
        return self.m.pk

    @strawberry.field(description="Le titre de la démarche.")
    def title(self) -> str:
        return self.m.libelle

    @strawberry.field(description="La description de la démarche.")
    def description(self) -> str:
        return self.m.description

    @strawberry.field(description="L'état de la démarche.")
    def state(self) -> DemarcheState:
        return DemarcheState(self.m.state)

    @strawberry.field(description="L'état des dossiers déposés, pour une démarche déclarative.")
    def declarative(self) -> Optional[DossierDeclarativeState]:
        return DossierDeclarativeState(self.m.declarative_with_state) if self.m.declarative_with_state else None

    @strawberry.field(description="Date de la création.")
    def date_creation(self) -> ISO8601DateTime:
        return self.m.created_at

    @strawberry.field(description="Date de la publication.")
    def date_publication(self) -> Optional[ISO8601DateTime]:
        return self.m.published_at

    @strawberry.field(description="Date de la dernière modification.")
    def date_derniere_modification(self) -> ISO8601DateTime:
        return self.m.updated_at

    @strawberry.field(description="Date de la dépublication.")
    def date_depublication(self) -> Optional[ISO8601DateTime]:
        return None

    @strawberry.field(description="Date de la clôture.")
    def date_fermeture(self) -> Optional[ISO8601DateTime]:
        return self.m.closed_at

    @strawberry.field
    def service(self) -> Optional[Service]:
        return service_of(self.m)


@strawberry.type(description="Une démarche, sans ses dossiers.")
class DemarcheDescriptor(_DemarcheFields):
    revision_model: strawberry.Private[object]

    @strawberry.field(description="La version du formulaire.")
    def revision(self) -> Revision:
        return Revision(m=self.revision_model)

    @strawberry.field
    def cadre_juridique(self) -> Optional[str]:
        return None

    @strawberry.field
    def deliberation(self) -> Optional[str]:
        return None


@strawberry.type(description="Une démarche.")
class Demarche(_DemarcheFields):
    @strawberry.field(description="La version du formulaire suivie par les nouveaux dossiers.")
    def active_revision(self) -> Revision:
        return Revision(m=self.m.active_revision)

    @strawberry.field(description="La version du formulaire en cours de modification.")
    def draft_revision(self) -> Revision:
        return Revision(m=self.m.draft_revision)

    @strawberry.field(description="La version publiée du formulaire.")
    def published_revision(self) -> Optional[Revision]:
        return Revision(m=self.m.published_revision) if self.m.published_revision_id else None

    @strawberry.field(description="Toutes les versions du formulaire, de la plus ancienne à la plus récente.")
    def revisions(self, info: strawberry.Info) -> list[Revision]:
        revisions = list(self.m.revisions.order_by("created_at", "id"))
        info.context.batch.prime_revisions(revision.pk for revision in revisions)
        return [Revision(m=revision) for revision in revisions]

    @strawberry.field(deprecation_reason="Utilisez `activeRevision.champDescriptors`.")
    def champ_descriptors(self, info: strawberry.Info) -> list[ChampDescriptor]:
        return descriptors(info.context.batch.types_de_champ(self.m.active_revision.pk).public)

    @strawberry.field(deprecation_reason="Utilisez `activeRevision.annotationDescriptors`.")
    def annotation_descriptors(self, info: strawberry.Info) -> list[ChampDescriptor]:
        return descriptors(info.context.batch.types_de_champ(self.m.active_revision.pk).private)

    @strawberry.field
    def groupe_instructeurs(self, info: strawberry.Info, closed: Optional[bool] = strawberry.UNSET) -> list[GroupeInstructeur]:
        groupes = self.m.groupes_instructeurs.order_by("id")
        if closed is not strawberry.UNSET and closed is not None:
            groupes = groupes.filter(closed=closed)
        groupes = list(groupes)
        info.context.batch.prime_groupes(groupe.pk for groupe in groupes)
        return [GroupeInstructeur(m=groupe) for groupe in groupes]

    @strawberry.field(description="Les dossiers déposés sur la démarche, page par page.")
    def dossiers(
        self,
        info: strawberry.Info,
        after: Optional[str] = strawberry.UNSET,
        before: Optional[str] = strawberry.UNSET,
        first: Optional[int] = strawberry.UNSET,
        last: Optional[int] = strawberry.UNSET,
        order: Optional[Order] = Order.ASC,
        state: Optional[DossierState] = strawberry.UNSET,
        archived: Optional[bool] = strawberry.UNSET,
        created_since: Optional[ISO8601DateTime] = strawberry.UNSET,
        updated_since: Optional[ISO8601DateTime] = strawberry.UNSET,
        revision: Optional[strawberry.ID] = strawberry.UNSET,
        min_revision: Optional[strawberry.ID] = strawberry.UNSET,
        max_revision: Optional[strawberry.ID] = strawberry.UNSET,
    ) -> DossierConnection:
        info.context.batch.remember_procedure(self.m)
        return dossiers_de(
            info, DossierModel.objects.filter(procedure=self.m), first=first, last=last, after=after, before=before,
            order=order, state=state, archived=archived, created_since=created_since, updated_since=updated_since,
            revision=revision, min_revision=min_revision, max_revision=max_revision,
        )

    @strawberry.field(description="Liste de tous les dossiers supprimés d’une démarche.")
    def deleted_dossiers(
        self,
        after: Optional[str] = strawberry.UNSET,
        before: Optional[str] = strawberry.UNSET,
        first: Optional[int] = strawberry.UNSET,
        last: Optional[int] = strawberry.UNSET,
        order: Optional[Order] = Order.ASC,
        deleted_since: Optional[ISO8601DateTime] = strawberry.UNSET,
    ) -> Annotated["DeletedDossierConnection", strawberry.lazy(".deleted_dossiers")]:
        from . import deleted_dossiers

        return deleted_dossiers.paginer(
            deleted_dossiers.supprimes(procedure_id=self.m.pk), first=first, last=last, after=after, before=before,
            order=order, deleted_since=deleted_since,
        )

    @strawberry.field(description="Liste de tous les dossiers en attente de suppression définitive d’une démarche.")
    def pending_deleted_dossiers(
        self,
        after: Optional[str] = strawberry.UNSET,
        before: Optional[str] = strawberry.UNSET,
        first: Optional[int] = strawberry.UNSET,
        last: Optional[int] = strawberry.UNSET,
        order: Optional[Order] = Order.ASC,
        deleted_since: Optional[ISO8601DateTime] = strawberry.UNSET,
    ) -> Annotated["DeletedDossierConnection", strawberry.lazy(".deleted_dossiers")]:
        from . import deleted_dossiers

        return deleted_dossiers.paginer(
            deleted_dossiers.en_attente(procedure_id=self.m.pk), first=first, last=last, after=after, before=before,
            order=order, deleted_since=deleted_since,
        )


@strawberry.input(one_of=True, description="Une démarche, désignée par son numéro ou par son identifiant.")
class FindDemarcheInput:
    id: Optional[strawberry.ID] = strawberry.UNSET
    number: Optional[int] = strawberry.UNSET
