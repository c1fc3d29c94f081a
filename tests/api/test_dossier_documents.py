"""Dossier.pdf and Dossier.geojson: signed links that a program downloads without a session, for as
long as the token that asked for them still sees the dossier."""

import io
import json
import time

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from demarches.api import files
from demarches.api import services as api_services
from demarches.dossiers.models import Champ, Dossier
from demarches.procedures import services as procedure_services
from tests import factories

from .test_graphiql import _csrf, _post

DOCUMENTS = "query($n: Int!) { dossier(number: $n) { pdf { filename contentType byteSize checksum url } geojson { filename contentType url } } }"
POINT = {"type": "Point", "coordinates": [5.04, 47.32]}


def liens(gql, secret, dossier):
    status, body, _ = gql(secret, DOCUMENTS, {"n": dossier.pk})
    assert status == 200 and "errors" not in body, body.get("errors")
    return body["data"]["dossier"]


def telecharger(url):
    """Download as a program would: a fresh client, no session, no token."""
    return Client().get(url.removeprefix("http://testserver"))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_link_downloads_without_session(gql, jeton, dossier_complet):
    # Given a dossier with champs, a message and an avis, and the pdf field of the API
    pdf = liens(gql, jeton[1], dossier_complet)["pdf"]
    assert pdf["filename"] == f"dossier-{dossier_complet.pk}.pdf"
    assert (pdf["contentType"], pdf["byteSize"], pdf["checksum"]) == ("application/pdf", 0, "")
    # When a program downloads the link, without any session or token
    response = telecharger(pdf["url"])
    # Then it gets the dossier's PDF, as an instructeur sees it (champs and avis)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="dossier-{dossier_complet.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Projet n° 1" in text and "Qu'en pensez-vous ?" in text


def test_geojson_link_holds_the_carte_geometries(gql, jeton, administrateur, instructeur):
    # Given a dossier with a carte champ holding one point, and one without a carte value
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("carte", "Emprise du projet", False)]
    )
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    tdc = dossier.revision.types_de_champ.get(libelle="Emprise du projet")
    feature = {"type": "Feature", "id": "g0", "geometry": POINT, "properties": {"source": "selection_utilisateur"}}
    Champ.objects.update_or_create(
        dossier=dossier, stable_id=tdc.stable_id, row_id="",
        defaults={"type_de_champ": tdc, "value": "1 géométrie", "data": {"type": "FeatureCollection", "features": [feature]}},
    )
    vide = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    # When the links are downloaded
    geojson = liens(gql, jeton[1], dossier)["geojson"]
    assert (geojson["filename"], geojson["contentType"]) == (f"dossier-{dossier.pk}-features.json", "application/json")
    response = telecharger(geojson["url"])
    # Then the FeatureCollection holds the point, with the dossier and champ it comes from
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert [f["geometry"] for f in collection["features"]] == [POINT]
    assert collection["features"][0]["properties"]["numero_dossier"] == dossier.pk
    assert collection["features"][0]["properties"]["champ_libelle"] == "Emprise du projet"
    # And a dossier without geometry gives an empty collection
    empty = json.loads(telecharger(liens(gql, jeton[1], vide)["geojson"]["url"]).content)
    assert empty == {"type": "FeatureCollection", "features": []}


def test_out_of_scope_token_gets_no_link(gql, administrateur, dossier):
    # Given a token of the same administrateur restricted to another démarche
    autre = factories.procedure_creer(administrateur=administrateur, publier=False)
    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Autre", write_access=False, procedures=[autre])
    # When it asks for the dossier's documents
    status, body, _ = gql(secret, DOCUMENTS, {"n": dossier.pk})
    # Then it gets an error and no link at all
    assert status == 200 and body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "unauthorized"
    assert "url" not in json.dumps(body["data"])


def test_another_administrateur_token_gets_no_link(gql, dossier):
    _, secret = api_services.api_token_creer(administrateur=factories.AdministrateurFactory(), name="Ailleurs", write_access=True)
    status, body, _ = gql(secret, DOCUMENTS, {"n": dossier.pk})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "unauthorized"


def test_link_closes_when_the_token_loses_the_dossier(gql, jeton, administrateur, dossier):
    token, secret = jeton
    urls = liens(gql, secret, dossier)
    assert telecharger(urls["pdf"]["url"]).status_code == 200
    # When the token's scope is narrowed to another démarche
    autre = factories.procedure_creer(administrateur=administrateur, publier=False)
    token.all_procedures = False
    token.save(update_fields=["all_procedures"])
    token.procedures.set([autre])
    # Then the links it handed out no longer download
    assert telecharger(urls["pdf"]["url"]).status_code == 404
    assert telecharger(urls["geojson"]["url"]).status_code == 404
    # And when the scope is given back, then the token revoked, they stop again
    token.procedures.set([autre, dossier.procedure])
    assert telecharger(urls["geojson"]["url"]).status_code == 200
    api_services.api_token_revoquer(token=token, administrateur=administrateur)
    assert telecharger(urls["geojson"]["url"]).status_code == 404


