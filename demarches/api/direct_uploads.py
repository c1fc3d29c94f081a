"""Direct uploads, as in the reference API: prepare, PUT the bytes, then reference the blob.

1. `createDirectUpload` (GraphQL) checks the announced name, type, size and MD5 checksum and
   returns a signed upload URL, the headers to send, a blob id and a signed blob id.
2. The client PUTs the file to the URL (`direct_upload_recevoir`, no token needed: the URL is
   signed and valid one hour). The bytes must match the announced size, checksum and type.
3. The client passes the signed blob id as `justificatif` (accepter, refuser, classer sans suite)
   or `attachment` (envoyer un message); `blob_fichier` turns it back into the file, for the same
   dossier only, within a day.

No table: everything the upload needs travels in the signed values; the bytes wait in the
default storage under `api/direct_uploads/<blob id>/` until a mutation uses them.
"""

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from demarches.fields.types.piece_justificative import ALLOWED_CONTENT_TYPES, check_upload

UPLOAD_SALT = "demarches.api.direct_upload.url"
BLOB_SALT = "demarches.api.direct_upload.blob"
UPLOAD_MAX_AGE = 3600  # the PUT must follow within an hour
BLOB_MAX_AGE = 24 * 3600  # the blob must be used within a day
PREFIX = "api/direct_uploads"


def max_size() -> int:
    """The largest file a mutation accepts (justificatif of a decision, attachment of a message)."""
    return min(settings.JUSTIFICATIF_MOTIVATION_MAX_SIZE, settings.MESSAGE_ATTACHMENT_MAX_SIZE)


@dataclass
class DirectUploadCredentials:
    url: str
    headers: str
    blob_id: str
    signed_blob_id: str


def _clean_filename(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200]


def _storage_path(key: str, filename: str) -> str:
    return f"{PREFIX}/{key}/{filename}"


def preparer(*, dossier, token_id: int, filename: str, content_type: str, byte_size: int, checksum: str) -> DirectUploadCredentials:
    """Check what the client announces and sign the upload. Raises ValidationError (French)."""
    name = _clean_filename(filename)
    if not name:
        raise ValidationError("Indiquez le nom du fichier (« filename »).")
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    extensions = ALLOWED_CONTENT_TYPES.get((content_type or "").lower())
    if extensions is None:
        raise ValidationError(f"Le type de fichier « {content_type} » n'est pas accepté.")
    if extension not in extensions:
        raise ValidationError(f"L'extension du fichier « {name} » ne correspond pas à son type {content_type}.")
    if byte_size <= 0:
        raise ValidationError(f"Le fichier « {name} » est vide.")
    if byte_size > max_size():
        raise ValidationError(
            f"Le fichier « {name} » est trop volumineux ({filesizeformat(byte_size)}) : "
            f"la taille maximale est de {filesizeformat(max_size())}."
        )
    try:
        digest = base64.b64decode(checksum or "", validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        raise ValidationError("« checksum » doit être l'empreinte MD5 du fichier, encodée en base64.")
    key = uuid.uuid4().hex
    blob = {"k": key, "d": dossier.pk, "f": name, "c": content_type.lower(), "s": byte_size, "m": checksum}
    upload_token = signing.dumps({**blob, "t": token_id}, salt=UPLOAD_SALT)
    return DirectUploadCredentials(
        url=settings.SITE_URL.rstrip("/") + reverse("api:direct_upload", args=[upload_token]),
        headers=json.dumps({"Content-Type": content_type.lower(), "Content-MD5": checksum}),
        blob_id=key,
        signed_blob_id=signing.dumps(blob, salt=BLOB_SALT),
    )


class UploadRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def recevoir(upload_token: str, *, content_type: str, stream, content_length: int | None) -> str:
    """Store the PUT body of a signed upload URL; returns the blob id. Raises UploadRefused."""
    try:
        blob = signing.loads(upload_token, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise UploadRefused(403, "Ce lien de dépôt a expiré (il est valable une heure) : relancez createDirectUpload.") from None
    except signing.BadSignature:
        raise UploadRefused(403, "Ce lien de dépôt est invalide.") from None
    expected_size = blob["s"]
    if (content_type or "").split(";")[0].strip().lower() != blob["c"]:
        raise UploadRefused(400, f"L'en-tête Content-Type doit être « {blob['c']} », comme annoncé.")
    if content_length is not None and content_length != expected_size:
        raise UploadRefused(400, f"Le fichier doit faire {expected_size} octets, comme annoncé ({content_length} reçus).")
    data = stream.read(expected_size + 1)
    if len(data) != expected_size:
        raise UploadRefused(400, f"Le fichier doit faire {expected_size} octets, comme annoncé ({len(data)} reçus).")
    if base64.b64encode(hashlib.md5(data).digest()).decode() != blob["m"]:  # noqa: S324 (checksum, not security)
        raise UploadRefused(400, "L'empreinte MD5 du fichier reçu ne correspond pas à celle annoncée (« checksum »).")
    uploaded = ContentFile(data, name=blob["f"])
    try:
        check_upload(uploaded, max_size=max_size())
    except ValidationError as error:
        raise UploadRefused(400, error.messages[0]) from None
    path = _storage_path(blob["k"], blob["f"])
    if default_storage.exists(path):
        raise UploadRefused(409, "Ce fichier a déjà été déposé.")
    default_storage.save(path, uploaded)
    return blob["k"]


def blob_fichier(signed_blob_id: str, *, dossier, argument: str) -> ContentFile:
    """The uploaded file a signed blob id designates, for this dossier. Raises ValidationError (French).

    Call `blob_consommer` once the file is attached: the stored bytes are then deleted.
    """
    try:
        blob = signing.loads(signed_blob_id or "", salt=BLOB_SALT, max_age=BLOB_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(f"« {argument} » : ce fichier a été déposé il y a plus d'un jour, déposez-le à nouveau.") from None
    except signing.BadSignature:
        raise ValidationError(
            f"« {argument} » doit être le « signedBlobId » rendu par createDirectUpload."
        ) from None
    if blob.get("d") != dossier.pk:
        raise ValidationError(f"« {argument} » : ce fichier a été préparé pour un autre dossier.")
    path = _storage_path(blob["k"], blob["f"])
    if not default_storage.exists(path):
        raise ValidationError(
            f"« {argument} » : le fichier n'a pas été déposé (envoyez-le par PUT à l'adresse rendue par "
            "createDirectUpload) ou il a déjà été utilisé."
        )
    with default_storage.open(path, "rb") as handle:
        uploaded = ContentFile(handle.read(), name=blob["f"])
    uploaded.blob_path = path
    return uploaded


def blob_consommer(uploaded) -> None:
    """The file was attached (to a decision or a message): its upload is deleted after commit."""
    path = getattr(uploaded, "blob_path", None)
    if path:
        transaction.on_commit(lambda: default_storage.delete(path))
