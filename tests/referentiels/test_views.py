"""The public look-ups of the form widgets: communes, addresses, EPCI of a département."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from demarches.referentiels import adapters
from demarches.referentiels.adapters.adresse import AdresseBAN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_urls():
    assert reverse("referentiels:communes") == "/referentiels/communes"
    assert reverse("referentiels:adresses") == "/referentiels/adresses"
    assert reverse("referentiels:epci") == "/referentiels/epci"


def test_communes_json_for_anonymous_visitors(client):
    response = client.get("/referentiels/communes", {"q": "69003"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"label": "Lyon (69003)", "code_insee": "69123", "nom": "Lyon", "code_postal": "69003", "departement": "69", "region": "84"}
        ]
    }
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]


def test_communes_by_name_at_most_twenty(client):
    results = client.get("/referentiels/communes", {"q": "paris"}).json()["results"]
    assert len(results) == 20 and results[0]["label"] == "Paris (75001)"
    assert client.get("/referentiels/communes", {"q": "s"}).json() == {"results": []}
    assert client.get("/referentiels/communes").json() == {"results": []}
    assert client.get("/referentiels/communes", {"q": "x" * 5000}).status_code == 200


def test_communes_as_options_for_htmx(client):
    response = client.get("/referentiels/communes", {"q": "bourg"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert '<option value="Bourg-en-Bresse (01000)">Bourg-en-Bresse (01000)</option>' in response.content.decode()
    assert "HX-Request" in response["Vary"] and "Cookie" not in response["Vary"]
    plain = client.get("/referentiels/communes", {"q": "bourg", "format": "options"})
    assert plain.content == response.content


def test_only_get(client):
    assert client.post("/referentiels/communes", {"q": "lyon"}).status_code == 405


def test_rate_limit_answers_429_in_french(client, settings):
    settings.REFERENTIELS_LIMITE_PAR_MINUTE = 3
    statuses = [client.get("/referentiels/communes", {"q": "lyon"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/referentiels/adresses", {"q": "lyon"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert response.json()["erreur"].startswith("Trop de recherches en peu de temps")


def test_adresses(client):
    response = client.get("/referentiels/adresses", {"q": "41 route de vienne"})
    payload = response.json()
    assert payload["indisponible"] is False
    assert payload["results"][0]["label"] == "41 Route de Vienne 69008 Lyon"
    assert payload["results"][0]["code_insee"] == "69123"
    assert client.get("/referentiels/adresses", {"q": "ab"}).json() == {"results": [], "indisponible": False}


def test_adresses_degraded_never_a_500(client):
    def timeout(url, *, timeout, headers):
        raise TimeoutError("timed out")

    with adapters.remplacer("adresse", AdresseBAN(transport=timeout)):
        response = client.get("/referentiels/adresses", {"q": "20 avenue de ségur"})
    assert response.status_code == 200
    assert response.json() == {"results": [], "indisponible": True}
    assert "max-age=0" in response["Cache-Control"]


def test_epci_of_a_departement(client):
    results = client.get("/referentiels/epci", {"departement": "69"}).json()["results"]
    assert {"code": "200046977", "nom": "Métropole de Lyon"} in results
    options = client.get("/referentiels/epci", {"champ-12-departement": "69"}, headers={"HX-Request": "true"}).content.decode()
    assert options.startswith('<option value="">Choisissez un EPCI</option>')
    assert '<option value="200046977">Métropole de Lyon</option>' in options
    empty = client.get("/referentiels/epci", headers={"HX-Request": "true"}).content.decode()
    assert empty.strip() == '<option value="">Choisissez d&#x27;abord un département</option>'
