"""The cadastre adapters (offline sample and API Carto replayed from recorded responses) and the
public parcels look-up used by the carte champ's map."""

import json
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from demarches.referentiels import adapters
from demarches.referentiels.adapters import cadastre
from demarches.referentiels.adapters.cadastre import CadastreApiCarto, CadastreHorsLigne
from tests.referentiels.test_adapters import Replay

DIJON = (5.0370, 47.3225, 5.0410, 47.3255)  # around Rue des Godrans, where the sample's parcels are
SEGUR = (2.3090, 48.8485, 2.3110, 48.8495)


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


# Registry -----------------------------------------------------------------------------------


def test_offline_twin_is_the_default_and_api_carto_is_chosen_by_settings(settings):
    assert isinstance(adapters.get("cadastre"), CadastreHorsLigne)
    settings.REFERENTIELS_ADAPTATEURS = {"cadastre": "apicarto"}
    assert isinstance(adapters.get("cadastre"), CadastreApiCarto)
    assert adapters.implementations("cadastre") == ["apicarto", "hors_ligne"]


# Offline sample ---------------------------------------------------------------------------------


def test_offline_sample_answers_the_parcels_of_the_box():
    found = CadastreHorsLigne().parcelles(DIJON)
    assert found, "the sample has parcels around Rue des Godrans in Dijon"
    assert {p.commune for p in found} == {"Dijon"}
    first = found[0]
    assert first.idu.startswith("21231000BX") and len(first.idu) == 14
    assert first.surface and first.surface > 100
    feature = first.as_feature()
    assert feature["properties"]["source"] == "cadastre"
    assert feature["properties"]["cid"] == first.idu
    assert feature["geometry"]["type"] == "MultiPolygon"


def test_offline_sample_has_nothing_elsewhere():
    assert CadastreHorsLigne().parcelles((2.0, 45.0, 2.01, 45.01)) == []


@pytest.mark.parametrize("bbox", [("a", "b", "c", "d"), (5, 47, 4, 48), (5, 91, 5.01, 92), (float("nan"), 1, 2, 3)])
def test_invalid_boxes_are_refused(bbox):
    with pytest.raises(ValueError):
        cadastre.bbox_valide(bbox)


def test_too_large_boxes_are_refused():
    with pytest.raises(cadastre.EmpriseTropGrande):
        cadastre.bbox_valide((2.0, 45.0, 3.0, 46.0))


# API Carto replayed -------------------------------------------------------------------------------


def test_api_carto_reads_the_recorded_parcels():
    replay = Replay("apicarto_cadastre_parcelle.json")
    found = CadastreApiCarto(transport=replay).parcelles(SEGUR)
    assert [p.idu for p in found] == ["75107000AB0012", "75107000AB0013"]  # the feature without geometry is skipped
    assert found[0].commune == "Paris 7e Arrondissement"
    assert found[0].surface == 675
    assert found[0].label == "Parcelle AB 12 – Paris 7e Arrondissement"
    url = urlsplit(replay.calls[0]["url"])
    assert url.path.endswith("/cadastre/parcelle")
    geom = json.loads(parse_qs(url.query)["geom"][0])
    assert geom["type"] == "Polygon" and geom["coordinates"][0][0] == [SEGUR[0], SEGUR[1]]
    assert replay.calls[0]["timeout"] > 0


def test_api_carto_empty_answer():
    assert CadastreApiCarto(transport=Replay("apicarto_cadastre_vide.json")).parcelles(SEGUR) == []


@pytest.mark.parametrize(
    "replay",
    [
        Replay(error=TimeoutError("timed out")),
        Replay(error=socket.timeout("timed out")),
        Replay(error=OSError("Name or service not known")),
        Replay(status=502, body=b"Bad Gateway"),
        Replay(status=200, body=b"<html>maintenance</html>"),
        Replay(status=200, body=b'{"code": 400, "message": "erreur"}'),
    ],
)
def test_api_carto_failures_are_service_unavailable(replay):
    with pytest.raises(adapters.ServiceIndisponible):
        CadastreApiCarto(transport=replay).parcelles(SEGUR)


def test_api_carto_url_comes_from_settings(settings):
    settings.REFERENTIELS_CADASTRE_URL = "https://cadastre.example.test/api"
    replay = Replay("apicarto_cadastre_vide.json")
    CadastreApiCarto(transport=replay).parcelles(SEGUR)
    assert replay.calls[0]["url"].startswith("https://cadastre.example.test/api/cadastre/parcelle?")


# Public look-up ------------------------------------------------------------------------------------


def test_lookup_answers_geojson_features(client):
    response = client.get("/cadastre/parcelles", {"bbox": ",".join(str(v) for v in DIJON)})
    assert response.status_code == 200
    payload = response.json()
    assert payload["type"] == "FeatureCollection" and payload["features"]
    assert payload["features"][0]["properties"]["source"] == "cadastre"
    assert payload["indisponible"] is False
    assert "max-age=3600" in response["Cache-Control"]


def test_lookup_asks_to_zoom_on_large_views(client):
    response = client.get("/cadastre/parcelles", {"bbox": "4,46,6,48"})
    assert response.status_code == 200
    assert response.json()["features"] == []
    assert "Zoomez" in response.json()["message"]


def test_lookup_refuses_invalid_boxes(client):
    response = client.get("/cadastre/parcelles", {"bbox": "nimporte,quoi"})
    assert response.status_code == 400
    assert response.json()["message"] == "L'emprise demandée est invalide."


def test_lookup_degrades_when_the_service_is_down(client):
    with adapters.remplacer("cadastre", CadastreApiCarto(transport=Replay(error=TimeoutError("timed out")))):
        response = client.get("/cadastre/parcelles", {"bbox": ",".join(str(v) for v in SEGUR)})
    assert response.status_code == 200
    payload = response.json()
    assert payload["indisponible"] is True and payload["features"] == []
    assert "dessiner la zone à la main" in payload["message"]
    assert "max-age=0" in response["Cache-Control"]


def test_lookup_is_rate_limited(client, settings):
    settings.REFERENTIELS_LIMITE_PAR_MINUTE = 2
    bbox = {"bbox": ",".join(str(v) for v in DIJON)}
    assert [client.get("/cadastre/parcelles", bbox).status_code for _ in range(3)] == [200, 200, 429]


def test_lookup_is_get_only(client):
    assert client.post("/cadastre/parcelles").status_code == 405
