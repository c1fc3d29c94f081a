"""Reads of the API app: tokens of an administrateur, the scope of a token, the webhook log."""

from django.db.models import QuerySet

from demarches.procedures.models import Procedure

from .models import APIToken, WebhookDelivery, WebhookSubscription


def jetons_de(administrateur) -> QuerySet:
    return APIToken.objects.filter(administrateur=administrateur).prefetch_related("procedures").order_by("-created_at", "-id")


def procedures_du_jeton(token: APIToken) -> frozenset[int]:
    """The démarches a token may read: those its administrateur administers, within its scope (one query)."""
    procedures = Procedure.objects.filter(administrateurs=token.administrateur_id)
    if not token.all_procedures:
        procedures = procedures.filter(pk__in=token.procedures.values("pk"))
    return frozenset(procedures.values_list("pk", flat=True))


def livraisons_de(procedure, limit: int = 50) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(procedure=procedure).order_by("-created_at", "-id")[:limit])


def procedures_administrees(administrateur) -> QuerySet:
    return Procedure.objects.filter(administrateurs=administrateur).order_by("-created_at", "-pk")


def webhook_de(procedure) -> WebhookSubscription | None:
    return WebhookSubscription.objects.filter(procedure=procedure).first()
