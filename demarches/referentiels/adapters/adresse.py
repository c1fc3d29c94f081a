"""Address search (Base Adresse Nationale).

- `hors_ligne`: searches a small sample of streets (data/voies.json) and the loaded communes.
- `ban`: the national address API (https://api-adresse.data.gouv.fr/search/?q=…);
  settings.REFERENTIELS_ADRESSE_URL changes the address (e.g. the Géoplateforme's
  https://data.geopf.fr/geocodage, which answers in the same format).
"""

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from ..normalisation import normaliser
from .base import Adapter, JsonHttpClient, register

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "voies.json"
MAX_RESULTATS = 10


@dataclass(frozen=True)
class Adresse:
    label: str
    type: str  # housenumber, street, locality, municipality (the BAN's words)
    numero: str = ""
    voie: str = ""
    code_postal: str = ""
    commune: str = ""
    code_insee: str = ""
    departement: str = ""  # code
    departement_nom: str = ""
    region: str = ""  # code
    region_nom: str = ""
    latitude: float | None = None
    longitude: float | None = None
    id: str = ""

    def as_data(self) -> dict:
        return asdict(self)


class AdresseAdapter(Adapter):
    kind = "adresse"

    def rechercher(self, query: str, *, limit: int = 5) -> list[Adresse]:
        """Best matches first; raises ServiceIndisponible."""
        raise NotImplementedError


def _with_geography(adresse: Adresse) -> Adresse:
    """Fill département and région (codes and names) from the commune's INSEE code."""
    from .. import selectors

    commune = selectors.commune_par_code(adresse.code_insee) if adresse.code_insee else None
    departement_code = commune.departement_code if commune else adresse.departement
    departement = selectors.departement_par_code(departement_code) if departement_code else None
    region_code = commune.region_code if commune else (departement.region_code if departement else adresse.region)
    region = selectors.region_par_code(region_code) if region_code else None
    return Adresse(
        **{
            **adresse.as_data(),
            "departement": departement_code or "",
            "departement_nom": departement.nom if departement else adresse.departement_nom,
            "region": region_code or "",
            "region_nom": region.nom if region else adresse.region_nom,
        }
    )


@lru_cache(maxsize=1)
def _voies() -> list[dict]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = json.load(handle)
    for row in rows:
        row["_mots"] = normaliser(f"{row['voie']} {row['code_postal']} {row['commune']}").split()
    return rows


_NUMERO = re.compile(r"^(\d{1,4})(?:\s*(bis|ter|quater|[a-d])\b)?\s+(.*)$", re.IGNORECASE)


def _words_match(query_words: list[str], words: list[str]) -> bool:
    """Every word typed is a word of the address; the last one may be unfinished."""
    for index, word in enumerate(query_words):
        last = index == len(query_words) - 1
        if not any(w == word or (last and w.startswith(word)) for w in words):
            return False
    return True


@register
class AdresseHorsLigne(AdresseAdapter):
    id = "hors_ligne"
    label = "Échantillon d'adresses (hors ligne)"

    def rechercher(self, query, *, limit=5):
        from .. import selectors

        text = normaliser(query)
        if len(text) < 3:
            return []
        numero = ""
        match = _NUMERO.match(text)
        if match:
            numero, text = match[1], match[3]
        query_words = text.split()
        results = []
        for row in _voies():
            if not query_words or not _words_match(query_words, row["_mots"]):
                continue
            has_number = numero and int(numero) in row["numeros"]
            street_label = f"{row['voie']} {row['code_postal']} {row['commune']}"
            results.append(
                Adresse(
                    label=f"{numero} {street_label}" if has_number else street_label,
                    type="housenumber" if has_number else "street", numero=numero if has_number else "",
                    voie=row["voie"], code_postal=row["code_postal"], commune=row["commune"],
                    code_insee=row["code_insee"], latitude=row["lat"], longitude=row["lon"],
                    id=f"{row['code_insee']}_{normaliser(row['voie']).replace(' ', '_')}" + (f"_{numero}" if has_number else ""),
                )
            )
        if not numero:
            for commune in selectors.communes_rechercher(" ".join(query_words), limit=limit):
                results.append(
                    Adresse(
                        label=f"{commune.nom} {commune.code_postal}".strip(), type="municipality",
                        code_postal=commune.code_postal, commune=commune.nom, code_insee=commune.code_insee,
                        id=commune.code_insee,
                    )
                )
        return [_with_geography(adresse) for adresse in results[: max(1, min(limit, MAX_RESULTATS))]]


@register
class AdresseBAN(AdresseAdapter):
    id = "ban"
    label = "Base Adresse Nationale"
    DEFAULT_URL = "https://api-adresse.data.gouv.fr"

    def __init__(self, *, transport=None, timeout=None):
        base_url = getattr(settings, "REFERENTIELS_ADRESSE_URL", self.DEFAULT_URL)
        self.client = JsonHttpClient(base_url, transport=transport, timeout=timeout)

    def rechercher(self, query, *, limit=5):
        query = (query or "").strip()
        if len(query) < 3:
            return []
        # The BAN refuses queries over 200 characters.
        payload = self.client.get("search/", {"q": query[:200], "limit": max(1, min(limit, MAX_RESULTATS))})
        return [self._adresse(feature) for feature in (payload or {}).get("features") or [] if feature.get("properties")]

    @staticmethod
    def _adresse(feature: dict) -> Adresse:
        props = feature["properties"]
        coordinates = (feature.get("geometry") or {}).get("coordinates") or [None, None]
        context = [part.strip() for part in (props.get("context") or "").split(",")]
        kind = props.get("type") or ""
        voie = props.get("street") or (props.get("name") if kind in ("street", "locality") else "") or ""
        adresse = Adresse(
            label=props.get("label") or "", type=kind, numero=props.get("housenumber") or "", voie=voie,
            code_postal=props.get("postcode") or "", commune=props.get("city") or "",
            code_insee=props.get("citycode") or "", departement=context[0] if context and context[0] else "",
            departement_nom=context[1] if len(context) > 1 else "", region_nom=context[-1] if len(context) > 2 else "",
            longitude=coordinates[0], latitude=coordinates[1], id=props.get("id") or "",
        )
        return _with_geography(adresse)
