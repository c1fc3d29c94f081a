"""createDirectUpload, the signed PUT, then the blob used as justificatif or attachment."""

import base64
import hashlib
import json

import pytest
from django.core.files.storage import default_storage

from demarches.api import direct_uploads
from demarches.api.graphql.ids import global_id
from demarches.dossiers import transitions
from demarches.dossiers.models import Commentaire, Dossier
from tests import factories

from .conftest import PDF
from .test_mutations import ids, mutate

UPLOAD = "clientMutationId directUpload { url headers blobId signedBlobId }"


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def preparer(gql, secret, dossier, data=PDF, **overrides):
    variables = {
        "dossierId": global_id("Dossier", dossier.pk), "filename": "decision.pdf", "byteSize": len(data),
        "checksum": md5(data), "contentType": "application/pdf", **overrides,
    }
    return mutate(gql, secret, "createDirectUpload", "CreateDirectUploadInput", variables, selection=UPLOAD)


def put(client, upload, data=PDF):
    headers = json.loads(upload["headers"])
    path = upload["url"].split("://", 1)[-1].split("/", 1)[1]
    return client.generic("PUT", "/" + path, data=data, content_type=headers["Content-Type"])


@pytest.fixture
def en_instruction(dossier, instructeur):
    return transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)


def deposer(gql, client, secret, dossier, data=PDF):
    body = preparer(gql, secret, dossier, data)
    upload = body["data"]["createDirectUpload"]["directUpload"]
    response = put(client, upload, data)
    assert response.status_code == 200, response.content
    return upload


def test_accepter_with_an_uploaded_justificatif(gql, client, jeton, en_instruction, instructeur, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    # Given a file prepared then PUT to the signed URL
    upload = deposer(gql, client, jeton[1], en_instruction)
    assert json.loads(upload["headers"]) == {"Content-Type": "application/pdf", "Content-MD5": md5(PDF)}
    assert default_storage.exists(f"{direct_uploads.PREFIX}/{upload['blobId']}/decision.pdf")
    # When the decision references it
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], "dossierAccepter", "DossierAccepterInput",
                      {**ids(en_instruction, instructeur), "justificatif": upload["signedBlobId"]},
                      selection="errors { message } dossier { state motivationAttachment { filename } }")
    # Then the dossier is accepted with the file as justificatif, the usager is told, the upload is consumed
    payload = body["data"]["dossierAccepter"]
    assert payload["errors"] is None and payload["dossier"]["state"] == "accepte"
    assert payload["dossier"]["motivationAttachment"]["filename"]
    dossier = Dossier.objects.get(pk=en_instruction.pk)
    with dossier.justificatif_motivation.open("rb") as handle:
        assert handle.read() == PDF
    assert len(mailoutbox) == 1
    assert not default_storage.exists(f"{direct_uploads.PREFIX}/{upload['blobId']}/decision.pdf")
    # And the same blob cannot be used twice
    other = factories.dossier_creer(procedure=en_instruction.procedure, state=Dossier.State.EN_CONSTRUCTION)
    transitions.passer_en_instruction(dossier=other, instructeur=instructeur)
    body = mutate(gql, jeton[1], "dossierRefuser", "DossierRefuserInput",
                  {**ids(other, instructeur), "motivation": "Non.", "justificatif": upload["signedBlobId"]})
    assert "autre dossier" in body["data"]["dossierRefuser"]["errors"][0]["message"]


def test_envoyer_message_with_an_attachment(gql, client, jeton, dossier, instructeur, mailoutbox,
                                            django_capture_on_commit_callbacks):
    upload = deposer(gql, client, jeton[1], dossier)
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], "dossierEnvoyerMessage", "DossierEnvoyerMessageInput",
                      {**ids(dossier, instructeur), "body": "Voici la pièce.", "attachment": upload["signedBlobId"]},
                      selection="errors { message } message { body attachment { filename } }")
    payload = body["data"]["dossierEnvoyerMessage"]
    assert payload["errors"] is None and payload["message"]["attachment"]["filename"] == "decision.pdf"
    commentaire = Commentaire.objects.get(dossier=dossier, body="Voici la pièce.")
    assert commentaire.piece_jointe_filename == "decision.pdf"
    with commentaire.piece_jointe.open("rb") as handle:
        assert handle.read() == PDF
    assert [m.to for m in mailoutbox] == [[dossier.user.email]]


def test_blob_not_uploaded_yet_is_refused(gql, jeton, en_instruction, instructeur):
    upload = preparer(gql, jeton[1], en_instruction)["data"]["createDirectUpload"]["directUpload"]
    body = mutate(gql, jeton[1], "dossierAccepter", "DossierAccepterInput",
                  {**ids(en_instruction, instructeur), "justificatif": upload["signedBlobId"]})
    assert "pas été déposé" in body["data"]["dossierAccepter"]["errors"][0]["message"]
    assert Dossier.objects.get(pk=en_instruction.pk).state == "en_instruction"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"contentType": "application/x-msdownload", "filename": "virus.exe"}, "n'est pas accepté"),
        ({"filename": "decision.png"}, "ne correspond pas"),
        ({"byteSize": 0}, "vide"),
        ({"byteSize": 500 * 1024 * 1024}, "trop volumineux"),
        ({"checksum": "pas-une-empreinte"}, "MD5"),
    ],
)
def test_create_direct_upload_checks_what_is_announced(gql, jeton, dossier, overrides, message):
    body = preparer(gql, jeton[1], dossier, **overrides)
    assert body["data"]["createDirectUpload"] is None
    assert message in body["errors"][0]["message"]


def test_put_checks_size_checksum_and_content(gql, client, jeton, dossier):
    upload = preparer(gql, jeton[1], dossier)["data"]["createDirectUpload"]["directUpload"]
    # Other bytes than announced (same length): checksum mismatch
    tampered = PDF.replace(b"obj", b"OBJ")
    assert put(client, upload, tampered).status_code == 400
    # Wrong length
    assert put(client, upload, PDF + b"x").status_code == 400
    # Content that is not a PDF, announced as one
    fake = b"MZ" + b"\0" * (len(PDF) - 2)
    fake_upload = preparer(gql, jeton[1], dossier, fake)["data"]["createDirectUpload"]["directUpload"]
    response = put(client, fake_upload, fake)
    assert response.status_code == 400 and "ne correspond pas" in response.json()["errors"][0]["message"]
    # A forged URL
    response = client.generic("PUT", "/api/v2/direct_uploads/faux", data=PDF, content_type="application/pdf")
    assert response.status_code == 403
    # The genuine one, then again
    assert put(client, upload).status_code == 200
    assert put(client, upload).status_code == 409
    # GET is not allowed
    path = "/" + upload["url"].split("://", 1)[-1].split("/", 1)[1]
    assert client.get(path).status_code == 405


def test_create_direct_upload_authorisation(gql, administrateur, jeton, dossier, instructeur):
    from demarches.api import services as api_services

    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Lecture", write_access=False)
    assert preparer(gql, secret, dossier)["errors"][0]["extensions"]["code"] == "forbidden"
    other = factories.procedure_creer(instructeurs=[instructeur])
    foreign = factories.dossier_creer(procedure=other, state=Dossier.State.EN_CONSTRUCTION)
    assert preparer(gql, jeton[1], foreign)["errors"][0]["extensions"]["code"] == "unauthorized"
