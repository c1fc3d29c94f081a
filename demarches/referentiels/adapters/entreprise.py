"""Company registry: the établissement behind a SIRET number.

- `hors_ligne`: answers from data/etablissements.json (fictitious établissements with valid numbers).
- `api`: the public « Recherche d'entreprises » API (https://recherche-entreprises.api.gouv.fr),
  no token needed; settings.REFERENTIELS_ENTREPRISE_URL changes the address.
"""

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from ..nomenclatures import forme_juridique_libelle, naf_libelle
from .base import Adapter, JsonHttpClient, register

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "etablissements.json"


@dataclass(frozen=True)
class Etablissement:
    siret: str
    siren: str
    raison_sociale: str
    adresse: str  # street line
    code_postal: str
    commune: str
    code_insee: str = ""
    enseigne: str = ""
    naf: str = ""
    libelle_naf: str = ""
    forme_juridique: str = ""  # code
    libelle_forme_juridique: str = ""
    siege: bool = True
    actif: bool = True
    date_creation: str = ""

    @property
    def adresse_complete(self) -> str:
        return ", ".join(part for part in (self.adresse, f"{self.code_postal} {self.commune}".strip()) if part)

    def as_data(self) -> dict:
        return asdict(self)


class EntrepriseAdapter(Adapter):
    kind = "entreprise"

    def etablissement(self, siret: str) -> Etablissement | None:
        """The établissement, None when the number is unknown; raises ServiceIndisponible."""
        raise NotImplementedError


@lru_cache(maxsize=1)
def _offline_data() -> dict[str, dict]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return {row["siret"]: row for row in json.load(handle)}


@register
class EntrepriseHorsLigne(EntrepriseAdapter):
    id = "hors_ligne"
    label = "Données de démonstration (hors ligne)"

    def etablissement(self, siret):
        row = _offline_data().get(siret)
        if row is None:
            return None
        return Etablissement(
            siret=row["siret"], siren=row["siren"], raison_sociale=row["raison_sociale"], enseigne=row["enseigne"],
            adresse=row["adresse"], code_postal=row["code_postal"], commune=row["commune"], code_insee=row["code_insee"],
            naf=row["naf"], libelle_naf=naf_libelle(row["naf"]), forme_juridique=row["forme_juridique"],
            libelle_forme_juridique=forme_juridique_libelle(row["forme_juridique"]), siege=row["siege"],
            actif=row["etat"] == "A", date_creation=row["date_creation"],
        )


@register
class EntrepriseRechercheEntreprises(EntrepriseAdapter):
    id = "api"
    label = "API Recherche d'entreprises"
    DEFAULT_URL = "https://recherche-entreprises.api.gouv.fr"

    def __init__(self, *, transport=None, timeout=None):
        base_url = getattr(settings, "REFERENTIELS_ENTREPRISE_URL", self.DEFAULT_URL)
        self.client = JsonHttpClient(base_url, transport=transport, timeout=timeout)

    def etablissement(self, siret):
        payload = self.client.get("search", {"q": siret, "page": 1, "per_page": 1})
        for unite in (payload or {}).get("results") or []:
            candidates = list(unite.get("matching_etablissements") or []) + [unite.get("siege") or {}]
            for etab in candidates:
                if etab.get("siret") == siret:
                    return self._etablissement(unite, etab)
        return None

    @staticmethod
    def _etablissement(unite: dict, etab: dict) -> Etablissement:
        naf = etab.get("activite_principale") or unite.get("activite_principale") or ""
        forme = str(unite.get("nature_juridique") or "")
        enseignes = etab.get("liste_enseignes") or []
        adresse = etab.get("adresse") or ""
        code_postal = etab.get("code_postal") or ""
        commune = etab.get("libelle_commune") or ""
        # The API gives the whole address on one line: keep the street part only.
        suffix = f" {code_postal} {commune}".rstrip()
        if code_postal and adresse.upper().endswith(suffix.upper()):
            adresse = adresse[: -len(suffix)].rstrip(" ,")
        return Etablissement(
            siret=etab["siret"], siren=unite.get("siren") or etab["siret"][:9],
            raison_sociale=unite.get("nom_raison_sociale") or unite.get("nom_complet") or "",
            enseigne=enseignes[0] if enseignes else "", adresse=adresse, code_postal=code_postal, commune=commune,
            code_insee=etab.get("commune") or "", naf=naf, libelle_naf=naf_libelle(naf), forme_juridique=forme,
            libelle_forme_juridique=forme_juridique_libelle(forme), siege=bool(etab.get("est_siege")),
            actif=(etab.get("etat_administratif") or "A") == "A", date_creation=etab.get("date_creation") or "",
        )
