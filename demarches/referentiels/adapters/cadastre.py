"""Cadastre parcels (the « carte » champ's parcels layer).

- `hors_ligne`: a small bundled sample (data/cadastre_echantillon.json: fictitious parcels drawn
  around a street of Dijon and of Bourg-en-Bresse, in the API Carto format);
- `apicarto`: the IGN's API Carto, cadastre module (https://apicarto.ign.fr/api/cadastre/parcelle,
  parcels intersecting a GeoJSON geometry); settings.REFERENTIELS_CADASTRE_URL changes the address.

Both answer parcels intersecting a bounding box (west, south, east, north in WGS84 degrees), as
`Parcelle` objects that turn into GeoJSON features whose properties the carte champ keeps.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .base import Adapter, JsonHttpClient, ServiceIndisponible, register

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "cadastre_echantillon.json"
DEFAULT_URL = "https://apicarto.ign.fr/api"
MAX_PARCELLES = 500
# Larger boxes are refused: at such zoom levels parcels are too small to pick, and the service slow.
MAX_BBOX_DEGREES = 0.05


class EmpriseTropGrande(ValueError):
    """The bounding box asked for is too large for a parcels layer."""


@dataclass(frozen=True)
class Parcelle:
    idu: str  # the parcel's national identifier: INSEE code, prefix, section, number (14 characters)
    code_insee: str
    commune: str
    prefixe: str
    section: str
    numero: str
    surface: int | None  # m², the cadastre's « contenance »
    geometry: dict  # GeoJSON Polygon or MultiPolygon

    @property
    def label(self) -> str:
        return f"Parcelle {self.section} {self.numero.lstrip('0') or '0'} – {self.commune}"

    def as_feature(self) -> dict:
        return {
            "type": "Feature",
            "geometry": self.geometry,
            "properties": {
                "source": "cadastre",
                "cid": self.idu,
                "code_insee": self.code_insee,
                "commune": self.commune,
                "prefixe": self.prefixe,
                "section": self.section,
                "numero": self.numero,
                "surface": self.surface,
                "description": self.label,
            },
        }


def bbox_valide(bbox) -> tuple[float, float, float, float]:
    """(west, south, east, north) as floats, in range; ValueError / EmpriseTropGrande otherwise."""
    west, south, east, north = (float(value) for value in bbox)
    if not all(abs(v) != float("inf") and v == v for v in (west, south, east, north)):
        raise ValueError("emprise invalide")
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError("emprise invalide")
    if east - west > MAX_BBOX_DEGREES or north - south > MAX_BBOX_DEGREES:
        raise EmpriseTropGrande("emprise trop grande")
    return west, south, east, north


def parcelle_depuis_feature(feature: dict) -> Parcelle | None:
    """A parcel from a feature in the API Carto format; None when it lacks what we need."""
    if not isinstance(feature, dict):
        return None
    props = feature.get("properties") or {}
    geometry = feature.get("geometry") or {}
    if geometry.get("type") not in ("Polygon", "MultiPolygon") or not props.get("idu"):
        return None
    surface = props.get("contenance")
    return Parcelle(
        idu=str(props["idu"]),
        code_insee=str(props.get("code_insee") or f"{props.get('code_dep', '')}{props.get('code_com', '')}"),
        commune=str(props.get("nom_com") or ""),
        prefixe=str(props.get("com_abs") or "000"),
        section=str(props.get("section") or ""),
        numero=str(props.get("numero") or ""),
        surface=int(surface) if isinstance(surface, (int, float)) else None,
        geometry={"type": geometry["type"], "coordinates": geometry.get("coordinates")},
    )


def _bbox_of(geometry: dict) -> tuple[float, float, float, float]:
    points = []

    def walk(node):
        if isinstance(node, list) and node and isinstance(node[0], (int, float)):
            points.append(node)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(geometry.get("coordinates"))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


class CadastreAdapter(Adapter):
    kind = "cadastre"

    def parcelles(self, bbox) -> list[Parcelle]:
        """Parcels intersecting bbox (west, south, east, north); raises ServiceIndisponible."""
        raise NotImplementedError


@lru_cache(maxsize=1)
def _echantillon() -> list[Parcelle]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    return [p for p in (parcelle_depuis_feature(f) for f in collection["features"]) if p is not None]


@register
class CadastreHorsLigne(CadastreAdapter):
    id = "hors_ligne"
    label = "Échantillon de parcelles intégré (hors ligne)"

    def parcelles(self, bbox):
        west, south, east, north = bbox_valide(bbox)
        found = []
        for parcelle in _echantillon():
            p_west, p_south, p_east, p_north = _bbox_of(parcelle.geometry)
            if p_west <= east and p_east >= west and p_south <= north and p_north >= south:
                found.append(parcelle)
        return found[:MAX_PARCELLES]


@register
class CadastreApiCarto(CadastreAdapter):
    id = "apicarto"
    label = "API Carto de l'IGN (module cadastre)"

    def __init__(self, transport=None):
        base_url = getattr(settings, "REFERENTIELS_CADASTRE_URL", "") or DEFAULT_URL
        self.client = JsonHttpClient(base_url, transport=transport)

    def parcelles(self, bbox):
        west, south, east, north = bbox_valide(bbox)
        polygon = {
            "type": "Polygon",
            "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
        }
        payload = self.client.get(
            "cadastre/parcelle",
            {"geom": json.dumps(polygon, separators=(",", ":")), "_limit": MAX_PARCELLES},
        )
        if payload is None:
            return []
        if not isinstance(payload, dict) or not isinstance(payload.get("features"), list):
            raise ServiceIndisponible("réponse inattendue du cadastre")
        return [p for p in (parcelle_depuis_feature(f) for f in payload["features"]) if p is not None]
