"""The attestation delivered with a decision is reachable through the API (Dossier.attestation)."""

import json
import re

import pytest

from demarches.api import services as api_services
from demarches.dossiers import transitions

from .conftest import deposer, instruire, pdf_text, response_bytes
from .test_attestations import activer

pytestmark = pytest.mark.django_db

QUERY = "query($n: Int!) { dossier(number: $n) { state attestation { filename contentType url } } }"


def ask(client, secret, number):
    response = client.post(
        "/api/v2/graphql", data=json.dumps({"query": QUERY, "variables": {"n": number}}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    return response.json()["data"]["dossier"]


def test_accepted_dossier_exposes_its_attestation_with_a_signed_link(
    client, procedure, instructeur, administrateur, django_capture_on_commit_callbacks
):
    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Logiciel", write_access=False)
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)
    assert ask(client, secret, dossier.pk)["attestation"] is None

    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Conforme.")

    attestation = ask(client, secret, dossier.pk)["attestation"]
    assert attestation["contentType"] == "application/pdf" and attestation["filename"].endswith(".pdf")
    download = client.get(re.sub(r"^https?://[^/]+", "", attestation["url"]))
    assert download.status_code == 200
    assert "Attestation d'acceptation" in pdf_text(response_bytes(download))


def test_revoked_attestation_is_no_longer_exposed(client, procedure, instructeur, administrateur, django_capture_on_commit_callbacks):
    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Logiciel", write_access=False)
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Conforme.")
    with django_capture_on_commit_callbacks(execute=True):
        transitions.repasser_en_instruction(dossier=dossier, instructeur=instructeur)

    assert ask(client, secret, dossier.pk)["attestation"] is None
