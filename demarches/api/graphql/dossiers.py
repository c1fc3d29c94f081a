"""The Dossier type and what hangs off it: demandeur, messages, avis, traitements, champs."""

from typing import TYPE_CHECKING, Annotated, Optional

import strawberry

from .. import files
from .champs import Build, Champ, Revision, build_champ
from .common import Civilite, DossierState, File, PageInfo, Profile
from .demandeurs import Demandeur, PersonnePhysique, personne_morale
from .ids import decode_global_id, global_id
from .labels import Label
from .scalars import ISO8601DateTime

if TYPE_CHECKING:
    from .procedures import DemarcheDescriptor, GroupeInstructeur

DELETED_PROFILE_ID = "<supprimé>"


def profile_of_user(user) -> Profile:
    return Profile(id=global_id("User", user.pk), email=user.email)


def profile_of_instructeur(instructeur) -> Profile:
    if instructeur is None:
        return Profile(id=DELETED_PROFILE_ID, email="")
    return Profile(id=global_id("Instructeur", instructeur.pk), email=instructeur.user.email)


def profile_of_expert(expert) -> Profile:
    return Profile(id=global_id("Expert", expert.pk), email=expert.user.email)


@strawberry.type(description="Un message de la messagerie du dossier.")
class Message:
    m: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Commentaire", self.m.pk)

    @strawberry.field(description="L'adresse électronique de l'expéditeur.")
    def email(self) -> str:
        return self.m.email

    @strawberry.field
    def body(self) -> str:
        return self.m.body

    @strawberry.field
    def created_at(self) -> ISO8601DateTime:
        return self.m.created_at

    @strawberry.field(description="Date de suppression du message par son auteur.")
    def discarded_at(self) -> Optional[ISO8601DateTime]:
        return self.m.discarded_at

    @strawberry.field
    def attachment(self) -> Optional[File]:
        if not self.m.piece_jointe:
            return None
        return File(
            filename=self.m.piece_jointe_filename or self.m.piece_jointe.name.rsplit("/", 1)[-1],
            content_type="application/octet-stream",
            checksum="",
            byte_size_big_int=0,
            url=files.signed_url("message", self.m.pk),
        )


@strawberry.type(description="Un avis demandé à un expert.")
class Avis:
    m: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Avis", self.m.pk)

    @strawberry.field
    def question(self) -> str:
        return self.m.introduction

    @strawberry.field(description="La question fermée posée à l'expert, s'il y en a une.")
    def question_label(self) -> Optional[str]:
        return self.m.question_label or None

    @strawberry.field(description="La réponse de l'expert à la question fermée (oui ou non).")
    def question_answer(self) -> Optional[bool]:
        return self.m.question_answer

    @strawberry.field
    def reponse(self) -> Optional[str]:
        return self.m.answer or None

    @strawberry.field
    def date_question(self) -> ISO8601DateTime:
        return self.m.created_at

    @strawberry.field
    def date_reponse(self) -> Optional[ISO8601DateTime]:
        return self.m.answered_at

    @strawberry.field
    def expert(self) -> Optional[Profile]:
        return profile_of_expert(self.m.expert)

    @strawberry.field(description="L'instructeur qui a demandé l'avis.")
    def claimant(self) -> Optional[Profile]:
        return profile_of_instructeur(self.m.claimant) if self.m.claimant_id else None

    @strawberry.field(deprecation_reason="Utilisez `claimant`.")
    def instructeur(self) -> Profile:
        return profile_of_instructeur(self.m.claimant if self.m.claimant_id else None)

    @strawberry.field
    def attachment(self) -> Optional[File]:
        document = self.m.piece_justificative
        if not document:
            return None
        return File(
            filename=document.name.rsplit("/", 1)[-1],
            content_type="application/octet-stream",
            checksum="",
            byte_size_big_int=0,
            url=files.signed_url("avis", self.m.pk),
        )


@strawberry.type(description="Un changement d'état du dossier.")
class Traitement:
    m: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Traitement", self.m.pk)

    @strawberry.field
    def state(self) -> DossierState:
        return DossierState(self.m.state)

    @strawberry.field
    def date_traitement(self) -> ISO8601DateTime:
        return self.m.processed_at

    @strawberry.field
    def email_agent_traitant(self) -> Optional[str]:
        return self.m.instructeur_email or None

    @strawberry.field
    def motivation(self) -> Optional[str]:
        return self.m.motivation or None


