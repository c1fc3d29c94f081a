"""Signed links sent by e-mail to unlock an account.

The token carries the user id and the moment the account was locked: once the account is unlocked (or locked
again later), an older link stops working. It is valid as long as the lock itself.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from . import policies
from .models import User

UNLOCK_SALT = "demarches.accounts.deverrouillage"


def unlock_token_make(user: User) -> str:
    return signing.dumps({"u": user.pk, "at": user.locked_at.isoformat()}, salt=UNLOCK_SALT, compress=True)


def unlock_url(user: User) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("compte_deverrouiller", args=[unlock_token_make(user)])


def unlock_token_user(token: str) -> User | None:
    """The locked account the token was issued for, or None if it is forged, expired or already used."""
    try:
        payload = signing.loads(token, salt=UNLOCK_SALT, max_age=policies.lock_duration())
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=payload.get("u")).first()
    if user is None or user.locked_at is None or user.locked_at.isoformat() != payload.get("at"):
        return None
    return user
