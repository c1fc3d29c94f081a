"""Répertoire national des associations (RNA): the association behind a « W » number.

- `hors_ligne`: answers from data/associations.json (fictitious associations).
- `api`: the public « Recherche d'entreprises » API, which indexes associations by their RNA
  number (complements.identifiant_association); settings.REFERENTIELS_ENTREPRISE_URL changes the address.
"""

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .base import Adapter, JsonHttpClient, register

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "associations.json"


@dataclass(frozen=True)
class Association:
    rna: str
    titre: str
    adresse: str = ""
    code_postal: str = ""
    commune: str = ""
    objet: str = ""
    siret: str = ""
    date_creation: str = ""

    @property
    def adresse_complete(self) -> str:
        return ", ".join(part for part in (self.adresse, f"{self.code_postal} {self.commune}".strip()) if part)

    def as_data(self) -> dict:
        return asdict(self)


class AssociationAdapter(Adapter):
    kind = "association"

    def association(self, rna: str) -> Association | None:
        """The association, None when the number is unknown; raises ServiceIndisponible."""
        raise NotImplementedError


@lru_cache(maxsize=1)
def _offline_data() -> dict[str, dict]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return {row["rna"]: row for row in json.load(handle)}


@register
class AssociationHorsLigne(AssociationAdapter):
    id = "hors_ligne"
    label = "Données de démonstration (hors ligne)"

    def association(self, rna):
        row = _offline_data().get(rna)
        return Association(**row) if row else None


@register
class AssociationRechercheEntreprises(AssociationAdapter):
    id = "api"
    label = "API Recherche d'entreprises"
    DEFAULT_URL = "https://recherche-entreprises.api.gouv.fr"

    def __init__(self, *, transport=None, timeout=None):
        base_url = getattr(settings, "REFERENTIELS_ENTREPRISE_URL", self.DEFAULT_URL)
        self.client = JsonHttpClient(base_url, transport=transport, timeout=timeout)

    def association(self, rna):
        payload = self.client.get("search", {"q": rna, "page": 1, "per_page": 5})
        for unite in (payload or {}).get("results") or []:
            if ((unite.get("complements") or {}).get("identifiant_association") or "").upper() != rna:
                continue
            siege = unite.get("siege") or {}
            code_postal, commune = siege.get("code_postal") or "", siege.get("libelle_commune") or ""
            adresse = siege.get("adresse") or ""
            suffix = f" {code_postal} {commune}".rstrip()
            if code_postal and adresse.upper().endswith(suffix.upper()):
                adresse = adresse[: -len(suffix)].rstrip(" ,")
            return Association(
                rna=rna, titre=unite.get("nom_raison_sociale") or unite.get("nom_complet") or "", adresse=adresse,
                code_postal=code_postal, commune=commune, siret=siege.get("siret") or "",
                date_creation=unite.get("date_creation") or "",
            )
        return None
