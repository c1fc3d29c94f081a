"""Who may call the API: token formats, expiry, revocation, network, scope, rate limit."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from demarches.api import auth, services
from demarches.api.models import APIToken
from demarches.dossiers.models import Dossier
from tests import factories

from .conftest import creer_demarche

QUERY = "query($n: Int!) { demarche(number: $n) { number title } }"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def test_bearer_and_legacy_token_forms(gql, jeton, demarche):
    for legacy in (False, True):
        status, body, _ = gql(jeton[1], QUERY, {"n": demarche.pk}, legacy=legacy)
        assert status == 200 and body["data"]["demarche"]["number"] == demarche.pk


def test_secret_is_stored_hashed(jeton):
    token, secret = jeton
    stored = APIToken.objects.get(pk=token.pk)
    assert secret not in stored.secret_digest and len(stored.secret_digest) == 64
    assert stored.secret_digest == services.secret_digest(services.token_decode(secret)[1])


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer n'importe-quoi", "Bearer token="])
def test_missing_or_unknown_token_is_401(client, demarche, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post("/api/v2/graphql", data=json.dumps({"query": "{ __typename }"}), content_type="application/json", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"


def test_wrong_secret_for_an_existing_token_is_401(gql, jeton, demarche):
    token, _ = jeton
    forged = services.token_encode(token.pk, "un-autre-secret")
    status, body, _ = gql(forged, QUERY, {"n": demarche.pk})
    assert status == 401


def test_expired_token_is_401(gql, jeton, demarche):
    token, secret = jeton
    APIToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    status, body, _ = gql(secret, QUERY, {"n": demarche.pk})
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "expired_token"


def test_revoked_token_is_401(gql, jeton, administrateur, demarche):
    token, secret = jeton
    services.api_token_revoquer(token=token, administrateur=administrateur)
    status, body, _ = gql(secret, QUERY, {"n": demarche.pk})
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "revoked_token"


def test_allowed_networks(gql, administrateur, demarche):
    _, secret = services.api_token_creer(
        administrateur=administrateur, name="Serveur", write_access=False, allowed_networks=["192.0.2.0/24"]
    )
    status, body, _ = gql(secret, QUERY, {"n": demarche.pk})  # the test client comes from 127.0.0.1
    assert status == 403 and body["errors"][0]["extensions"]["code"] == "forbidden_network"
    status, _, _ = gql(secret, QUERY, {"n": demarche.pk}, REMOTE_ADDR="192.0.2.17")
    assert status == 200


def test_use_is_recorded(gql, jeton, demarche):
    token, secret = jeton
    gql(secret, QUERY, {"n": demarche.pk}, REMOTE_ADDR="198.51.100.4")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_ips == ["198.51.100.4"]


def test_get_and_bad_bodies(client, gql, jeton):
    assert client.get("/api/v2/graphql", HTTP_AUTHORIZATION=f"Bearer {jeton[1]}").status_code == 405
    response = client.post("/api/v2/graphql", data="pas du json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {jeton[1]}")
    assert response.status_code == 400
    status, body, _ = gql(jeton[1], "   ")
    assert status == 400 and "absente" in body["errors"][0]["message"]


def test_rate_limit_then_429_with_reset(gql, jeton, demarche, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    statuses = []
    for _ in range(4):
        status, body, response = gql(jeton[1], QUERY, {"n": demarche.pk})
        statuses.append(status)
    assert statuses == [200, 200, 200, 429]
    assert body["errors"][0]["extensions"]["code"] == "too_many_requests"
    assert 1 <= int(response["RateLimit-Reset"]) <= 60 and response["Retry-After"] == response["RateLimit-Reset"]
    assert response["RateLimit-Remaining"] == "0"


def test_rate_limit_is_per_token_and_per_minute(jeton, administrateur):
    token, _ = jeton
    other, _ = services.api_token_creer(administrateur=administrateur, name="Autre", write_access=False)
    start = 1_800_000_000.0  # the start of a minute
    for _ in range(auth.rate_limit()):
        assert auth.rate_limit_check(token, now=start).allowed
    assert not auth.rate_limit_check(token, now=start + 30).allowed
    assert auth.rate_limit_check(other, now=start + 30).allowed
    next_minute = auth.rate_limit_check(token, now=start + 60)
    assert next_minute.allowed and next_minute.reset == 60


def test_default_rate_limit_is_400_a_minute():
    assert auth.rate_limit() == 400


# --- Scope ------------------------------------------------------------------------------------------


def test_token_sees_only_the_demarches_of_its_administrateur(gql, jeton, instructeur):
    other = creer_demarche(factories.AdministrateurFactory(), instructeurs=[instructeur], libelle="Démarche d'un autre")
    foreign = factories.dossier_creer(procedure=other, state=Dossier.State.EN_CONSTRUCTION)
    _, body, _ = gql(jeton[1], QUERY, {"n": other.pk})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "unauthorized"
    _, body, _ = gql(jeton[1], "query($n: Int!) { dossier(number: $n) { id } }", {"n": foreign.pk})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "unauthorized"
    _, body, _ = gql(jeton[1], "query($n: Int!) { groupeInstructeur(number: $n) { id } }", {"n": other.default_groupe.pk})
    assert body["errors"][0]["extensions"]["code"] == "unauthorized"


def test_token_limited_to_chosen_demarches(gql, administrateur, instructeur):
    first = creer_demarche(administrateur, instructeurs=[instructeur], libelle="Première")
    second = creer_demarche(administrateur, instructeurs=[instructeur], libelle="Seconde")
    _, secret = services.api_token_creer(administrateur=administrateur, name="Limité", write_access=False, procedures=[first])
    _, body, _ = gql(secret, QUERY, {"n": first.pk})
    assert body["data"]["demarche"]["title"] == "Première"
    _, body, _ = gql(secret, QUERY, {"n": second.pk})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "unauthorized"
    # Nor through the other entry points: its description, its groupe, one of its dossiers
    outside = factories.dossier_creer(procedure=second, state=Dossier.State.EN_CONSTRUCTION)
    for query, variables in [
        ("query($d: FindDemarcheInput!) { demarcheDescriptor(demarche: $d) { title } }", {"d": {"number": second.pk}}),
        ("query($n: Int!) { groupeInstructeur(number: $n) { label } }", {"n": second.default_groupe.pk}),
        ("query($n: Int!) { dossier(number: $n) { number } }", {"n": outside.pk}),
    ]:
        _, body, _ = gql(secret, query, variables)
        assert not any((body["data"] or {}).values()) and body["errors"][0]["extensions"]["code"] == "unauthorized", query


def test_token_loses_access_when_its_administrateur_leaves_the_demarche(gql, jeton, administrateur, demarche):
    demarche.administrateurs.remove(administrateur)
    _, body, _ = gql(jeton[1], QUERY, {"n": demarche.pk})
    assert body["errors"][0]["extensions"]["code"] == "unauthorized"
