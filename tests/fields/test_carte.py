"""The carte champ: GeoJSON checks (French messages), measures, display, export, conditions,
the widget, and the value's trip through the dossier form."""

import json
import math

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demarches.dossiers.models import Champ
from demarches.fields import registry
from demarches.fields.registry import StoredValue
from demarches.fields.types import _geo, carte
from demarches.referentiels.adapters.cadastre import CadastreHorsLigne
from tests import factories
from tests.fields.demarches import demarche_creer
from tests.fields.test_properties import is_french_message

CARTE = registry.get("carte")
HYPOTHESIS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SQUARE = [[5.0, 47.0], [5.001, 47.0], [5.001, 47.001], [5.0, 47.001], [5.0, 47.0]]


def collection(*geometries, properties=None):
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": g, "properties": properties or {}} for g in geometries],
    }


def parse(payload, options=None):
    return CARTE.parse([json.dumps(payload)], options=options or {})


def refusal(payload, options=None) -> str:
    with pytest.raises(ValidationError) as exc:
        CARTE.parse([payload if isinstance(payload, str) else json.dumps(payload)], options=options or {})
    message = exc.value.messages[0]
    assert is_french_message(message), message
    return message


# Parsing and checks ---------------------------------------------------------------------------


def test_a_drawn_collection_is_stored_with_a_summary():
    stored = parse(collection(
        {"type": "Polygon", "coordinates": [SQUARE]},
        {"type": "LineString", "coordinates": [[5, 47], [5.01, 47]]},
        {"type": "Point", "coordinates": [5.0, 47.0]},
    ))
    assert stored.value == "3 géométries : 1 polygone, 1 ligne, 1 point (surface totale 8\u202f451 m²)"
    features = stored.data["features"]
    assert [f["properties"]["source"] for f in features] == ["selection_utilisateur"] * 3
    assert all(f["id"] for f in features)
    assert CARTE.parse(CARTE.raw(stored), options={}) == stored


def test_empty_values_are_empty():
    assert CARTE.parse([""], options={}) == StoredValue()
    assert CARTE.parse([json.dumps(collection())], options={}) == StoredValue()
    assert CARTE.is_empty(StoredValue())


def test_a_single_geometry_or_feature_is_wrapped():
    stored = parse({"type": "Point", "coordinates": [2.35, 48.85]})
    assert stored.data["type"] == "FeatureCollection" and len(stored.data["features"]) == 1


def test_open_rings_are_closed_and_coordinates_rounded():
    stored = parse(collection({"type": "Polygon", "coordinates": [[[5.000000012, 47], [5.001, 47], [5.001, 47.001]]]}))
    ring = stored.data["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] == [5.0, 47.0] and len(ring) == 4


def test_altitudes_of_imported_tracks_are_dropped():
    stored = parse(collection({"type": "LineString", "coordinates": [[5, 47, 230.5], [5.01, 47, 231]]}))
    assert stored.data["features"][0]["geometry"]["coordinates"] == [[5.0, 47.0], [5.01, 47.0]]


@pytest.mark.parametrize(
    "payload, expected",
    [
        ("{pas du json", "illisible"),
        ({"type": "Truc"}, "n'est pas une collection"),
        ({"type": "FeatureCollection", "features": "non"}, "n'est pas une collection"),
        (collection({"type": "GeometryCollection", "geometries": []}), "Seuls les points, lignes et polygones"),
        (collection({"type": "Point", "coordinates": [200, 47]}), "hors des limites"),
        (collection({"type": "Point", "coordinates": [5, -95]}), "hors des limites"),
        (collection({"type": "Point", "coordinates": ["5", 47]}), "coordonnées valides"),
        (collection({"type": "Point", "coordinates": [5]}), "coordonnées valides"),
        (collection({"type": "LineString", "coordinates": [[5, 47]]}), "au moins deux points"),
        (collection({"type": "Polygon", "coordinates": [[[5, 47], [5.1, 47], [5, 47]]]}), "trois sommets distincts"),
        (collection({"type": "MultiPolygon", "coordinates": []}), "vide"),
        ({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [5, 47]}, "properties": {"source": "cadastre"}}]}, "parcelle cadastrale doit être un polygone"),
        ({"type": "FeatureCollection", "features": [42]}, "pas une géométrie"),
    ],
)
def test_invalid_values_are_refused_in_french(payload, expected):
    assert expected in refusal(payload)


def test_the_number_of_geometries_is_bounded():
    points = [{"type": "Point", "coordinates": [5, 47 + i / 1000]} for i in range(4)]
    assert refusal(collection(*points), {"max_features": 3}) == "Vous avez tracé 4 géométries : 3 au maximum sont acceptées."
    assert len(parse(collection(*points[:3]), {"max_features": 3}).data["features"]) == 3


