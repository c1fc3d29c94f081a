from typing import Optional

import strawberry
from django.core.exceptions import ValidationError as DjangoValidationError

from ... import direct_uploads
from ..errors import BadRequest
from .base import dossier_modifiable


@strawberry.input(description="Les informations du fichier à déposer.")
class CreateDirectUploadInput:
    dossier_id: strawberry.ID = strawberry.field(description="Dossier ID")
    filename: str = strawberry.field(description="Original file name")
    byte_size: int = strawberry.field(description="File size (bytes)")
    checksum: str = strawberry.field(description="MD5 file checksum as base64")
    content_type: str = strawberry.field(description="File content type")
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type(description="Represents direct upload credentials")
class DirectUpload:
    url: str = strawberry.field(description="Upload URL")
    headers: str = strawberry.field(description="HTTP request headers (JSON-encoded)")
    blob_id: strawberry.ID = strawberry.field(description="Created blob record ID")
    signed_blob_id: strawberry.ID = strawberry.field(description="Created blob record signed ID")


@strawberry.type
class CreateDirectUploadPayload:
    direct_upload: DirectUpload
    client_mutation_id: Optional[str]


def create_direct_upload(info: strawberry.Info, input: CreateDirectUploadInput) -> Optional[CreateDirectUploadPayload]:
    dossier = dossier_modifiable(info, input.dossier_id)
    try:
        credentials = direct_uploads.preparer(
            dossier=dossier, token_id=info.context.token.pk, filename=input.filename, content_type=input.content_type,
            byte_size=input.byte_size, checksum=input.checksum,
        )
    except DjangoValidationError as error:
        # The payload has no `errors` in the reference: refusals are top-level errors.
        raise BadRequest(error.messages[0]) from None
    return CreateDirectUploadPayload(
        direct_upload=DirectUpload(
            url=credentials.url, headers=credentials.headers, blob_id=credentials.blob_id,
            signed_blob_id=credentials.signed_blob_id,
        ),
        client_mutation_id=input.client_mutation_id or None,
    )
