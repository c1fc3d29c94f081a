"""Writes of the API app: tokens and webhooks, named in the domain's words."""

import base64
import hashlib
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from demarches.audit.services import operation_enregistrer

from .models import APIToken, WebhookDelivery, WebhookSubscription

TOKEN_DURATIONS_DAYS = (7, 30, 90, 182, 365)
DEFAULT_DURATION_DAYS = 30
MAX_DURATION_DAYS = 365
RECENT_IPS_KEPT = 5
# An e-mail is sent to the administrateur this many days before a token expires, once for each.
EXPIRY_NOTICE_DAYS = (7, 1)
LAST_USE_PRECISION = timezone.timedelta(minutes=1)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_encode(pk: int, secret: str) -> str:
    return base64.urlsafe_b64encode(f"{pk};{secret}".encode()).decode().rstrip("=")


def token_decode(value: str) -> tuple[int, str] | None:
    text = (value or "").strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    pk, sep, secret = raw.partition(";")
    if not sep or not pk.isdigit() or not secret:
        return None
    return int(pk), secret


def normaliser_reseaux(lignes: list[str]) -> list[str]:
    """Validate IP addresses or ranges (CIDR), one per line; French message on the first bad one."""
    reseaux = []
    for ligne in lignes:
        ligne = ligne.strip()
        if not ligne:
            continue
        try:
            reseaux.append(str(ipaddress.ip_network(ligne, strict=False)))
        except ValueError:
            raise ValidationError(
                {"allowed_networks": f"« {ligne} » n'est ni une adresse IP ni une plage d'adresses (par exemple 192.0.2.0/24)."}
            ) from None
    return reseaux


