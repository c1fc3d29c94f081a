"""Loading the reference data, and searching it."""

import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demarches.referentiels import selectors
from demarches.referentiels.models import CodePostal, Commune, Departement, Epci, EpciDepartement, Pays, Region
from demarches.referentiels.normalisation import normaliser
from demarches.referentiels.services import ECHANTILLON_DIR, PACKAGE_DIR, referentiels_charger


@pytest.mark.parametrize(
    "text, normalised",
    [
        ("Saint-Étienne-du-Rouvray", "saint etienne du rouvray"),
        ("st etienne", "saint etienne"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
        ("  STE   Marie ", "sainte marie"),
        ("", ""),
    ],
)
def test_normaliser(text, normalised):
    assert normaliser(text) == normalised


@pytest.mark.django_db
def test_loading_the_sample():
    counts = referentiels_charger(source=ECHANTILLON_DIR)
    assert counts == {
        "régions": 26, "départements": 109, "communes": 74, "codes postaux": CodePostal.objects.count(),
        "EPCI": 63, "pays": 249,
    }
    # Only current communes are loaded (not the communes déléguées of the sample).
    assert Commune.objects.count() == 74
    lyon = Commune.objects.get(code_insee="69123")
    assert (lyon.nom, lyon.nom_normalise, lyon.departement_code, lyon.region_code) == ("Lyon", "lyon", "69", "84")
    assert lyon.codes_postaux[:2] == ["69001", "69002"] and lyon.population > 500_000
    assert set(CodePostal.objects.filter(code_postal="01000").values_list("commune__nom", flat=True)) == {
        "Bourg-en-Bresse", "Saint-Denis-lès-Bourg",
    }
    assert Departement.objects.get(code="2A").region_code == "94"
    assert Region.objects.get(code="84").nom == "Auvergne-Rhône-Alpes"
    assert Pays.objects.get(code="FR").nom == "France"
    metropole = Epci.objects.get(code="200046977")
    assert metropole.nom == "Métropole de Lyon" and metropole.type == "MET69"
    # An EPCI lies in the départements of its member communes.
    assert set(EpciDepartement.objects.filter(epci__nom="Métropole du Grand Paris").values_list("departement_code", flat=True)) >= {
        "75", "92", "93", "94",
    }


@pytest.mark.django_db
def test_a_reload_replaces_everything():
    referentiels_charger(source=ECHANTILLON_DIR)
    Commune.objects.filter(code_insee="69123").update(nom="Ancien nom")
    referentiels_charger(source=ECHANTILLON_DIR)
    assert Commune.objects.get(code_insee="69123").nom == "Lyon"
    assert Commune.objects.count() == 74


@pytest.mark.django_db
def test_data_are_loaded_on_first_use():
    assert not Region.objects.exists()
    assert [c.label for c in selectors.communes_rechercher("75015")] == ["Paris (75015)"]
    assert Region.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        selectors.communes_rechercher("75015")
    assert len(queries) == 2  # « is it loaded? » and the search


@pytest.mark.django_db
def test_command_loads_the_sample_and_reports(capsys):
    call_command("referentiels_charger", "--echantillon")
    output = capsys.readouterr().out
    assert "Référentiels chargés" in output and "74 communes" in output and "249 pays" in output


@pytest.mark.django_db
def test_command_with_a_missing_source_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match="Fichier de référence introuvable"):
        call_command("referentiels_charger", "--source", str(tmp_path))


@pytest.mark.django_db
def test_command_loads_the_official_dataset_package(capsys):
    """The npm package @etalab/decoupage-administratif (installed by `npm ci`)."""
    started = time.monotonic()
    call_command("referentiels_charger", "--source", str(PACKAGE_DIR))
    elapsed = time.monotonic() - started
    assert Commune.objects.count() == 34_969
    assert Departement.objects.count() == 109 and Region.objects.count() == 26 and Epci.objects.count() == 1_255
    assert elapsed < 60
    assert [c.label for c in selectors.communes_rechercher("Paris (75116)")] == ["Paris (75116)"]
    assert len(selectors.communes_rechercher("sai")) == 20


def test_bundled_pays_list():
    pays = json.loads((ECHANTILLON_DIR.parent / "pays.json").read_text())
    codes = [p["code"] for p in pays]
    assert len(codes) == len(set(codes)) == 249
    assert all(len(code) == 2 and code.isupper() for code in codes)
    names = {p["code"]: p["nom"] for p in pays}
    assert names["DE"] == "Allemagne" and names["CI"] == "Côte d'Ivoire" and names["MK"] == "Macédoine du Nord"


# Searching -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, first_labels",
    [
        ("lyon", ["Lyon (69001)", "Lyon (69002)"]),
        ("LYO", ["Lyon (69001)"]),
        ("st etienne", ["Saint-Étienne (42000)", "Saint-Étienne (42100)"]),
        ("saint-étienne", ["Saint-Étienne (42000)"]),
        ("69100", ["Villeurbanne (69100)"]),
        ("0100", ["Bourg-en-Bresse (01000)", "Saint-Denis-lès-Bourg (01000)"]),
        ("Paris (75011)", ["Paris (75011)"]),
    ],
)
def test_communes_rechercher(query, first_labels):
    labels = [c.label for c in selectors.communes_rechercher(query)]
    assert labels[: len(first_labels)] == first_labels


@pytest.mark.django_db
def test_communes_rechercher_is_bounded_and_ignores_short_queries():
    assert selectors.communes_rechercher("") == [] and selectors.communes_rechercher("l") == []
    assert len(selectors.communes_rechercher("paris")) == 20
    assert len(selectors.communes_rechercher("s", limit=5)) == 0
    assert len(selectors.communes_rechercher("sa", limit=5)) == 5
    assert len(selectors.communes_rechercher("sa", limit=500)) == 20


@pytest.mark.django_db
def test_biggest_communes_come_first_and_exact_names_before_prefixes():
    labels = [c.label for c in selectors.communes_rechercher("saint denis")]
    assert labels[0].startswith("Saint-Denis (974")  # 150 000 inhabitants, before Saint-Denis (93)
    assert all(label.startswith("Saint-Denis (") for label in labels[:8])


@pytest.mark.django_db
def test_epci_selectors():
    names = [e.nom for e in selectors.epci_du_departement("69")]
    assert "Métropole de Lyon" in names
    assert [e.nom for e in selectors.epci_rechercher("metropole de ly")] == ["Métropole de Lyon"]
    assert selectors.epci_du_departement("") == []
