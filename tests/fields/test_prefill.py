"""Prefill: values in the /commencer link, the public API creating a prefilled draft the usager
claims, and the démarche's page documenting the format of each champ."""

import json

import pytest
from django.core.cache import cache

from demarches.dossiers import prefill
from demarches.dossiers.models import Champ, Dossier
from tests import factories
from tests.fields.demarches import demarche_creer
from tests.fields.test_properties import is_french_message

CHAMPS = [
    ("text", "Nom du projet", True, {}),
    ("integer_number", "Nombre de participants", False, {"min": 1}),
    ("date", "Date de l'événement", False, {}),
    ("yes_no", "Première édition ?", False, {}),
    ("drop_down_list", "Type", False, {"choices": ["Concert", "Exposition"]}),
    ("multiple_drop_down_list", "Besoins", False, {"choices": ["Électricité", "Eau", "Barrières"]}),
    ("linked_drop_down_list", "Lieu", False, {"choices": ["--Intérieur--", "Salle A", "--Extérieur--", "Parc"]}),
    ("carte", "Emprise", False, {}),
    ("piece_justificative", "Plan", False, {}),
    ("header_section", "Suite", False, {"level": 1}),
]


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def procedure(db):
    return demarche_creer(CHAMPS)


def ids(procedure) -> dict[str, str]:
    return {t.libelle: f"champ_{t.stable_id}" for t in procedure.active_revision.types_de_champ.all()}


def valeurs_du_dossier(dossier) -> dict[str, str]:
    return {c.type_de_champ.libelle: c.value for c in Champ.objects.filter(dossier=dossier).select_related("type_de_champ")}


POINT = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.04, 47.32]}, "properties": {}}]}


# Checking values ---------------------------------------------------------------------------------


def test_values_are_checked_by_each_type(procedure):
    p = ids(procedure)
    result = prefill.valeurs_verifier(procedure, {
        p["Nom du projet"]: "Fête du quartier",
        p["Nombre de participants"]: "0",
        p["Date de l'événement"]: "2024-06-21",
        p["Première édition ?"]: True,
        p["Besoins"]: ["Eau", "Électricité"],
        p["Lieu"]: ["Extérieur", "Parc"],
        p["Emprise"]: POINT,
        p["Plan"]: "plan.pdf",
        "champ_999999": "x",
        "autre": "ignoré",
    })
    by_key = {f"champ_{k}": v for k, v in result.valeurs.items()}
    assert by_key[p["Nom du projet"]] == ["Fête du quartier"]
    assert by_key[p["Première édition ?"]] == ["true"]
    assert by_key[p["Besoins"]] == ["Eau", "Électricité"]
    assert by_key[p["Lieu"]] == ["Extérieur", "Parc"]
    assert json.loads(by_key[p["Emprise"]][0]) == POINT
    assert set(result.erreurs) == {p["Nombre de participants"], p["Plan"], "champ_999999"}
    assert result.erreurs[p["Nombre de participants"]] == "La valeur doit être supérieure ou égale à 1."
    assert result.erreurs[p["Plan"]] == prefill.UNKNOWN_MESSAGE
    assert all(is_french_message(message) for message in result.erreurs.values())


def test_every_documented_example_is_accepted(db):
    types = [
        ("text", "Texte", False, {}), ("textarea", "Zone", False, {}), ("integer_number", "Entier", False, {}),
        ("decimal_number", "Décimal", False, {}), ("date", "Date", False, {}), ("datetime", "Date et heure", False, {}),
        ("checkbox", "Case", False, {}), ("yes_no", "Oui non", False, {}), ("civilite", "Civilité", False, {}),
        ("email", "Courriel", False, {}), ("phone", "Téléphone", False, {}), ("engagement", "Engagement", False, {}),
        ("drop_down_list", "Choix", False, {"choices": ["Un", "Deux"]}),
        ("multiple_drop_down_list", "Choix multiples", False, {"choices": ["Un", "Deux"]}),
        ("linked_drop_down_list", "Liés", False, {"choices": ["--A--", "A1", "--B--", "B1"]}),
        ("formatted", "Formaté", False, {"mode": "avance", "regex": r"[A-Z]{2} \d+", "example": "AB 12"}),
        ("address", "Adresse", False, {}), ("communes", "Commune", False, {}), ("departements", "Département", False, {}),
        ("regions", "Région", False, {}), ("epci", "EPCI", False, {}), ("pays", "Pays", False, {}),
        ("iban", "IBAN", False, {}), ("siret", "SIRET", False, {}), ("rna", "RNA", False, {}), ("carte", "Carte", False, {}),
    ]
    procedure = demarche_creer(types)
    documentation = prefill.documentation(procedure)
    assert len(documentation) == len(types)
    valeurs = {}
    for champ in documentation:
        example = champ["exemple"]
        try:
            value = json.loads(example)
            valeurs[champ["parametre"]] = value if isinstance(value, (list, dict)) else example
        except ValueError:
            valeurs[champ["parametre"]] = example
        assert champ["format"].endswith("."), champ
    result = prefill.valeurs_verifier(procedure, valeurs)
    assert result.erreurs == {}
    assert len(result.valeurs) == len(types)


