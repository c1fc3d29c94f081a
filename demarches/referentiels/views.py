"""Public look-ups used by the form widgets: commune and address suggestions, EPCI of a département.

GET only, no session needed, bounded answers (20 results at most), cacheable by the browser and
any proxy, and a per-address request budget so that a script cannot drain the address service.
The answer is JSON, or <option> elements for a <datalist>/<select> when asked by htmx or with
format=options.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET

from . import adapters, selectors

DEFAULT_RATE_LIMIT = 120  # requests per minute and per client address
MAX_QUERY = 200


def _rate_limited(request) -> bool:
    limit = getattr(settings, "REFERENTIELS_LIMITE_PAR_MINUTE", DEFAULT_RATE_LIMIT)
    key = f"referentiels:limite:{request.META.get('REMOTE_ADDR', '')}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=60):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        return False
    return count > limit


def _too_many():
    response = JsonResponse(
        {"erreur": "Trop de recherches en peu de temps : patientez une minute avant de réessayer."}, status=429
    )
    response["Retry-After"] = "60"
    return response


def _wants_options(request) -> bool:
    return bool(getattr(request, "htmx", False)) or request.GET.get("format") == "options"


def _query(request) -> str:
    return (request.GET.get("q") or "").strip()[:MAX_QUERY]


def _options(options, placeholder: str = "") -> HttpResponse:
    # Rendered without the request: no session is read, so nothing varies by visitor.
    html = render_to_string("referentiels/_options.html", {"options": options, "placeholder": placeholder})
    return HttpResponse(html)


def _cached(response, seconds: int):
    patch_cache_control(response, public=True, max_age=seconds)
    patch_vary_headers(response, ["HX-Request"])
    response.sans_langue = True  # the same answer in every interface language: shared caches may keep it
    return response


@require_GET
def communes(request):
    if _rate_limited(request):
        return _too_many()
    results = selectors.communes_rechercher(_query(request)) if len(_query(request)) >= 2 else []
    if _wants_options(request):
        response = _options([(c.label, c.label) for c in results])
    else:
        response = JsonResponse({"results": [{"label": c.label, **c.as_data()} for c in results]})
    return _cached(response, 24 * 3600)


@require_GET
def adresses(request):
    if _rate_limited(request):
        return _too_many()
    query = _query(request)
    indisponible = False
    try:
        results = adapters.get("adresse").rechercher(query, limit=10) if len(query) >= 3 else []
    except adapters.ServiceIndisponible:
        results, indisponible = [], True
    if _wants_options(request):
        response = _options([(a.label, a.label) for a in results])
    else:
        response = JsonResponse({"results": [a.as_data() for a in results], "indisponible": indisponible})
    # An answer given while the service was down must not stay in caches.
    return _cached(response, 0 if indisponible else 3600)


@require_GET
def epci(request):
    if _rate_limited(request):
        return _too_many()
    # The widget's département select sends its own name (champ-<id>-departement).
    departement = request.GET.get("departement") or next(
        (value for key, value in request.GET.items() if key.endswith("-departement")), ""
    )
    departement = departement.strip()[:3]
    results = selectors.epci_du_departement(departement) if departement else []
    if _wants_options(request):
        placeholder = "Choisissez un EPCI" if departement else "Choisissez d'abord un département"
        response = _options([(e.code, e.nom) for e in results], placeholder)
    else:
        response = JsonResponse({"results": [{"code": e.code, "nom": e.nom} for e in results]})
    return _cached(response, 24 * 3600)
