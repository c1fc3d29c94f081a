"""Signed download links for the files the API exposes (valid one hour, no session needed).

Stored files (pièces jointes, message attachments, justificatifs, avis, attestations) are signed
as (kind, pk). Documents made on demand from the dossier (its PDF, its GeoJSON) are signed with
the reader too — the token, or the administrateur when the explorer runs on a session — and the
download checks again that this reader still sees the dossier: revoking the token or narrowing its
scope closes the links it handed out.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "demarches.api.fichier"
MAX_AGE = 3600
KINDS = ("piece", "message", "motivation", "avis", "attestation")
DOSSIER_DOCUMENTS = ("pdf", "geojson")
READERS = ("token", "administrateur")


def signed_url(kind: str, pk: int) -> str:
    token = signing.dumps([kind, pk], salt=SALT)
    return settings.SITE_URL.rstrip("/") + reverse("api:fichier", args=[token])


def reader_of(context) -> tuple[str, int]:
    """Who asked for a dossier document: the token of the request, or the explorer's administrateur."""
    if context.token is not None:
        return "token", context.token.pk
    return "administrateur", context.administrateur.pk


def signed_document_url(kind: str, dossier_pk: int, reader: tuple[str, int]) -> str:
    token = signing.dumps([kind, dossier_pk, reader[0], reader[1]], salt=SALT)
    return settings.SITE_URL.rstrip("/") + reverse("api:fichier", args=[token])


def document_filename(kind: str, dossier_pk: int) -> str:
    return f"dossier-{dossier_pk}.pdf" if kind == "pdf" else f"dossier-{dossier_pk}-features.json"


def unsign(token: str) -> tuple | None:
    """(kind, pk) of a stored file, (kind, dossier pk, reader kind, reader pk) of a dossier document."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, list):
        return None
    if len(payload) == 2:
        kind, pk = payload
        if kind not in KINDS or not isinstance(pk, int):
            return None
        return kind, pk
    if len(payload) == 4:
        kind, pk, reader, reader_pk = payload
        if kind not in DOSSIER_DOCUMENTS or reader not in READERS or not isinstance(pk, int) or not isinstance(reader_pk, int):
            return None
        return kind, pk, reader, reader_pk
    return None
