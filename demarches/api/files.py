"""Signed download links for the files the API exposes (valid one hour, no session needed)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "demarches.api.fichier"
MAX_AGE = 3600
KINDS = ("piece", "message", "motivation", "avis", "attestation")


def signed_url(kind: str, pk: int) -> str:
    token = signing.dumps([kind, pk], salt=SALT)
    return settings.SITE_URL.rstrip("/") + reverse("api:fichier", args=[token])


def unsign(token: str) -> tuple[str, int] | None:
    try:
        kind, pk = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in KINDS or not isinstance(pk, int):
        return None
    return kind, pk
