"""The geometries drawn on the carte champs of some dossiers, as one GeoJSON FeatureCollection.

A carte champ stores a FeatureCollection in its data (fields/types/carte.py). Each of its features
becomes a feature of the export, its own properties kept (source, description, cadastre ids) and
the dossier's and champ's identity added. The file is written feature by feature: memory does not
grow with the number of dossiers.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.db.models import QuerySet

from demarches.dossiers.models import Champ

CHUNK_SIZE = getattr(settings, "EXPORT_CHUNK_SIZE", 1000)
CARTE = "carte"


def _collection(data, value) -> list[dict]:
    """The features of a stored carte value (data first; a value holding GeoJSON text is accepted too)."""
    payload = data
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            payload = None
    if not isinstance(payload, dict) and isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            payload = json.loads(value)
        except ValueError:
            payload = None
    if not isinstance(payload, dict):
        return []
    if payload.get("type") == "FeatureCollection":
        features = payload.get("features")
        return [f for f in features if isinstance(f, dict)] if isinstance(features, list) else []
    if payload.get("type") == "Feature":
        return [payload]
    if "coordinates" in payload or payload.get("type") == "GeometryCollection":
        return [{"type": "Feature", "geometry": payload, "properties": {}}]
    return []


def features(
    dossiers: QuerySet, *, chunk_size: int | None = None, on_chunk: Callable[[int], None] | None = None
) -> Iterator[dict]:
    """The features of every carte champ (and carte annotation) of the dossiers, in the dossiers' order."""
    chunk_size = chunk_size or CHUNK_SIZE
    ids_iter = dossiers.values_list("pk", flat=True).iterator(chunk_size=chunk_size)
    done = 0
    while ids := list(islice(ids_iter, chunk_size)):
        champs = (
            Champ.objects.filter(dossier_id__in=ids, type_de_champ__type_champ=CARTE)
            .order_by("type_de_champ__private", "type_de_champ__position", "row_id", "id")
            .values_list(
                "dossier_id", "stable_id", "row_id", "type_de_champ__libelle", "type_de_champ__private", "value", "data"
            )
        )
        by_dossier: dict[int, list[tuple]] = {}
        for row in champs:
            by_dossier.setdefault(row[0], []).append(row)
        for dossier_id in ids:
            for _, stable_id, row_id, libelle, private, value, data in by_dossier.get(dossier_id, ()):
                for feature in _collection(data, value):
                    geometry = feature.get("geometry")
                    if not isinstance(geometry, dict):
                        continue
                    properties = dict(feature.get("properties") or {})
                    properties.update(
                        {
                            "numero_dossier": dossier_id,
                            "champ_libelle": libelle,
                            "champ_id": stable_id,
                            "champ_ligne": row_id or None,
                            "champ_prive": bool(private),
                        }
                    )
                    item = {"type": "Feature", "geometry": geometry, "properties": properties}
                    if feature.get("id") is not None:
                        item["id"] = feature["id"]
                    yield item
        done += len(ids)
        if on_chunk is not None:
            on_chunk(done)


def ecrire(path: str, items: Iterable[dict]) -> int:
    """Write a FeatureCollection, one feature at a time; returns the number of features."""
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"type":"FeatureCollection","features":[')
        for item in items:
            if count:
                handle.write(",")
            handle.write("\n")
            handle.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
            count += 1
        handle.write("\n]}\n")
    return count