def test_link_closes_when_the_token_expires_or_the_network_is_not_allowed(gql, jeton, dossier):
    token, secret = jeton
    url = liens(gql, secret, dossier)["geojson"]["url"]
    token.allowed_networks = ["10.0.0.0/8"]
    token.save(update_fields=["allowed_networks"])
    assert telecharger(url).status_code == 404  # the test client comes from 127.0.0.1
    token.allowed_networks = []
    token.expires_at = timezone.now() - timezone.timedelta(minutes=1)
    token.save(update_fields=["allowed_networks", "expires_at"])
    assert telecharger(url).status_code == 404


def test_link_is_signed_and_expires(gql, jeton, dossier, monkeypatch):
    url = liens(gql, jeton[1], dossier)["pdf"]["url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    # A link for another dossier cannot be made by editing the token
    forged = signing.dumps(["pdf", dossier.pk, "token", jeton[0].pk], salt="autre")
    assert telecharger(url.replace(token, forged)).status_code == 404
    assert telecharger(url.replace(token, token[:-2] + "xx")).status_code == 404
    # And after an hour the link is dead
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + files.MAX_AGE + 5)
    assert telecharger(url).status_code == 404


def test_brouillon_is_never_served(jeton, administrateur):
    brouillon = factories.dossier_creer(procedure=factories.procedure_creer(administrateur=administrateur, publier=False), state=Dossier.State.BROUILLON)
    url = files.signed_document_url("pdf", brouillon.pk, files.reader_of(type("C", (), {"token": jeton[0]})()))
    assert telecharger(url).status_code == 404


def test_explorer_links_follow_the_administrateur(administrateur, dossier):
    # Given the explorer (session of the administrateur, no token)
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrateur.user)
    response = _post(client, DOCUMENTS, {"n": dossier.pk}, csrf=_csrf(client))
    url = response.json()["data"]["dossier"]["pdf"]["url"]
    # Then its link downloads without the session
    assert telecharger(url).status_code == 200
    # Until the administrateur no longer administers the démarche
    other = factories.AdministrateurFactory()
    procedure_services.administrateur_ajouter(procedure=dossier.procedure, administrateur=administrateur, email=other.user.email)
    procedure_services.administrateur_retirer(procedure=dossier.procedure, administrateur=other, retire=administrateur)
    assert telecharger(url).status_code == 404


def test_attestation_link_downloads_the_delivered_attestation(gql, jeton, demarche, dossier, instructeur, administrateur,
                                                              django_capture_on_commit_callbacks):
    # Given a démarche whose acceptance attestation is activated, and a dossier still being examined
    from demarches.documents import selectors as document_selectors
    from demarches.documents import services as document_services
    from demarches.documents.models import Attestation, AttestationKind
    from demarches.dossiers import transitions

    default = document_selectors.attestation_modele(demarche, AttestationKind.ACCEPTATION)
    document_services.attestation_modele_enregistrer(
        procedure=demarche, administrateur=administrateur, kind=AttestationKind.ACCEPTATION, activated=True,
        title=default.title, body=default.body,
    )
    query = "query($n: Int!) { dossier(number: $n) { attestation { filename contentType url } } }"
    with django_capture_on_commit_callbacks(execute=True):
        transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    _, body, _ = gql(jeton[1], query, {"n": dossier.pk})
    assert body["data"]["dossier"]["attestation"] is None  # no decision, no attestation
    # When it is accepted (the attestation is delivered after the decision is committed)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Conforme.")
    attestation = Attestation.objects.get(dossier=dossier, revoked_at__isnull=True)
    _, body, _ = gql(jeton[1], query, {"n": dossier.pk})
    assert "errors" not in body, body.get("errors")
    link = body["data"]["dossier"]["attestation"]
    # Then the API gives a signed link to that very PDF, downloadable without session or token
    assert link["contentType"] == "application/pdf" and link["filename"] == attestation.file.name.rsplit("/", 1)[-1]
    response = telecharger(link["url"])
    assert response.status_code == 200
    downloaded = b"".join(response.streaming_content)
    with attestation.file.open("rb") as stored:
        assert downloaded == stored.read()
    assert f"n° {dossier.pk}" in pdf_text(downloaded)
