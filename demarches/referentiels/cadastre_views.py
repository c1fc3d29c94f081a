"""Public look-up of the carte champ's parcels layer: the cadastre parcels within a map's view.

GET ?bbox=west,south,east,north (WGS84). Answers a GeoJSON FeatureCollection of parcels (each
feature ready to be added to a carte champ), plus « indisponible » when the cadastre service did
not answer (the map then works without the layer) and « message » when the view is too large.
Same request budget per client address as the other look-ups.
"""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from . import adapters
from .adapters import cadastre
from .views import _cached, _rate_limited, _too_many


def _answer(features, *, indisponible=False, message="", status=200):
    return JsonResponse(
        {"type": "FeatureCollection", "features": features, "indisponible": indisponible, "message": message},
        status=status,
    )


@require_GET
def parcelles(request):
    if _rate_limited(request):
        return _too_many()
    try:
        bbox = cadastre.bbox_valide((request.GET.get("bbox") or "").split(","))
    except cadastre.EmpriseTropGrande:
        return _answer([], message="Zoomez davantage sur la carte pour afficher les parcelles cadastrales.")
    except (TypeError, ValueError):
        return _answer([], message="L'emprise demandée est invalide.", status=400)
    try:
        found = adapters.get("cadastre").parcelles(bbox)
    except adapters.ServiceIndisponible:
        response = _answer(
            [], indisponible=True,
            message="Le cadastre ne répond pas pour le moment : vous pouvez dessiner la zone à la main.",
        )
        return _cached(response, 0)
    return _cached(_answer([parcelle.as_feature() for parcelle in found]), 3600)
