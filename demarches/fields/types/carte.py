"""Carte: geometries drawn or selected by the usager on a map, stored as a GeoJSON FeatureCollection.

The widget (fields/widgets/carte.html + fields/static/fields/carte.js) is a Leaflet map where the
usager searches an address, draws points, lines and polygons, imports GPX or KML files and picks
cadastre parcels; it writes the collection into a hidden input. Without JavaScript, the usager
can paste GeoJSON in that field (it is then a textarea). The server is the authority: geometry
types, coordinates in range, number of features and of points are checked here.

Options (set in the form editor, see OPTIONS_EDITEUR): « cadastre », the layers offered to the usager
(True by default: the parcels of referentiels' cadastre adapter; the environmental layers of the
reference platform, Natura 2000, ZNIEFF…, are not offered as we have no data for them), and
« max_features » (default 50).
Each feature keeps an id, a source (« selection_utilisateur » or « cadastre », as the API's
GeoAreaSource) and, for parcels, the cadastre's identifiers.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.urls import NoReverseMatch, reverse

from demarches.referentiels.adapters import cadastre as _cadastre  # noqa: F401  (registers the cadastre adapters)

from ..options import BOOL, ENTIER, Option
from ..registry import FieldType, StoredValue, register
from . import _geo

MAX_FEATURES = 50
MAX_JSON_LENGTH = 2_000_000
SOURCES = ("selection_utilisateur", "cadastre")
PARCELLE_KEYS = ("cid", "code_insee", "commune", "prefixe", "section", "numero")
MAX_TEXT = 200


OPTIONS_EDITEUR = (
    Option(
        "cadastre", "Couche « Cadastres »", BOOL,
        "L'usager peut afficher les parcelles cadastrales sur la carte et les sélectionner. Les autres couches "
        "(Natura 2000, ZNIEFF, zones humides…) ne sont pas disponibles sur cette plateforme.",
        initial=True,
    ),
    Option(
        "max_features", "Nombre maximal de géométries", ENTIER,
        f"Facultatif. Laissez vide pour en accepter {MAX_FEATURES}.", minimum=1, maximum=500,
    ),
)


def cadastre_propose(options) -> bool:
    """Whether the usager's map offers the cadastre parcels layer (on unless the editor turned it off)."""
    return (options or {}).get("cadastre", True) is not False


def _max_features(options) -> int:
    try:
        return max(1, min(int(options.get("max_features") or MAX_FEATURES), 500))
    except (TypeError, ValueError):
        return MAX_FEATURES


def _text(value) -> str:
    return str(value if value is not None else "").replace("\x00", "").strip()[:MAX_TEXT]


def _kind(payload) -> str:
    """The « type » of a GeoJSON object, "" when there is none (or not a string)."""
    kind = payload.get("type") if isinstance(payload, dict) else None
    return kind if isinstance(kind, str) else ""


def _feature_clean(feature, index: int, counter, *, cadastre: bool = True) -> dict:
    if _kind(feature) == "Feature":
        geometry, properties, feature_id = feature.get("geometry"), feature.get("properties"), feature.get("id")
    elif _kind(feature) in _geo.GEOMETRY_LABELS:
        geometry, properties, feature_id = feature, {}, None
    else:
        raise ValidationError(gettext("Le tracé de la carte contient un élément qui n'est pas une géométrie."))
    geometry = _geo.geometry_clean(geometry, counter)
    properties = properties if isinstance(properties, dict) else {}
    source = properties.get("source")
    if not isinstance(source, str) or source not in SOURCES or (source == "cadastre" and not cadastre):
        # Without the cadastre layer, a parcel can only be a shape drawn by the usager.
        source = "selection_utilisateur"
    kept = {"source": source}
    if source == "cadastre":
        if geometry["type"] not in ("Polygon", "MultiPolygon"):
            raise ValidationError(gettext("Une parcelle cadastrale doit être un polygone."))
        kept.update({key: _text(properties.get(key)) for key in PARCELLE_KEYS})
        surface = properties.get("surface")
        is_number = isinstance(surface, (int, float)) and not isinstance(surface, bool)
        kept["surface"] = int(surface) if is_number and 0 <= surface < 10**12 else None
    description = _text(properties.get("description"))
    if description:
        kept["description"] = description
    if isinstance(feature_id, (str, int)) and not isinstance(feature_id, bool) and 0 < len(str(feature_id)) <= 64:
        feature_id = str(feature_id)
    else:
        digest = hashlib.sha256(json.dumps([index, geometry], sort_keys=True).encode()).hexdigest()[:12]
        feature_id = f"g{digest}"
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": kept}


def collection_clean(payload, *, options: dict) -> dict:
    """A checked FeatureCollection (a single Feature or geometry is accepted and wrapped)."""
    if _kind(payload) == "FeatureCollection":
        features = payload.get("features")
    elif _kind(payload) == "Feature" or _kind(payload) in _geo.GEOMETRY_LABELS:
        features = [payload]
    else:
        raise ValidationError(gettext("Le tracé de la carte n'est pas une collection de géométries GeoJSON."))
    if not isinstance(features, list):
        raise ValidationError(gettext("Le tracé de la carte n'est pas une collection de géométries GeoJSON."))
    maximum = _max_features(options)
    if len(features) > maximum:
        raise ValidationError(
            gettext("Vous avez tracé %(nombre)s géométries : %(max)s au maximum sont acceptées.") % {"nombre": len(features), "max": maximum}
        )
    counter = _geo._Counter()
    cleaned, seen = [], set()
    for index, feature in enumerate(features):
        item = _feature_clean(feature, index, counter, cadastre=cadastre_propose(options))
        if item["id"] in seen:
            item["id"] = f"{item['id']}-{index}"
        seen.add(item["id"])
        cleaned.append(item)
    return {"type": "FeatureCollection", "features": cleaned}