# The link -------------------------------------------------------------------------------------------


def test_a_link_prefills_the_draft_created_from_it(client, procedure):
    p = ids(procedure)
    usager = factories.UserFactory()
    client.force_login(usager)
    url = f"/commencer/{procedure.path}"
    query = {p["Nom du projet"]: "Fête du quartier", p["Besoins"]: ["Eau", "Barrières"], p["Nombre de participants"]: "-3"}
    response = client.get(url, query)
    html = response.content.decode()
    assert "Dossier prérempli" in html and "Nom du projet, Besoins" in html
    assert "Certaines valeurs du lien n'ont pas été retenues" in html
    assert "Nombre de participants : La valeur doit être supérieure ou égale à 1." in html
    response = client.post(url)
    dossier = Dossier.objects.get(user=usager)
    values = valeurs_du_dossier(dossier)
    assert values == {"Nom du projet": "Fête du quartier", "Besoins": "Eau, Barrières"}
    # Used once: the next dossier starts empty.
    client.post(url)
    assert Dossier.objects.filter(user=usager).count() == 2
    assert Champ.objects.filter(dossier__user=usager).count() == 2


def test_the_values_survive_the_login(client, procedure):
    p = ids(procedure)
    url = f"/commencer/{procedure.path}"
    assert "Dossier prérempli" in client.get(url, {p["Nom du projet"]: "Fête"}).content.decode()
    usager = factories.UserFactory()
    client.force_login(usager)  # the session is kept (same client)
    assert "Dossier prérempli" in client.get(url).content.decode()
    client.post(url)
    assert valeurs_du_dossier(Dossier.objects.get(user=usager)) == {"Nom du projet": "Fête"}


def test_only_the_owner_of_a_brouillon_can_be_prefilled(procedure):
    dossier = factories.dossier_creer(procedure=procedure)
    with pytest.raises(Exception, match="propriétaire"):
        prefill.dossier_preremplir(dossier=dossier, user=factories.UserFactory(), valeurs={1: ["x"]})


# The public API: tests/dossiers/test_prefill_api.py


# The documentation page --------------------------------------------------------------------------------


def test_the_documentation_lists_each_prefillable_champ(client, procedure):
    p = ids(procedure)
    response = client.get(f"/demarches/{procedure.pk}/preremplissage")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<code>{p['Nom du projet']}</code>" in html and f"<code>{p['Emprise']}</code>" in html
    assert p["Plan"] not in html and p["Suite"] not in html
    assert "«\u00a0Concert\u00a0» ; «\u00a0Exposition\u00a0»" in html
    assert f"http://testserver/commencer/{procedure.path}?{p['Nom du projet']}=" in html
    assert f"POST http://testserver/api/public/v1/demarches/{procedure.pk}/dossiers" in html


def test_the_documentation_of_an_unpublished_demarche_is_for_its_administrateurs(client, db):
    procedure = factories.procedure_creer(publier=False)
    assert client.get(f"/demarches/{procedure.pk}/preremplissage").status_code == 404
    client.force_login(factories.AdministrateurFactory().user)
    assert client.get(f"/demarches/{procedure.pk}/preremplissage").status_code == 404
    client.force_login(procedure.administrateurs.get().user)
    assert client.get(f"/demarches/{procedure.pk}/preremplissage").status_code == 200


# Properties (hypothesis): whatever a caller sends, no crash, and refusals are in French. ---------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(ANY_JSON, min_size=len(CHAMPS), max_size=len(CHAMPS)))
def test_any_json_value_is_checked_without_crashing(procedure, values):
    keys = list(ids(procedure).values())
    result = prefill.valeurs_verifier(procedure, dict(zip(keys, values)))
    assert all(is_french_message(message) for message in result.erreurs.values()), result.erreurs
    assert all(isinstance(item, str) for raw in result.valeurs.values() for item in raw)
    json.dumps(result.as_session())  # fits in the session
