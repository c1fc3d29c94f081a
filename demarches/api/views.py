"""The GraphQL endpoint, the signed file downloads, and the administrateur's token and webhook pages."""

import gc
import json
from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from graphql import GraphQLError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from demarches.core.files import file_response
from demarches.dossiers.models import Commentaire, Dossier, PieceJointe
from demarches.instruction.models import Avis
from demarches.procedures import selectors as procedure_selectors

from . import auth, files, policies, selectors, services
from .forms import APITokenForm, WebhookForm
from .graphql import scalars
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


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector while a request executes.

    A page of 100 dossiers allocates some 100 000 short-lived objects (rows, champs, result
    dictionaries), which the collector would otherwise scan again and again, promoting them to
    older generations and triggering full collections of the whole process (a fifth of the
    request's time, measured with bench/api_bench.py). These objects are freed by reference
    counting when the request ends; anything cyclic is collected once the collector resumes.
    Whoever paused it resumes it, so concurrent requests cannot leave it paused.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _parse_body(request) -> tuple[dict | None, JsonResponse | None]:
    """(query, variables, operation name) of a GraphQL request body, or the 400 response."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None, _error_response(400, "Le corps de la requête doit être un objet JSON {query, variables, operationName}.", "bad_request")
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
        return None, _error_response(400, "La requête GraphQL (« query ») est absente.", "bad_request")
    variables = body.get("variables") or {}
    if isinstance(variables, str):
        try:
            variables = json.loads(variables) if variables.strip() else {}
        except ValueError:
            return None, _error_response(400, "Les variables (« variables ») ne sont pas un objet JSON valide.", "bad_request")
    if not isinstance(variables, dict):
        return None, _error_response(400, "Les variables (« variables ») doivent être un objet JSON.", "bad_request")
    return {"query": body["query"], "variables": variables, "operation_name": body.get("operationName") or None}, None


def _rate_limited(limit) -> JsonResponse | None:
    if limit.allowed:
        return None
    return _error_response(
        429, f"Trop de requêtes : au plus {limit.limit} par minute. Réessayez dans {limit.reset} secondes.",
        "too_many_requests", {**_rate_headers(limit), "Retry-After": str(limit.reset)},
    )


def _rate_headers(limit) -> dict:
    return {"RateLimit-Limit": str(limit.limit), "RateLimit-Remaining": str(limit.remaining), "RateLimit-Reset": str(limit.reset)}


READ_ONLY_EXPLORER = (
    "L'explorateur n'exécute que des lectures. Pour essayer une modification, ajoutez dans l'onglet "
    "« Headers » l'en-tête {\"Authorization\": \"Bearer <jeton>\"} d'un jeton en lecture et écriture."
)


def _execute(parsed: dict, context: ApiContext, headers: dict, *, read_only: bool = False) -> JsonResponse:
    allowed = {OperationType.QUERY} if read_only else {OperationType.QUERY, OperationType.MUTATION}
    with _gc_paused(), scalars.request_timezone():
        try:
            execution = schema.execute_sync(
                parsed["query"], variable_values=parsed["variables"], context_value=context,
                operation_name=parsed["operation_name"], allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            return _error_response(200, READ_ONLY_EXPLORER, "read_only", headers) if read_only else _error_response(
                400, "Seules les requêtes (query) et les modifications (mutation) sont acceptées.", "bad_request", headers
            )
        except CannotGetOperationTypeError:
            name = parsed["operation_name"]
            message = (
                f"Le document ne contient pas d'opération « {name} »." if name
                else "Le document contient plusieurs opérations : indiquez laquelle exécuter (« operationName »)."
            )
            return _error_response(400, message, "bad_request", headers)
        payload = {}
        if execution.errors:
            payload["errors"] = [_format_error(error) for error in execution.errors]
        payload["data"] = execution.data
        return JsonResponse(payload, headers=headers, json_dumps_params={"ensure_ascii": False})


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
    if (refused := _rate_limited(limit)) is not None:
        return refused
    parsed, bad_request = _parse_body(request)
    if bad_request is not None:
        return bad_request

    services.api_token_utilisation_noter(token=token, ip=ip)
    context = ApiContext(
        request=request,
        token=token,
        administrateur=token.administrateur,
        procedure_ids=selectors.procedures_du_jeton(token),
        write_access=token.write_access,
        batch=Batch(),
    )
    return _execute(parsed, context, _rate_headers(limit))


# --- GraphiQL: the API explorer of the administrateurs ------------------------------------------------
#
# The page calls `graphql_session`, which authenticates with the administrateur's session cookie
# rather than a token. Because the browser sends that cookie by itself, the endpoint is protected
# like any form of the site: Django's CSRF check (the page sends the X-CSRFToken header; a request
# forged from another site cannot), SameSite session cookie, read-only (queries only, mutations are
# refused), scope limited to the démarches he administers now, and the same rate limit as a token.
# To try a mutation, the administrateur pastes one of his tokens in GraphiQL's headers: the page
# then calls the token endpoint itself, with exactly a program's rights.

GRAPHIQL_ASSETS = {
    "react.js": ("react/umd/react.production.min.js", "text/javascript"),
    "react-dom.js": ("react-dom/umd/react-dom.production.min.js", "text/javascript"),
    "graphiql.js": ("graphiql/graphiql.min.js", "text/javascript"),
    "graphiql.css": ("graphiql/graphiql.min.css", "text/css"),
}


@login_required
def graphiql(request):
    administrateur = _administrateur(request)
    first = selectors.procedures_administrees(administrateur).values_list("pk", flat=True).first()
    return render(request, "api/graphiql.html", {"exemple_numero": first or 1})


@require_http_methods(["GET", "HEAD"])
def graphiql_asset(request, name: str):
    """GraphiQL and React, installed from npm (package.json) and served from here: the page works offline."""
    if name not in GRAPHIQL_ASSETS:
        raise Http404("Fichier inconnu.")
    relative, content_type = GRAPHIQL_ASSETS[name]
    path = settings.BASE_DIR / "node_modules" / relative
    if not path.is_file():
        raise Http404("Les fichiers de GraphiQL ne sont pas installés (npm ci).")
    response = FileResponse(path.open("rb"), content_type=f"{content_type}; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_POST
def graphql_session(request):
    if not request.user.is_authenticated:
        return _error_response(401, "Connectez-vous pour utiliser l'explorateur de l'API.", "unauthenticated")
    if not policies.can_manage_tokens(request.user):
        return _error_response(403, "L'explorateur de l'API est réservé aux administrateurs.", "forbidden")
    administrateur = request.user.administrateur
    limit = auth.rate_limit_check_key(f"session-{request.user.pk}")
    if (refused := _rate_limited(limit)) is not None:
        return refused
    parsed, bad_request = _parse_body(request)
    if bad_request is not None:
        return bad_request
    context = ApiContext(
        request=request,
        token=None,
        administrateur=administrateur,
        procedure_ids=frozenset(selectors.procedures_administrees(administrateur).values_list("pk", flat=True)),
        write_access=False,
        batch=Batch(),
    )
    return _execute(parsed, context, _rate_headers(limit), read_only=True)


# --- Signed downloads -------------------------------------------------------------------------------


def fichier(request, token: str):
    unsigned = files.unsign(token)
    if unsigned is None:
        raise Http404("Ce lien de téléchargement est invalide ou a expiré (il est valable une heure).")
    if len(unsigned) == 4:
        return _document_du_dossier(request, *unsigned)
    kind, pk = unsigned
    if kind == "piece":
        piece = get_object_or_404(PieceJointe, pk=pk)
        return file_response(piece.file, piece.filename)
    if kind == "message":
        commentaire = get_object_or_404(Commentaire, pk=pk)
        return file_response(commentaire.piece_jointe, commentaire.piece_jointe_filename or None)
    if kind == "attestation":
        from demarches.documents.models import Attestation

        attestation = get_object_or_404(Attestation.objects.exclude(file=""), pk=pk, revoked_at__isnull=True)
        return file_response(attestation.file, attestation.file.name.rsplit("/", 1)[-1])
    if kind == "avis":
        avis = get_object_or_404(Avis.objects.exclude(piece_justificative=""), pk=pk)
        return file_response(avis.piece_justificative, avis.piece_justificative.name.rsplit("/", 1)[-1])
    dossier = get_object_or_404(Dossier, pk=pk)
    return file_response(dossier.justificatif_motivation)


def _lecteur_voit(request, dossier, reader: str, reader_pk: int) -> bool:
    """Whether whoever got the link still sees the dossier: the token is active, allowed from this
    network and covers the démarche; or the explorer's administrateur still administers it."""
    if reader == "token":
        token = APIToken.objects.select_related("administrateur").filter(pk=reader_pk).first()
        return (
            token is not None and token.is_active and token.allows_ip(_client_ip(request))
            and dossier.procedure_id in selectors.procedures_du_jeton(token)
        )
    return selectors.procedures_administrees(reader_pk).filter(pk=dossier.procedure_id).exists()


def _document_du_dossier(request, kind: str, pk: int, reader: str, reader_pk: int):
    """The dossier's PDF or GeoJSON, made at download time for a reader checked again now."""
    from demarches.documents import pdfs
    from demarches.documents import selectors as document_selectors
    from demarches.exports import geojson

    dossier = document_selectors.dossier_complet(pk)
    if dossier is None or dossier.state == Dossier.State.BROUILLON or not _lecteur_voit(request, dossier, reader, reader_pk):
        raise Http404("Ce lien de téléchargement est invalide ou a expiré (il est valable une heure).")
    if kind == "pdf":
        content = pdfs.dossier_pdf(dossier, lecteur="instructeur", avec_annotations=True, avec_avis=True)
        response = HttpResponse(content, content_type="application/pdf")
        filename = files.document_filename("pdf", dossier.pk)
    else:
        features = list(geojson.features(Dossier.objects.filter(pk=dossier.pk)))
        body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
        response = HttpResponse(body.encode("utf-8"), content_type="application/geo+json")
        filename = files.document_filename("geojson", dossier.pk)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
