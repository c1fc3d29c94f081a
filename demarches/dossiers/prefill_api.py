"""Public prefill API: POST /api/public/v1/demarches/<id>/dossiers with a JSON object
{"champ_<stable_id>": value, …} prepares a prefilled draft of a published démarche.

No account and no token are needed (the values only ever reach the usager who opens the link);
the answer (201) gives the link the usager follows to create the draft once logged in
(`dossier_url`), the prefill token it carries, the champs filled and the values refused with
their French message. Requests are counted per client address (settings.PREFILL_API_LIMITE_PAR_MINUTE).
"""

import json
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from demarches.procedures.models import Procedure

from . import prefill

DEFAULT_RATE_LIMIT = 20  # requests per minute and per client address
MAX_BODY = 1_000_000
MAX_TOKEN_LENGTH = 6000  # the token travels in a URL


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


@csrf_exempt
@require_POST
def dossier_prerempli_creer(request, procedure_id):
    if _rate_limited(request):
        return _erreur("Trop de requêtes en peu de temps : patientez une minute avant de réessayer.", 429)
    procedure = Procedure.objects.filter(pk=procedure_id).first()
    if procedure is None or not prefill.can_preremplir(procedure):
        return _erreur("Démarche introuvable, ou qui n'accepte pas de nouveaux dossiers.", 404)
    if not (request.content_type or "").startswith("application/json"):
        return _erreur("Envoyez un objet JSON (Content-Type: application/json).", 415)
    if len(request.body) > MAX_BODY:
        return _erreur("La requête est trop volumineuse.", 413)
    try:
        valeurs = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _erreur("Le corps de la requête n'est pas un JSON valide.", 400)
    if not isinstance(valeurs, dict):
        return _erreur("Le corps de la requête doit être un objet JSON : {\"champ_<id>\": valeur}.", 400)
    preremplissage = prefill.valeurs_verifier(procedure, valeurs)
    token = prefill.jeton_creer(procedure, preremplissage)
    if len(token) > MAX_TOKEN_LENGTH:
        return _erreur(
            "Les valeurs sont trop volumineuses pour un lien de préremplissage : préremplissez moins de champs.", 413
        )
    url = request.build_absolute_uri(reverse("dossiers:prefill_reclamer", args=[token]))
    return JsonResponse(
        {
            "dossier_url": url,
            "dossier_prefill_token": token,
            "state": "prefilled",
            "champs_preremplis": [f"{prefill.PARAM_PREFIX}{stable_id}" for stable_id in preremplissage.valeurs],
            "erreurs": preremplissage.erreurs,
        },
        status=201,
    )