def test_the_number_of_points_is_bounded():
    line = [[5 + i / 100000, 47] for i in range(_geo.MAX_POSITIONS + 1)]
    assert "trop détaillé" in refusal(collection({"type": "LineString", "coordinates": line}))


def test_unknown_properties_are_dropped_and_parcels_keep_their_identifiers():
    parcelle = CadastreHorsLigne().parcelles((5.037, 47.3225, 5.041, 47.3255))[0].as_feature()
    parcelle["properties"]["<script>"] = "x"
    stored = parse({"type": "FeatureCollection", "features": [parcelle]})
    props = stored.data["features"][0]["properties"]
    assert "<script>" not in props
    assert props["source"] == "cadastre" and props["cid"].startswith("21231000BX") and props["commune"] == "Dijon"
    assert stored.value.startswith("1 géométrie : 1 parcelle cadastrale (surface totale")


# Measures -------------------------------------------------------------------------------------------


def test_measures_match_the_expected_orders_of_magnitude():
    # 0.001° × 0.001° at 47° N: 75.9 m × 111.2 m.
    assert math.isclose(_geo.area({"type": "Polygon", "coordinates": [SQUARE]}), 8451, rel_tol=0.01)
    # 0.01° of longitude at 47° N: 759 m.
    assert math.isclose(_geo.length({"type": "LineString", "coordinates": [[5, 47], [5.01, 47]]}), 759, rel_tol=0.01)
    hole = [[5.0002, 47.0002], [5.0004, 47.0002], [5.0004, 47.0004], [5.0002, 47.0004], [5.0002, 47.0002]]
    assert _geo.area({"type": "Polygon", "coordinates": [SQUARE, hole]}) < _geo.area({"type": "Polygon", "coordinates": [SQUARE]})
    assert _geo.area_label(12500) == "1,25 ha"
    assert _geo.length_label(1500) == "1,50 km"


def test_display_lists_each_geometry_with_its_measure():
    stored = parse(collection(
        {"type": "Polygon", "coordinates": [SQUARE]},
        {"type": "LineString", "coordinates": [[5, 47], [5.01, 47]]},
    ))
    assert CARTE.display(stored).splitlines() == ["Polygone : 8\u202f451 m²", "Ligne : 759 m"]
    assert CARTE.export_value(stored) == stored.value
    assert CARTE.condition_value(stored) == 2
    assert CARTE.condition_value(StoredValue()) is None
    assert CARTE.condition_operators == ("empty", "not_empty")


def test_api_geo_areas():
    stored = parse(collection({"type": "Point", "coordinates": [5, 47]}, properties={"description": "Entrée"}))
    [area] = carte.geo_areas(stored)
    assert area["source"] == "selection_utilisateur" and area["description"] == "Entrée"
    assert area["geometry"] == {"type": "Point", "coordinates": [5.0, 47.0]}


# Properties (hypothesis) --------------------------------------------------------------------------

LON = st.floats(min_value=-180, max_value=180, allow_nan=False)
LAT = st.floats(min_value=-90, max_value=90, allow_nan=False)
POSITION = st.tuples(LON, LAT).map(list)
GEOMETRY = st.one_of(
    POSITION.map(lambda p: {"type": "Point", "coordinates": p}),
    st.lists(POSITION, min_size=2, max_size=8).map(lambda ps: {"type": "LineString", "coordinates": ps}),
    st.lists(POSITION, min_size=3, max_size=8, unique_by=lambda p: (round(p[0], 7), round(p[1], 7))).map(
        lambda ps: {"type": "Polygon", "coordinates": [ps + [ps[0]]]}
    ),
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(["type", "features", "geometry", "coordinates", "properties", "id"]), children, max_size=4),
    max_leaves=20,
)


@HYPOTHESIS
@given(geometries=st.lists(GEOMETRY, min_size=1, max_size=6))
def test_valid_collections_round_trip(geometries):
    stored = parse(collection(*geometries))
    assert CARTE.parse(CARTE.raw(stored), options={}) == stored
    assert len(CARTE.display(stored).splitlines()) == len(geometries)
    assert stored.value.startswith(f"{len(geometries)} géométrie")
    CARTE.check(stored, options={})


@HYPOTHESIS
@given(payload=JSONISH)
def test_no_json_crashes_and_refusals_are_in_french(payload):
    try:
        stored = CARTE.parse([json.dumps(payload)], options={})
    except ValidationError as exc:
        assert is_french_message(exc.messages[0]), exc.messages[0]
    else:
        assert isinstance(CARTE.display(stored), str)