@transaction.atomic
def api_token_creer(
    *, administrateur, name: str, write_access: bool, procedures=None, duree_jours: int = DEFAULT_DURATION_DAYS,
    allowed_networks: list[str] | None = None,
) -> tuple[APIToken, str]:
    """Create a token; returns it with the secret to show once (only its digest is kept)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Donnez un nom au jeton, pour le reconnaître plus tard."})
    if not 1 <= int(duree_jours) <= MAX_DURATION_DAYS:
        raise ValidationError({"duree_jours": f"La durée de validité doit être comprise entre 1 et {MAX_DURATION_DAYS} jours."})
    procedures = list(procedures or [])
    for procedure in procedures:
        if not procedure.administrateurs.filter(pk=administrateur.pk).exists():
            raise PermissionDenied("Vous ne pouvez donner accès qu'aux démarches que vous administrez.")
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    token = APIToken.objects.create(
        administrateur=administrateur,
        name=name,
        secret_digest=secret_digest(secret),
        all_procedures=not procedures,
        write_access=write_access,
        allowed_networks=normaliser_reseaux(allowed_networks or []),
        created_at=now,
        expires_at=now + timezone.timedelta(days=int(duree_jours)),
    )
    if procedures:
        token.procedures.set(procedures)
    operation_enregistrer(
        operation="api_token_creer", actor=administrateur.user,
        data={"token_id": token.pk, "name": name, "write_access": write_access, "procedures": [p.pk for p in procedures]},
    )
    return token, token_encode(token.pk, secret)


@transaction.atomic
def api_token_revoquer(*, token: APIToken, administrateur) -> APIToken:
    if token.administrateur_id != administrateur.pk:
        raise PermissionDenied("Ce jeton ne vous appartient pas.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        operation_enregistrer(operation="api_token_revoquer", actor=administrateur.user, data={"token_id": token.pk})
    return token


def api_token_utilisation_noter(*, token: APIToken, ip: str) -> None:
    """Remember when and from where the token was last used (written at most once a minute per address)."""
    now = timezone.now()
    ips = list(token.last_used_ips or [])
    recent = token.last_used_at is not None and now - token.last_used_at < LAST_USE_PRECISION
    if recent and ip in ips:
        return
    if ip:
        ips = [ip] + [known for known in ips if known != ip]
    APIToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ips=ips[:RECENT_IPS_KEPT])


def api_tokens_expiration_prevenir(*, now=None) -> int:
    """E-mail the administrateurs whose tokens expire soon; returns how many notices were sent.

    Each threshold of EXPIRY_NOTICE_DAYS gives one notice per token, never two: a token found
    within several thresholds at once (the job did not run for a while, or the token was created
    with a short validity) gets only the most urgent notice, and the wider thresholds count as
    sent. Revoked and expired tokens get nothing. Safe to run often and concurrently.
    """
    from django.urls import reverse

    from demarches.core.emails import email_envoyer

    now = now or timezone.now()
    horizon = now + timezone.timedelta(days=max(EXPIRY_NOTICE_DAYS))
    candidates = APIToken.objects.filter(revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=horizon)
    sent = 0
    for token_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            token = (
                APIToken.objects.select_for_update(skip_locked=True).select_related("administrateur__user")
                .filter(pk=token_id, revoked_at__isnull=True).first()
            )
            if token is None:
                continue
            remaining = token.expires_at - now
            due = [days for days in EXPIRY_NOTICE_DAYS if remaining <= timezone.timedelta(days=days)]
            already = set(token.expiry_notices_sent or [])
            if not due or min(due) in already:
                continue
            jours = (timezone.localdate(token.expires_at) - timezone.localdate(now)).days
            email_envoyer(
                to=token.administrateur.user.email,
                subject=f"Votre jeton d'API « {token.name} » expire {_dans(jours)}",
                template="api/emails/jeton_expiration",
                context={
                    "jeton": token, "jours": jours,
                    "procedures": [f"n° {pk}" for pk in token.procedures.values_list("pk", flat=True)],
                    "jetons_url": settings.SITE_URL.rstrip("/") + reverse("api:jetons"),
                },
                kind="api_jeton_expiration",
            )
            token.expiry_notices_sent = sorted(already | set(due))
            token.save(update_fields=["expiry_notices_sent"])
            sent += 1
    return sent


def _dans(jours: int) -> str:
    return "aujourd'hui" if jours == 0 else "demain" if jours == 1 else f"dans {jours} jours"


# --- Webhooks ---------------------------------------------------------------------------------------


@transaction.atomic
def webhook_configurer(*, procedure, administrateur, url: str) -> WebhookSubscription | None:
    """Set the démarche's webhook URL (a new secret is drawn when there was none); an empty URL removes it."""
    if not procedure.administrateurs.filter(pk=administrateur.pk).exists():
        raise PermissionDenied("Vous n'administrez pas cette démarche.")
    url = (url or "").strip()
    existing = WebhookSubscription.objects.filter(procedure=procedure).first()
    if not url:
        if existing is not None:
            existing.delete()
            operation_enregistrer(operation="webhook_supprimer", actor=administrateur.user, procedure=procedure)
        return None
    if not url.startswith(("https://", "http://")):
        raise ValidationError({"url": "L'adresse doit commencer par https:// (ou http://)."})
    if existing is None:
        existing = WebhookSubscription.objects.create(procedure=procedure, url=url, secret=secrets.token_hex(32))
    elif existing.url != url:
        existing.url = url
        existing.save(update_fields=["url", "updated_at"])
    operation_enregistrer(operation="webhook_configurer", actor=administrateur.user, procedure=procedure, data={"url": url})
    return existing


@transaction.atomic
def webhook_secret_renouveler(*, procedure, administrateur) -> WebhookSubscription:
    if not procedure.administrateurs.filter(pk=administrateur.pk).exists():
        raise PermissionDenied("Vous n'administrez pas cette démarche.")
    subscription = WebhookSubscription.objects.select_for_update().get(procedure=procedure)
    subscription.secret = secrets.token_hex(32)
    subscription.save(update_fields=["secret", "updated_at"])
    operation_enregistrer(operation="webhook_secret_renouveler", actor=administrateur.user, procedure=procedure)
    return subscription


def webhook_livraison_renvoyer(*, delivery: WebhookDelivery, administrateur) -> WebhookDelivery:
    """Send a notification again now, whatever became of the previous attempts."""
    from . import webhooks

    if not delivery.procedure.administrateurs.filter(pk=administrateur.pk).exists():
        raise PermissionDenied("Vous n'administrez pas cette démarche.")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=None)
        transaction.on_commit(lambda: webhooks.enqueue(delivery.pk))
    delivery.refresh_from_db()
    return delivery
