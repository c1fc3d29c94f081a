"""Enums and small object types shared by the whole schema (names as in the reference schema)."""

from enum import Enum
from typing import Optional

import strawberry

from .scalars import URL, BigInt, Coordinates, ISO8601Date


@strawberry.enum(description="L'état d'un dossier déposé.")
class DossierState(Enum):
    en_construction = "en_construction"
    en_instruction = "en_instruction"
    accepte = "accepte"
    refuse = "refuse"
    sans_suite = "sans_suite"


@strawberry.enum(description="L'état d'une démarche.")
class DemarcheState(Enum):
    brouillon = "brouillon"
    publiee = "publiee"
    close = "close"
    depubliee = "depubliee"


@strawberry.enum(description="L'état dans lequel arrive un dossier déposé sur une démarche déclarative.")
class DossierDeclarativeState(Enum):
    en_instruction = "en_instruction"
    accepte = "accepte"


@strawberry.enum(description="Le sens du tri.")
class Order(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum(description="La civilité d'une personne.")
class Civilite(Enum):
    M = "M."
    Mme = "Mme"


@strawberry.enum(description="La catégorie de l'organisme en charge d'une démarche.")
class TypeOrganisme(Enum):
    administration_centrale = "administration_centrale"
    association = "association"
    autre = "autre"
    collectivite_territoriale = "collectivite_territoriale"
    etablissement_enseignement = "etablissement_enseignement"
    operateur_d_etat = "operateur_d_etat"
    service_deconcentre_de_l_etat = "service_deconcentre_de_l_etat"


# Every type of champ the reference knows: ours are a subset, the rest keeps client enums valid.
TYPES_DE_CHAMP = (
    "address", "annuaire_education", "carte", "checkbox", "civilite", "cnaf", "communes", "date", "datetime",
    "decimal_number", "departements", "dgfip", "dossier_link", "drop_down_list", "email", "explication",
    "header_section", "iban", "integer_number", "linked_drop_down_list", "mesri", "multiple_drop_down_list",
    "number", "pays", "phone", "piece_justificative", "pole_emploi", "regions", "repetition", "rna", "siret",
    "text", "textarea", "titre_identite", "yes_no",
)
TypeDeChamp = strawberry.enum(
    Enum("TypeDeChamp", {key: key for key in TYPES_DE_CHAMP}), description="Le type d'un champ de formulaire."
)


@strawberry.enum(description="L'origine d'une zone géographique.")
class GeoAreaSource(Enum):
    cadastre = "cadastre"
    selection_utilisateur = "selection_utilisateur"


@strawberry.enum(description="La précision d'une adresse trouvée.")
class AddressType(Enum):
    housenumber = "housenumber"
    locality = "locality"
    municipality = "municipality"
    street = "street"


@strawberry.enum(description="L'état administratif d'une entreprise.")
class EntrepriseEtatAdministratif(Enum):
    Actif = "Actif"
    Ferme = "Ferme"


@strawberry.type(description="Une personne : usager, instructeur ou expert.")
class Profile:
    id: strawberry.ID
    email: str


@strawberry.type(description="Un fichier, téléchargeable par un lien signé valable une heure.")
class File:
    filename: str
    content_type: str
    checksum: str
    byte_size_big_int: BigInt
    url: URL

    @strawberry.field(deprecation_reason="Utilisez `byteSizeBigInt`, qui ne déborde pas au-delà de 2 Go.")
    def byte_size(self) -> int:
        return min(int(self.byte_size_big_int), 2**31 - 1)


@strawberry.type(description="Une erreur qui empêche l'opération demandée.")
class ValidationError:
    message: str


@strawberry.type(description="Où en est la pagination d'une liste.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: Optional[str]
    end_cursor: Optional[str]


@strawberry.type(description="Le service en charge d'une démarche.")
class Service:
    id: strawberry.ID
    nom: str
    organisme: str
    siret: Optional[str]
    type_organisme: TypeOrganisme


@strawberry.type(description="Une géométrie GeoJSON.")
class GeoJSON:
    type: str
    coordinates: Coordinates


@strawberry.type(description="Une adresse postale normalisée.")
class Address:
    label: str
    type: AddressType
    street_address: Optional[str]
    street_number: Optional[str]
    street_name: Optional[str]
    postal_code: str
    city_name: str
    city_code: str
    department_name: Optional[str]
    department_code: Optional[str]
    region_name: Optional[str]
    region_code: Optional[str]
    geometry: Optional[GeoJSON]


@strawberry.type(description="Un effectif salarié sur une période.")
class Effectif:
    periode: str
    nb: float


@strawberry.type(description="Une entreprise du répertoire SIRENE.")
class Entreprise:
    siren: str
    capital_social: Optional[BigInt]
    numero_tva_intracommunautaire: Optional[str]
    forme_juridique: Optional[str]
    forme_juridique_code: Optional[str]
    nom_commercial: str
    raison_sociale: str
    siret_siege_social: str
    code_effectif_entreprise: Optional[str]
    effectif_mensuel: Optional[Effectif]
    effectif_annuel: Optional[Effectif]
    date_creation: Optional[ISO8601Date]
    etat_administratif: Optional[EntrepriseEtatAdministratif]
    nom: Optional[str]
    prenom: Optional[str]
    inline_adresse: str
    attestation_sociale_attachment: Optional[File]
    attestation_fiscale_attachment: Optional[File]


@strawberry.type(description="Une association du répertoire national des associations.")
class Association:
    rna: str
    titre: str
    objet: Optional[str]
    date_creation: Optional[ISO8601Date]
    date_declaration: Optional[ISO8601Date]
    date_publication: Optional[ISO8601Date]
