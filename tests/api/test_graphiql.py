"""The GraphiQL page at /graphql and its session endpoint: administrateurs only, CSRF-protected,
read-only, limited to the démarches he administers."""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from demarches.api.views import GRAPHIQL_ASSETS
from tests import factories

from .conftest import creer_demarche

QUERY = "query($n: Int!) { demarche(number: $n) { number title dossiers { nodes { number } } } }"


@pytest.fixture
def connecte(administrateur):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrateur.user)
    return client


def _csrf(client) -> str:
    """The CSRF token of the client's session, as the page gives it to its script."""
    response = client.get(reverse("api:graphiql"))
    assert response.status_code == 200
    return str(response.context["csrf_token"])


def _post(client, query, variables=None, *, csrf=None):
    extra = {"HTTP_X_CSRFTOKEN": csrf} if csrf else {}
    return client.post(
        reverse("api:graphql_session"), data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json", **extra,
    )


def test_page_for_administrateurs_only(db, client, administrateur, settings):
    # Anonymous visitors are sent to the login page
    response = client.get("/graphql")
    assert response.status_code == 302 and response.url.startswith(str(settings.LOGIN_URL)) or "login" in response.url
    # Other users are refused
    client.force_login(factories.InstructeurFactory().user)
    assert client.get("/graphql").status_code == 403
    # An administrateur gets the explorer, loading its files from this site only
    client.force_login(administrateur.user)
    page = client.get("/graphql")
    assert page.status_code == 200 and "Explorateur de l'API GraphQL" in page.text
    for name in GRAPHIQL_ASSETS:
        assert reverse("api:graphiql_asset", args=[name]) in page.text
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()


@pytest.mark.parametrize("name", sorted(GRAPHIQL_ASSETS))
def test_assets_are_served_from_node_modules(client, name):
    response = client.get(reverse("api:graphiql_asset", args=[name]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(GRAPHIQL_ASSETS[name][1])
    assert len(b"".join(response.streaming_content)) > 10_000


def test_unknown_asset(client):
    assert client.get(reverse("api:graphiql_asset", args=["settings.py"])).status_code == 404


def test_session_endpoint_requires_the_csrf_token(connecte, demarche):
    # Given a logged-in administrateur (his session cookie is sent by the browser on its own)
    # When a request comes without the page's CSRF token (as a forged cross-site request would)
    response = _post(connecte, QUERY, {"n": demarche.pk})
    # Then it is refused
    assert response.status_code == 403


def test_session_endpoint_reads_his_demarches(connecte, demarche, dossier):
    csrf = _csrf(connecte)
    response = _post(connecte, QUERY, {"n": demarche.pk}, csrf=csrf)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["demarche"]["number"] == demarche.pk
    assert [node["number"] for node in body["data"]["demarche"]["dossiers"]["nodes"]] == [dossier.pk]
    assert response["RateLimit-Limit"]


def test_session_endpoint_does_not_read_other_demarches(connecte, db):
    foreign = creer_demarche(factories.AdministrateurFactory(), instructeurs=[factories.InstructeurFactory()], libelle="Pas à moi")
    body = _post(connecte, QUERY, {"n": foreign.pk}, csrf=_csrf(connecte)).json()
    assert body["data"] is None or body["data"]["demarche"] is None
    assert body["errors"]


def test_session_endpoint_is_read_only(connecte, dossier):
    mutation = """mutation($id: ID!) { dossierArchiver(input: {dossierId: $id, instructeurId: "x"}) { errors { message } } }"""
    body = _post(connecte, mutation, {"id": "RG9zc2llci0x"}, csrf=_csrf(connecte)).json()
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "read_only"
    assert "lecture" in body["errors"][0]["message"] and "Authorization" in body["errors"][0]["message"]


def test_session_endpoint_refuses_others(db, client):
    assert _post(client, "{ __typename }").status_code == 401
    client.force_login(factories.InstructeurFactory().user)
    response = _post(client, "{ __typename }")
    assert response.status_code == 403 and response.json()["errors"][0]["extensions"]["code"] == "forbidden"


def test_session_endpoint_is_rate_limited(connecte, settings, demarche):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    csrf = _csrf(connecte)
    assert _post(connecte, "{ __typename }", csrf=csrf).status_code == 200
    assert _post(connecte, "{ __typename }", csrf=csrf).status_code == 200
    refused = _post(connecte, "{ __typename }", csrf=csrf)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1


def test_token_endpoint_names_the_missing_operation(gql, jeton):
    document = "query a { __typename } query b { __typename }"
    status, body, _ = gql(jeton[1], document, operation_name="c")
    assert status == 400 and "« c »" in body["errors"][0]["message"]
    status, body, _ = gql(jeton[1], document, operation_name="b")
    assert status == 200 and body["data"] == {"__typename": "Query"}