def _champs(info, dossier, *, private: bool, champ_id: Optional[str]) -> list[Champ]:
    context = info.context
    batch = context.batch
    schema = batch.types_de_champ(dossier.revision_id)
    build = Build(
        dossier=dossier, rows=batch.champs(dossier, updated_at=context.selects(info, "updatedAt")), schema=schema, batch=batch,
        datetime_champ=context.has_fragment(info, "DatetimeChamp"), yes_no_champ=context.has_fragment(info, "YesNoChamp"),
    )
    types_de_champ = schema.private if private else schema.public
    if champ_id:
        decoded = decode_global_id(champ_id)
        wanted = decoded[1].split("|", 1)[0] if decoded and decoded[0] == "Champ" else ""
        types_de_champ = [tdc for tdc in types_de_champ if str(tdc.stable_id) == wanted]
    return [build_champ(tdc, build) for tdc in types_de_champ]


DOCUMENT_CONTENT_TYPES = {"pdf": "application/pdf", "geojson": "application/json"}


def _document(info, kind: str, dossier_pk: int) -> File:
    """A document made from the dossier when downloaded: its size and checksum are not known yet (0 and
    "", as in the reference); the link names the token that asked, checked again at download."""
    reader = files.reader_of(info.context)
    return File(
        filename=files.document_filename(kind, dossier_pk),
        content_type=DOCUMENT_CONTENT_TYPES[kind],
        checksum="",
        byte_size_big_int=0,
        url=files.signed_document_url(kind, dossier_pk, reader),
    )


def _by_id(items, wanted: Optional[str], type_name: str):
    if not wanted:
        return items
    decoded = decode_global_id(wanted)
    if decoded is None or decoded[0] != type_name:
        return []
    return [item for item in items if str(item.pk) == decoded[1]]


