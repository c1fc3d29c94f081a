"""Trusted browsers for agents ("connexion sécurisée").

An instructeur or administrateur logging in from a browser we do not know yet receives a link by e-mail. Opening it
marks the browser as trusted for TRUSTED_DEVICE_DAYS with a signed cookie; a renewal link is e-mailed shortly before
that trust ends, so that an agent who works every day is not interrupted.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from demarches.core.emails import email_envoyer

from .models import JetonConnexion, User

COOKIE_NAME = "appareil_de_confiance"
COOKIE_SALT = "demarches.accounts.appareil"
SESSION_KEY = "appareil_verifie"
LINK_VALIDITY = timedelta(days=7)
RESEND_DELAY = timedelta(minutes=15)
RENEWAL_NOTICE = timedelta(days=7)
AGENT_PATH_PREFIXES = ("/procedures/", "/admin/", "/graphql")


def trust_duration() -> timedelta:
    return timedelta(days=settings.TRUSTED_DEVICE_DAYS)


def est_agent(user) -> bool:
    return bool(user.is_authenticated and (user.instructeur_profile or user.administrateur_profile))


def verification_requise(request) -> bool:
    """Whether this request must wait for the browser to be confirmed before reaching an agent page."""
    if not request.path.startswith(AGENT_PATH_PREFIXES):
        return False
    return verification_requise_pour(request)


def verification_requise_pour(request) -> bool:
    """Whether the logged-in agent still has to confirm this browser (whatever the page)."""
    if not settings.TRUSTED_DEVICE_ENABLED:
        return False
    user = request.user
    if not est_agent(user) or request.session.get(SESSION_KEY) == user.pk:
        return False
    if appareil_reconnu(request, user):
        request.session[SESSION_KEY] = user.pk
        return False
    return True


def appareil_reconnu(request, user: User) -> bool:
    payload = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=trust_duration())
    if not payload:
        return False
    try:
        user_id, jeton_id = (int(part) for part in payload.split(":"))
    except ValueError:
        return False
    return user_id == user.pk and JetonConnexion.objects.filter(pk=jeton_id, user=user, used_at__isnull=False).exists()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lien_recemment_envoye(user: User) -> bool:
    return JetonConnexion.objects.filter(
        user=user, used_at__isnull=True, created_at__gt=timezone.now() - RESEND_DELAY
    ).exists()


@transaction.atomic
def lien_envoyer(user: User, *, next_url: str = "", renouvellement: bool = False) -> JetonConnexion:
    secret = secrets.token_urlsafe(32)
    jeton = JetonConnexion.objects.create(user=user, secret_hash=_hash(secret))
    url = settings.SITE_URL.rstrip("/") + reverse("connexion_securisee", args=[secret])
    if next_url:
        url += "?" + urlencode({"next": signing.dumps(next_url, salt=COOKIE_SALT, compress=True)})
    email_envoyer(
        to=user.email,
        subject=(
            f"Renouvelez la connexion sécurisée à {settings.APPLICATION_NAME}"
            if renouvellement
            else f"Connexion sécurisée à {settings.APPLICATION_NAME}"
        ),
        template="accounts/emails/connexion_securisee",
        context={
            "user": user,
            "url": url,
            "renouvellement": renouvellement,
            "validity_days": LINK_VALIDITY.days,
            "trust_days": trust_duration().days,
        },
        kind="connexion_securisee",
    )
    return jeton


def lien_suivant(signed_next: str) -> str:
    """The page the agent wanted, carried signed in the link so that it cannot be turned into an open redirect."""
    try:
        next_url = signing.loads(signed_next, salt=COOKIE_SALT, max_age=LINK_VALIDITY)
    except signing.BadSignature:
        return ""
    return next_url if isinstance(next_url, str) and next_url.startswith("/") and not next_url.startswith("//") else ""


@transaction.atomic
def jeton_utiliser(secret: str) -> JetonConnexion | None:
    """The link's token, now marked used, or None if unknown, expired or already used."""
    jeton = (
        JetonConnexion.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(secret_hash=_hash(secret))
        .first()
    )
    if jeton is None or jeton.used_at is not None or jeton.created_at < timezone.now() - LINK_VALIDITY:
        return None
    jeton.used_at = timezone.now()
    jeton.save(update_fields=["used_at"])
    return jeton


def appareil_marquer(response, jeton: JetonConnexion) -> None:
    response.set_signed_cookie(
        COOKIE_NAME,
        f"{jeton.user_id}:{jeton.pk}",
        salt=COOKIE_SALT,
        max_age=int(trust_duration().total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def renouvellements_envoyer(*, now=None) -> int:
    """E-mail a fresh link to agents whose browser trust ends within RENEWAL_NOTICE; once per trusted browser."""
    now = now or timezone.now()
    start_of_window = now - trust_duration()
    end_of_window = start_of_window + RENEWAL_NOTICE
    sent = 0
    due = JetonConnexion.objects.filter(
        used_at__gt=start_of_window, used_at__lte=end_of_window, renouvellement_envoye_le__isnull=True
    ).select_related("user")
    for jeton in due:
        if not jeton.user.is_active or not est_agent(jeton.user):
            continue
        with transaction.atomic():
            claimed = JetonConnexion.objects.filter(pk=jeton.pk, renouvellement_envoye_le__isnull=True).update(
                renouvellement_envoye_le=now
            )
            if claimed:
                lien_envoyer(jeton.user, renouvellement=True)
                sent += 1
    return sent