def features_of(stored: StoredValue) -> list[dict]:
    data = stored.data if isinstance(stored.data, dict) else {}
    features = data.get("features")
    return features if isinstance(features, list) else []


def feature_label(feature: dict) -> str:
    """« Polygone : 1,25 ha », « Parcelle cadastrale BX 2 – Dijon (21231000BX0002) : 700 m² »…"""
    geometry, props = feature["geometry"], feature.get("properties") or {}
    if props.get("source") == "cadastre":
        numero = (props.get("numero") or "").lstrip("0") or props.get("numero") or ""
        name = f"Parcelle cadastrale {props.get('section', '')} {numero}".strip()
        if props.get("commune"):
            name += f" – {props['commune']}"
        if props.get("cid"):
            name += f" ({props['cid']})"
        surface = props.get("surface")
        measure = _geo.area_label(surface) if isinstance(surface, int) else _geo.measure_label(geometry)
        return f"{name} : {measure}"
    name = _geo.GEOMETRY_LABELS[geometry["type"]]
    if props.get("description"):
        name += f" « {props['description']} »"
    return f"{name} : {_geo.measure_label(geometry)}"


def summary(features: list[dict]) -> str:
    """« 3 géométries : 1 polygone, 1 ligne, 1 parcelle cadastrale (surface totale 1,3 ha) »."""
    if not features:
        return ""
    counts = {"polygone": 0, "ligne": 0, "point": 0, "parcelle cadastrale": 0}
    total_area = 0.0
    for feature in features:
        kind = feature["geometry"]["type"]
        if (feature.get("properties") or {}).get("source") == "cadastre":
            counts["parcelle cadastrale"] += 1
        elif "Polygon" in kind:
            counts["polygone"] += 1
        elif "Line" in kind:
            counts["ligne"] += 1
        else:
            counts["point"] += 1
        total_area += _geo.area(feature["geometry"])
    parts = [f"{count} {name}{'s' if count > 1 else ''}".replace("parcelles cadastrale", "parcelles cadastrales")
             for name, count in counts.items() if count]
    text = f"{len(features)} géométrie{'s' if len(features) > 1 else ''} : {', '.join(parts)}"
    if total_area:
        text += f" (surface totale {_geo.area_label(total_area)})"
    return text


def geo_areas(stored: StoredValue) -> list[dict]:
    """The features as the API's GeoArea: id, source, description, geometry."""
    return [
        {
            "id": feature["id"],
            "source": (feature.get("properties") or {}).get("source", "selection_utilisateur"),
            "description": (feature.get("properties") or {}).get("description") or None,
            "geometry": feature["geometry"],
        }
        for feature in features_of(stored)
    ]


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register
class Carte(FieldType):
    key = "carte"
    label = "Carte"
    prefill_format = (
        "Une collection de géométries GeoJSON (FeatureCollection, coordonnées en longitude, latitude WGS84) : "
        "points, lignes et polygones."
    )
    prefill_example = json.dumps({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.0389, 47.3239]}, "properties": {}},
        ],
    })
    template = "fields/widgets/carte.html"
    details_template = "fields/widgets/details/carte.html"
    lecture_template = "fields/lecture/carte.html"
    condition_operators = ("empty", "not_empty")
    options_editeur = OPTIONS_EDITEUR

    def parse(self, raw, *, options):
        text = (raw[0] if raw else "") or ""
        text = str(text).replace("\x00", "").strip()
        if not text:
            return StoredValue()
        if len(text) > MAX_JSON_LENGTH:
            raise ValidationError(gettext("Le tracé de la carte est trop volumineux : simplifiez-le ou retirez des géométries."))
        try:
            payload = json.loads(text)
        except (ValueError, RecursionError):
            raise ValidationError(gettext("Le tracé de la carte est illisible : ce n'est pas du GeoJSON valide.")) from None
        collection = collection_clean(payload, options=options)
        if not collection["features"]:
            return StoredValue()
        return StoredValue(value=summary(collection["features"]), data=collection)

    def raw(self, stored):
        if isinstance(stored.data, dict):
            return [json.dumps(stored.data, ensure_ascii=False, separators=(",", ":"))]
        return super().raw(stored)

    def is_empty(self, stored):
        return not features_of(stored) and not stored.value

    def initial(self, stored):
        return self.raw(stored)[0] if (stored.data or stored.value) else ""

    def display(self, stored):
        features = features_of(stored)
        if not features:
            return stored.value
        return "\n".join(feature_label(feature) for feature in features)

    def export_value(self, stored):
        return stored.value

    def condition_value(self, stored):
        return len(features_of(stored)) or None

    def widget_context(self, *, options, stored):
        features = features_of(stored)
        return {
            "features": [{"id": f["id"], "label": feature_label(f)} for f in features],
            "summary": summary(features),
            "apercu": _geo.apercu_svg(f["geometry"] for f in features),
            "max_features": _max_features(options),
            "cadastre_url": _url("dossiers:cadastre_parcelles") if cadastre_propose(options) else "",
            "adresse_url": _url("referentiels:adresses"),
            "tuiles_url": getattr(settings, "CARTE_TUILES_URL", ""),
            "tuiles_attribution": getattr(settings, "CARTE_TUILES_ATTRIBUTION", ""),
        }

