"""The GraphQL endpoint, the signed file downloads, and the administrateur's token and webhook pages."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from graphql import GraphQLError

from demarches.core.files import file_response
from demarches.dossiers.models import Commentaire, Dossier, PieceJointe
from demarches.procedures import selectors as procedure_selectors

from . import auth, files, policies, selectors, services
from .forms import APITokenForm, WebhookForm
from .graphql.context import ApiContext
from .graphql.errors import ApiError
from .graphql.loaders import Batch
from .graphql.schema import schema
from .models import APIToken, WebhookDelivery, WebhookSubscription


# --- GraphQL endpoint -------------------------------------------------------------------------------


def _error_response(status: int, message: str, code: str, headers: dict | None = None) -> JsonResponse:
    return JsonResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status=status, headers=headers)


def _format_error(error: GraphQLError) -> dict:
    original = error.original_error
    if original is not None and not isinstance(original, (GraphQLError, ApiError)):
        # A bug on our side (logged by the schema): do not leak internals to the client.
        formatted = {"message": "Erreur interne du serveur.", "extensions": {"code": "internal_server_error"}}
        if error.path:
            formatted["path"] = error.path
        return formatted
    return error.formatted


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@csrf_exempt
@require_POST
def graphql(request):
    result = auth.authenticate(request.headers.get("Authorization"))
    if isinstance(result, auth.Refusal):
        return _error_response(result.status, result.message, result.code, {"WWW-Authenticate": 'Bearer realm="api"'})
    token = result
    ip = _client_ip(request)
    if not token.allows_ip(ip):
        return _error_response(403, f"Ce jeton ne peut pas être utilisé depuis l'adresse {ip}.", "forbidden_network")
    limit = auth.rate_limit_check(token)
    rate_headers = {"RateLimit-Limit": str(limit.limit), "RateLimit-Remaining": str(limit.remaining), "RateLimit-Reset": str(limit.reset)}
    if not limit.allowed:
        return _error_response(
            429, f"Trop de requêtes : au plus {limit.limit} par minute. Réessayez dans {limit.reset} secondes.",
            "too_many_requests", {**rate_headers, "Retry-After": str(limit.reset)},
        )
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error_response(400, "Le corps de la requête doit être un objet JSON {query, variables, operationName}.", "bad_request")
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
        return _error_response(400, "La requête GraphQL (« query ») est absente.", "bad_request")
    variables = body.get("variables") or {}
    if isinstance(variables, str):
        try:
            variables = json.loads(variables) if variables.strip() else {}
        except ValueError:
            return _error_response(400, "Les variables (« variables ») ne sont pas un objet JSON valide.", "bad_request")
    if not isinstance(variables, dict):
        return _error_response(400, "Les variables (« variables ») doivent être un objet JSON.", "bad_request")

    services.api_token_utilisation_noter(token=token, ip=ip)
    context = ApiContext(
        request=request,
        token=token,
        administrateur=token.administrateur,
        procedure_ids=selectors.procedures_du_jeton(token),
        write_access=token.write_access,
        batch=Batch(),
    )
    execution = schema.execute_sync(
        body["query"], variable_values=variables, context_value=context, operation_name=body.get("operationName") or None
    )
    payload = {}
    if execution.errors:
        payload["errors"] = [_format_error(error) for error in execution.errors]
    payload["data"] = execution.data
    return JsonResponse(payload, headers=rate_headers, json_dumps_params={"ensure_ascii": False})


# --- Signed downloads -------------------------------------------------------------------------------


def fichier(request, token: str):
    unsigned = files.unsign(token)
    if unsigned is None:
        raise Http404("Ce lien de téléchargement est invalide ou a expiré (il est valable une heure).")
    kind, pk = unsigned
    if kind == "piece":
        piece = get_object_or_404(PieceJointe, pk=pk)
        return file_response(piece.file, piece.filename)
    if kind == "message":
        commentaire = get_object_or_404(Commentaire, pk=pk)
        return file_response(commentaire.piece_jointe, commentaire.piece_jointe_filename or None)
    dossier = get_object_or_404(Dossier, pk=pk)
    return file_response(dossier.justificatif_motivation)


# --- Tokens (administrateur's profile) --------------------------------------------------------------


def _administrateur(request):
    if not policies.can_manage_tokens(request.user):
        raise PermissionDenied("Cet espace est réservé aux administrateurs.")
    return request.user.administrateur


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def jetons(request):
    administrateur = _administrateur(request)
    nouveau = request.session.pop("api_nouveau_jeton", None)
    return render(request, "api/jetons.html", {"jetons": selectors.jetons_de(administrateur), "nouveau": nouveau})


@login_required
@require_http_methods(["GET", "POST"])
def jeton_nouveau(request):
    administrateur = _administrateur(request)
    form = APITokenForm(request.POST or None, procedures=selectors.procedures_administrees(administrateur))
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_creer(administrateur=administrateur, **form.service_kwargs())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            # Shown once, on the next page, then forgotten.
            request.session["api_nouveau_jeton"] = {"id": token.pk, "name": token.name, "secret": secret}
            return redirect("api:jetons")
    return render(request, "api/jeton_form.html", {"form": form})


@login_required
@require_POST
def jeton_revoquer(request, token_id: int):
    administrateur = _administrateur(request)
    token = get_object_or_404(APIToken, pk=token_id, administrateur=administrateur)
    services.api_token_revoquer(token=token, administrateur=administrateur)
    messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne permet plus d'accéder à l'API.")
    return redirect("api:jetons")


# --- Webhook of a démarche --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def webhook(request, procedure_id: int):
    administrateur = _administrateur(request)
    procedure = procedure_selectors.procedure_administree(request.user, procedure_id)
    subscription = selectors.webhook_de(procedure)
    form = WebhookForm(request.POST or None, initial={"url": subscription.url if subscription else ""})
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.webhook_configurer(procedure=procedure, administrateur=administrateur, url=form.cleaned_data["url"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if subscription is None:
                messages.success(request, "Le lien de rappel HTTP est supprimé : plus aucune notification ne sera envoyée.")
            else:
                messages.success(request, "Le lien de rappel HTTP est enregistré : il sera appelé à chaque changement d'état d'un dossier.")
            return redirect("api:webhook", procedure_id=procedure.pk)
    return render(
        request, "api/webhook.html",
        {"procedure": procedure, "subscription": subscription, "form": form, "livraisons": selectors.livraisons_de(procedure)},
    )


@login_required
@require_POST
def webhook_secret(request, procedure_id: int):
    administrateur = _administrateur(request)
    procedure = procedure_selectors.procedure_administree(request.user, procedure_id)
    try:
        services.webhook_secret_renouveler(procedure=procedure, administrateur=administrateur)
    except WebhookSubscription.DoesNotExist:
        raise Http404("Aucun lien de rappel HTTP n'est configuré.") from None
    messages.success(request, "Un nouveau secret de signature a été tiré : mettez-le à jour chez le destinataire.")
    return redirect("api:webhook", procedure_id=procedure.pk)


@login_required
@require_POST
def webhook_renvoyer(request, procedure_id: int, delivery_id: int):
    administrateur = _administrateur(request)
    procedure = procedure_selectors.procedure_administree(request.user, procedure_id)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id, procedure=procedure)
    services.webhook_livraison_renvoyer(delivery=delivery, administrateur=administrateur)
    messages.success(request, f"La notification du dossier n° {delivery.dossier_id} est renvoyée.")
    return redirect("api:webhook", procedure_id=procedure.pk)