# Widget and form -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_widget_offers_the_map_and_a_fallback(client):
    procedure = demarche_creer([("carte", "Emprise du projet", True, {"max_features": 10})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    client.force_login(usager)
    html = client.get(f"/dossiers/{dossier.pk}/brouillon/").content.decode()
    tdc = dossier.revision.types_de_champ.get()
    assert f'<textarea class="fr-input carte__valeur" id="{tdc.html_id}" name="{tdc.html_id}"' in html
    assert 'data-carte data-champ="%s"' % tdc.html_id in html
    assert 'data-cadastre-url="/cadastre/parcelles"' in html
    assert 'data-adresse-url="/referentiels/adresses"' in html
    assert "fields/carte.js" in html and "10 géométries au maximum" in html
    assert 'data-tuiles-url=""' in html  # offline default: no tiles, a plain background


@pytest.mark.django_db
def test_tiles_and_cadastre_layer_are_configurable(client, settings):
    settings.CARTE_TUILES_URL = "https://tuiles.example.test/{z}/{x}/{y}.png"
    procedure = demarche_creer([("carte", "Emprise", False, {"cadastre": False})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    client.force_login(usager)
    html = client.get(f"/dossiers/{dossier.pk}/brouillon/").content.decode()
    assert 'data-tuiles-url="https://tuiles.example.test/{z}/{x}/{y}.png"' in html
    assert 'data-cadastre-url=""' in html and "parcelles cadastrales" not in html


@pytest.mark.django_db
def test_autosave_stores_the_geojson_and_lists_the_geometries(client):
    procedure = demarche_creer([("carte", "Emprise du projet", True, {})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    tdc = dossier.revision.types_de_champ.get()
    client.force_login(usager)
    value = json.dumps(collection({"type": "Polygon", "coordinates": [SQUARE]}))
    response = client.post(f"/dossiers/{dossier.pk}/brouillon/", {tdc.html_id: value}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 géométrie : 1 polygone" in html and "Polygone : 8\u202f451 m²" in html
    champ = Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id)
    assert champ.data["features"][0]["geometry"]["type"] == "Polygon"

    response = client.post(f"/dossiers/{dossier.pk}/brouillon/", {tdc.html_id: '{"type": "Point", "coordinates": [500, 1]}'}, HTTP_HX_REQUEST="true")
    assert "hors des limites" in response.content.decode()


@pytest.mark.django_db
def test_the_instructeur_reads_the_geometries(client):
    instructeur = factories.InstructeurFactory()
    procedure = demarche_creer([("carte", "Emprise du projet", True, {})], instructeurs=[instructeur])
    dossier = factories.dossier_creer(procedure=procedure, state="en_construction")
    tdc = dossier.revision.types_de_champ.get()
    stored = parse(collection({"type": "LineString", "coordinates": [[5, 47], [5.01, 47]]}))
    Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=stored.value, data=stored.data)
    client.force_login(instructeur.user)
    html = client.get(f"/procedures/{procedure.pk}/dossiers/{dossier.pk}/").content.decode()
    assert "Ligne : 759 m" in html


# Static preview ------------------------------------------------------------------------------------


def test_the_static_preview_draws_every_geometry_inside_its_frame():
    stored = parse(collection(
        {"type": "Polygon", "coordinates": [SQUARE]},
        {"type": "LineString", "coordinates": [[5, 47], [5.002, 47.002]]},
        {"type": "Point", "coordinates": [5.0015, 47.0005]},
    ))
    svg = _geo.apercu_svg(f["geometry"] for f in stored.data["features"])
    assert svg.count("<path") == 1 and svg.count("<polyline") == 1 and svg.count("<circle") == 1
    numbers = [float(n) for n in __import__("re").findall(r"-?\d+\.\d", svg)]
    assert numbers and all(-0.1 <= n <= 320.1 for n in numbers)
    assert _geo.apercu_svg([]) == ""
    many = {"type": "LineString", "coordinates": [[5 + i / 1e5, 47] for i in range(3000)]}
    assert _geo.apercu_svg([many]) == ""


@pytest.mark.django_db
def test_the_read_only_template_lists_and_draws():
    from django.template.loader import render_to_string

    from demarches.fields.widgets import ChampDeLigne

    procedure = demarche_creer([("carte", "Emprise", False, {})])
    tdc = procedure.active_revision.types_de_champ.get()
    stored = parse(collection({"type": "Polygon", "coordinates": [SQUARE]}))
    html = render_to_string(CARTE.lecture_template, {"champ": ChampDeLigne(dossier=None, type_de_champ=tdc, row_id="", stored=stored)})
    assert "Polygone : 8\u202f451 m²" in html and "<svg" in html and 'aria-label="Aperçu des géométries de « Emprise »"' in html
    empty = render_to_string(CARTE.lecture_template, {"champ": ChampDeLigne(dossier=None, type_de_champ=tdc, row_id="")})
    assert "Non renseigné" in empty