@strawberry.type(description="Un dossier déposé sur une démarche.")
class Dossier:
    m: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Dossier", self.m.pk)

    @strawberry.field(description="Le numéro du dossier.")
    def number(self) -> int:
        return self.m.pk

    @strawberry.field(description="L'état du dossier.")
    def state(self) -> DossierState:
        return DossierState(self.m.state)

    @strawberry.field
    def archived(self) -> bool:
        return self.m.archived

    @strawberry.field(description="Date du dépôt.")
    def date_depot(self) -> ISO8601DateTime:
        return self.m.depose_at or self.m.created_at

    @strawberry.field(description="Date du dernier passage en construction.")
    def date_passage_en_construction(self) -> ISO8601DateTime:
        return self.m.en_construction_at or self.m.depose_at or self.m.created_at

    @strawberry.field(description="Date du dernier passage en instruction.")
    def date_passage_en_instruction(self) -> Optional[ISO8601DateTime]:
        return self.m.en_instruction_at

    @strawberry.field(description="Date de la décision.")
    def date_traitement(self) -> Optional[ISO8601DateTime]:
        return self.m.processed_at

    @strawberry.field(description="Date de la dernière modification.")
    def date_derniere_modification(self) -> ISO8601DateTime:
        return self.m.updated_at

    @strawberry.field(description="Date à laquelle le dossier sera supprimé s'il n'est pas instruit.")
    def date_expiration(self) -> Optional[ISO8601DateTime]:
        return None if self.m.state == "en_instruction" else self.m.expire_at

    @strawberry.field(description="Date de la dernière modification des champs par l'usager.")
    def date_derniere_modification_champs(self) -> ISO8601DateTime:
        return self.m.last_champ_updated_at or self.m.created_at

    @strawberry.field(description="Date de la mise à la corbeille par l'usager.")
    def date_suppression_par_usager(self) -> Optional[ISO8601DateTime]:
        return self.m.hidden_by_user_at

    @strawberry.field
    def date_suppression_par_administration(self) -> Optional[ISO8601DateTime]:
        return None

    @strawberry.field(description="Le dossier a-t-il été prérempli (lien ou API de préremplissage) ?")
    def prefilled(self) -> bool:
        return self.m.prefilled

    @strawberry.field(description="La motivation de la décision.")
    def motivation(self) -> Optional[str]:
        return self.m.motivation or None

    @strawberry.field(description="Le justificatif joint à la décision.")
    def motivation_attachment(self) -> Optional[File]:
        if not self.m.justificatif_motivation:
            return None
        return File(
            filename=self.m.justificatif_motivation.name.rsplit("/", 1)[-1],
            content_type="application/octet-stream",
            checksum="",
            byte_size_big_int=0,
            url=files.signed_url("motivation", self.m.pk),
        )

    @strawberry.field(description="L'attestation délivrée avec la décision, quand la démarche en produit une.")
    def attestation(self, info: strawberry.Info) -> Optional[File]:
        attestations = info.context.batch.attestations(self.m)
        if not attestations:
            return None
        document = attestations[0].file
        return File(
            filename=document.name.rsplit("/", 1)[-1],
            content_type="application/pdf",
            checksum="",
            byte_size_big_int=0,
            url=files.signed_url("attestation", attestations[0].pk),
        )

    @strawberry.field(description="L’URL du dossier au format PDF (formulaire, annotations privées, avis, historique).")
    def pdf(self, info: strawberry.Info) -> Optional[File]:
        return _document(info, "pdf", self.m.pk)

    @strawberry.field(description="L’URL du GeoJSON contenant les données cartographiques du dossier.")
    def geojson(self, info: strawberry.Info) -> Optional[File]:
        return _document(info, "geojson", self.m.pk)

    @strawberry.field(description="Le compte de l'usager qui a déposé le dossier.")
    def usager(self) -> Profile:
        return profile_of_user(self.m.user)

    @strawberry.field
    def demandeur(self) -> Demandeur:
        if self.m.siret:
            return personne_morale(self.m.etablissement_data or {"siret": self.m.siret})
        civilite = next((member for member in Civilite if member.value == self.m.civilite), None)
        return PersonnePhysique(
            id=global_id("Individual", self.m.pk), civilite=civilite, nom=self.m.nom, prenom=self.m.prenom,
            date_de_naissance=self.m.date_naissance,
        )

    @strawberry.field
    def groupe_instructeur(self) -> Annotated["GroupeInstructeur", strawberry.lazy(".procedures")]:
        from .procedures import GroupeInstructeur

        return GroupeInstructeur(m=self.m.groupe_instructeur)

    @strawberry.field(description="La démarche du dossier, dans la version de son formulaire.")
    def demarche(self) -> Annotated["DemarcheDescriptor", strawberry.lazy(".procedures")]:
        from .procedures import DemarcheDescriptor

        return DemarcheDescriptor(m=self.m.procedure, revision_model=self.m.revision)

    @strawberry.field(deprecation_reason="Utilisez `demarche.revision`.")
    def revision(self) -> Revision:
        return Revision(m=self.m.revision)

    @strawberry.field(description="Les instructeurs qui suivent le dossier.")
    def instructeurs(self, info: strawberry.Info) -> list[Profile]:
        return [profile_of_instructeur(instructeur) for instructeur in info.context.batch.followers(self.m)]

    @strawberry.field
    def traitements(self, info: strawberry.Info) -> list[Traitement]:
        return [Traitement(m=traitement) for traitement in info.context.batch.traitements(self.m)]

    @strawberry.field
    def messages(self, info: strawberry.Info, id: Optional[strawberry.ID] = strawberry.UNSET) -> list[Message]:
        return [Message(m=message) for message in _by_id(info.context.batch.messages(self.m), id, "Commentaire")]

    @strawberry.field
    def avis(self, info: strawberry.Info, id: Optional[strawberry.ID] = strawberry.UNSET) -> list[Avis]:
        return [Avis(m=avis) for avis in _by_id(info.context.batch.avis(self.m), id, "Avis")]

    @strawberry.field(description="Les labels posés sur le dossier par les instructeurs.")
    def labels(self, info: strawberry.Info) -> list[Label]:
        return [Label(m=label) for label in info.context.batch.labels(self.m)]

    @strawberry.field(description="Les champs du formulaire, remplis par l'usager.")
    def champs(self, info: strawberry.Info, id: Optional[strawberry.ID] = strawberry.UNSET) -> list[Champ]:
        return _champs(info, self.m, private=False, champ_id=id)

    @strawberry.field(description="Les annotations privées, remplies par les instructeurs.")
    def annotations(self, info: strawberry.Info, id: Optional[strawberry.ID] = strawberry.UNSET) -> list[Champ]:
        return _champs(info, self.m, private=True, champ_id=id)


@strawberry.type(description="Un dossier dans une liste paginée.")
class DossierEdge:
    cursor: str
    node: Optional[Dossier]


@strawberry.type(description="Une page de dossiers.")
class DossierConnection:
    edges: Optional[list[Optional[DossierEdge]]]
    nodes: Optional[list[Optional[Dossier]]]
    page_info: PageInfo
