"""Who filed the dossier: a person (PersonnePhysique) or an organisation (PersonneMorale)."""

import datetime
from typing import Optional

import strawberry

from .common import Address, AddressType, Association, Civilite, Entreprise, EntrepriseEtatAdministratif
from .ids import global_id
from .scalars import ISO8601Date


@strawberry.interface(description="Le demandeur d'un dossier.")
class Demandeur:
    id: strawberry.ID


@strawberry.type(description="Un demandeur particulier.")
class PersonnePhysique(Demandeur):
    civilite: Optional[Civilite]
    nom: str
    prenom: str
    date_de_naissance: Optional[ISO8601Date]


@strawberry.type(description="Un demandeur personne morale, identifié par le SIRET de son établissement.")
class PersonneMorale(Demandeur):
    siret: str
    siege_social: bool
    naf: str
    libelle_naf: str
    address: Address
    entreprise: Optional[Entreprise]
    association: Optional[Association]
    adresse: str = strawberry.field(deprecation_reason="Utilisez `address.label`.")
    code_insee_localite: str = strawberry.field(deprecation_reason="Utilisez `address.cityCode`.")
    code_postal: str = strawberry.field(deprecation_reason="Utilisez `address.postalCode`.")
    complement_adresse: Optional[str] = strawberry.field(deprecation_reason="Utilisez `address`.")
    localite: str = strawberry.field(deprecation_reason="Utilisez `address.cityName`.")
    nom_voie: Optional[str] = strawberry.field(deprecation_reason="Utilisez `address.streetName`.")
    numero_voie: Optional[str] = strawberry.field(deprecation_reason="Utilisez `address.streetNumber`.")
    type_voie: Optional[str] = strawberry.field(deprecation_reason="Utilisez `address.streetAddress`.")


def _date(text) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


def personne_morale(etablissement: dict) -> PersonneMorale:
    """A PersonneMorale from the établissement data a SIRET champ keeps (see fields/types/siret.py)."""
    get = etablissement.get
    siret = get("siret") or ""
    rue, code_postal, commune, code_insee = get("adresse") or "", get("code_postal") or "", get("commune") or "", get("code_insee") or ""
    ligne = ", ".join(part for part in (rue, f"{code_postal} {commune}".strip()) if part)
    address = Address(
        label=ligne, type=AddressType.housenumber, street_address=rue or None, street_number=None, street_name=rue or None,
        postal_code=code_postal, city_name=commune, city_code=code_insee, department_name=None, department_code=None,
        region_name=None, region_code=None, geometry=None,
    )
    entreprise = Entreprise(
        siren=get("siren") or siret[:9], capital_social=None, numero_tva_intracommunautaire=None,
        forme_juridique=get("libelle_forme_juridique") or None, forme_juridique_code=get("forme_juridique") or None,
        nom_commercial=get("enseigne") or "", raison_sociale=get("raison_sociale") or "",
        siret_siege_social=siret if get("siege", True) else "", code_effectif_entreprise=None, effectif_mensuel=None,
        effectif_annuel=None, date_creation=_date(get("date_creation")),
        etat_administratif=EntrepriseEtatAdministratif.Actif if get("actif", True) else EntrepriseEtatAdministratif.Ferme,
        nom=None, prenom=None, inline_adresse=ligne, attestation_sociale_attachment=None, attestation_fiscale_attachment=None,
    )
    return PersonneMorale(
        id=global_id("Etablissement", siret), siret=siret, siege_social=bool(get("siege", True)), naf=get("naf") or "",
        libelle_naf=get("libelle_naf") or "", address=address, entreprise=entreprise, association=None,
        adresse=ligne, code_insee_localite=code_insee, code_postal=code_postal, complement_adresse=None, localite=commune,
        nom_voie=rue or None, numero_voie=None, type_voie=None,
    )
