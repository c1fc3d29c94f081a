"""Public prefill API (no account, no API token), as on the reference platform:

- POST /api/public/v1/demarches/<id>/dossiers with a JSON object
  {"champ_<stable_id>": value, …, "identite_nom": …} creates a prefilled brouillon without owner and
  answers 201 {dossier_url, dossier_id, dossier_number, dossier_prefill_state: "prefilled",
  prefill_token}. The usager following dossier_url claims the draft once logged in. If any value is
  refused (unknown champ, value a type rejects), nothing is created: 400 with each refusal in French.
- GET /api/public/v1/demarches/<id>/dossiers?prefill_token=a,b (or the parameter repeated) gives the
  state of the dossiers created with those tokens: "prefilled" while unclaimed, then the dossier's
  state, with its deposit and decision dates. Nothing personal is returned.

Requests are counted per client address (settings.PREFILL_API_LIMITE_PAR_MINUTE) and bodies are
limited to MAX_BODY bytes.
"""

import json
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from demarches.api.graphql.ids import global_id
from demarches.procedures.models import Procedure

from . import prefill
from .models import Dossier

DEFAULT_RATE_LIMIT = 20  # requests per minute and per client address
MAX_BODY = 1_000_000
MAX_TOKENS = 100  # tokens asked about in one GET


def _erreur(message: str, status: int, **extra) -> JsonResponse:
    response = JsonResponse({"erreur": message, **extra}, status=status)
    if status == 429:
        response["Retry-After"] = "60"
    return response


def _rate_limited(request) -> bool:
    limit = getattr(settings, "PREFILL_API_LIMITE_PAR_MINUTE", DEFAULT_RATE_LIMIT)
    key = f"prefill_api:limite:{request.META.get('REMOTE_ADDR', '')}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=60):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:
        return False


def _dossier_json(request, dossier: Dossier, *, details: bool = False) -> dict:
    url = request.build_absolute_uri(reverse("dossiers:prefill_reclamer", args=[dossier.prefill_token]))
    data = {
        "dossier_url": url,
        "dossier_id": global_id("Dossier", dossier.pk),
        "dossier_number": dossier.pk,
        "dossier_prefill_state": prefill.etat_prerempli(dossier),
    }
    if details:
        data["submitted_at"] = dossier.depose_at.isoformat() if dossier.depose_at else None
        data["processed_at"] = dossier.processed_at.isoformat() if dossier.processed_at else None
    else:
        data["prefill_token"] = dossier.prefill_token
    return data


@csrf_exempt
@require_http_methods(["GET", "POST"])
def dossiers(request, procedure_id):
    if _rate_limited(request):
        return _erreur("Trop de requêtes en peu de temps : patientez une minute avant de réessayer.", 429)
    if request.method == "GET":
        return _etats(request, procedure_id)
    return _creer(request, procedure_id)


def _creer(request, procedure_id):
    procedure = Procedure.objects.filter(pk=procedure_id).first()
    if procedure is None or not prefill.can_preremplir(procedure):
        return _erreur("Démarche introuvable, ou qui n'accepte pas de nouveaux dossiers.", 404)
    if not (request.content_type or "").startswith("application/json"):
        return _erreur("Envoyez un objet JSON (Content-Type: application/json).", 415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY or len(request.body) > MAX_BODY:
        return _erreur("La requête est trop volumineuse.", 413)
    try:
        valeurs = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _erreur("Le corps de la requête n'est pas un JSON valide.", 400)
    if not isinstance(valeurs, dict):
        return _erreur("Le corps de la requête doit être un objet JSON : {\"champ_<id>\": valeur}.", 400)
    preremplissage = prefill.valeurs_verifier(procedure, valeurs)
    if preremplissage.erreurs:
        return _erreur(
            "Certaines valeurs ne peuvent pas être préremplies : aucun dossier n'a été créé.",
            400,
            erreurs=preremplissage.erreurs,
        )
    try:
        dossier = prefill.dossier_prerempli_creer(procedure=procedure, preremplissage=preremplissage)
    except ValidationError as exc:
        return _erreur(exc.messages[0], 404)
    return JsonResponse(_dossier_json(request, dossier), status=201)


def _etats(request, procedure_id):
    tokens = []
    for item in request.GET.getlist("prefill_token"):
        tokens.extend(token.strip() for token in item.split(",") if token.strip())
    if not tokens:
        return _erreur("Indiquez au moins un jeton : ?prefill_token=<jeton>.", 400)
    if len(tokens) > MAX_TOKENS:
        return _erreur(f"{MAX_TOKENS} jetons au plus peuvent être demandés à la fois.", 400)
    found = Dossier.objects.filter(
        procedure_id=procedure_id, prefilled=True, prefill_token__in=[token for token in tokens if len(token) <= 64]
    ).order_by("pk")
    return JsonResponse([_dossier_json(request, dossier, details=True) for dossier in found], safe=False)
