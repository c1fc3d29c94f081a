"""Authentication and rate limiting of API requests.

Tokens travel in `Authorization: Bearer <token>` (the older `Bearer token=<token>` form is
accepted too). Each token may make RATE_LIMIT requests per minute; beyond, HTTP 429 tells the
client when the window resets.
"""

import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from . import services
from .models import APIToken


def rate_limit() -> int:
    return getattr(settings, "API_RATE_LIMIT_PER_MINUTE", 400)


@dataclass
class Refusal:
    status: int
    message: str
    code: str


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    if value.startswith("token="):
        value = value[len("token="):].strip().strip('"')
    return value or None


def authenticate(header: str | None) -> APIToken | Refusal:
    value = bearer_token(header)
    if value is None:
        return Refusal(401, "Authentification requise : envoyez votre jeton dans l'en-tête « Authorization: Bearer <jeton> ».", "unauthenticated")
    decoded = services.token_decode(value)
    token = None
    if decoded is not None:
        pk, secret = decoded
        token = APIToken.objects.select_related("administrateur__user").filter(pk=pk).first()
        if token is not None and not hmac.compare_digest(token.secret_digest, services.secret_digest(secret)):
            token = None
    if token is None:
        return Refusal(401, "Jeton inconnu : vérifiez qu'il a été copié en entier.", "unauthenticated")
    if token.is_revoked:
        return Refusal(401, "Ce jeton a été révoqué : créez-en un nouveau depuis votre profil administrateur.", "revoked_token")
    if token.is_expired:
        return Refusal(401, "Ce jeton a expiré : créez-en un nouveau depuis votre profil administrateur.", "expired_token")
    return token


@dataclass
class RateLimit:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window resets


def rate_limit_check(token: APIToken, now: float | None = None) -> RateLimit:
    return rate_limit_check_key(token.pk, now)


def rate_limit_check_key(key, now: float | None = None) -> RateLimit:
    """Count one request for `key` (a token id, or another client such as an explorer session)."""
    now = time.time() if now is None else now
    window = int(now // 60)
    key = f"api-rate:{key}:{window}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    limit = rate_limit()
    reset = max(1, int((window + 1) * 60 - now))
    return RateLimit(allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset=reset)
