"""The champs pivoted by PostgreSQL (exports.pivot) and the rows given as texts to the CSV writer
(lignes_dossiers(textes=…)): the same cells as the per-champ path, whatever the dossiers hold."""

import pytest
from django.db import connection

from demarches.dossiers.models import Champ
from demarches.exports import pivot, selectors
from demarches.exports.writers.csv import TEXTES, cell_text
from demarches.procedures import services as procedure_services
from demarches.procedures.models import TypeDeChamp

from .conftest import deposer, remplir
from .test_feuilles import demarche_blocs, dossiers_blocs  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

TOUT = {
    "Nom du projet": "Projet complet",
    "Nombre de participants": "120",
    "Budget": "1500,50",
    "Date de l'événement": "2026-07-14",
    "J'accepte les conditions": "true",
    "Thèmes": ["Culture", "Santé"],
    "Description": "Première ligne\nDeuxième  ligne",
    "Note interne": "Dossier prioritaire",
}


def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("le pivot des champs : PostgreSQL seulement")


def _lignes(instructeur, procedure, *, pivoter: bool, monkeypatch, textes=None, colonnes=None):
    monkeypatch.setattr(selectors, "READ_PIVOT", pivoter)
    dossiers = selectors.dossiers_a_exporter(instructeur, procedure, statut="tous", include_archived=True)
    schema_ = selectors.schema(procedure)
    rows = selectors.lignes_dossiers(dossiers, procedure, schema_, chunk_size=2, textes=textes, colonnes=colonnes)
    return list(rows)


@pytest.fixture
def laisses(monkeypatch):
    """The dossiers each chunk's pivot left to the per-champ path."""
    left = []
    remplir_ = pivot.remplir

    def spy(*args, **kwargs):
        result = remplir_(*args, **kwargs)
        left.extend(result)
        return result

    monkeypatch.setattr(pivot, "remplir", spy)
    return left


@pytest.fixture
def dossiers_varies(demarche, administrateur):
    """Dossiers of two revisions: complete ones (formula-like texts, a text holding the pivot's
    separator, empty answers, choices with data), one with few champs, one with none."""
    complet = deposer(demarche)
    remplir(complet, **TOUT)
    formules = deposer(demarche)
    remplir(formules, **{**TOUT, "Nom du projet": "=HYPERLINK(\"x\")", "Description": "-moins\n@SUM(A1)",
                         "Note interne": "+33 6 12 34 56 78", "Nombre de participants": "-12"})
    separateur = deposer(demarche)
    remplir(separateur, **{**TOUT, "Description": f"avant{pivot.SEPARATOR}après"})
    vides = deposer(demarche)
    remplir(vides, **TOUT)
    vides_ids = _stable_ids(demarche, "Nom du projet", "Budget", "Date de l'événement", "J'accepte les conditions")
    Champ.objects.filter(dossier=vides, stable_id__in=vides_ids).update(value="")
    partiel = deposer(demarche)
    remplir(partiel, **{"Nom du projet": "Seulement le nom", "Budget": "12"})
    sans_champ = deposer(demarche)
    # a new revision: a champ renamed, one removed, one added; dossiers on both revisions
    nom = demarche.published_revision.types_de_champ.get(libelle="Nom du projet")
    procedure_services.type_de_champ_modifier(
        procedure=demarche, administrateur=administrateur, stable_id=nom.stable_id, type_champ="text",
        libelle="Intitulé du projet",
    )
    description = demarche.published_revision.types_de_champ.get(libelle="Description")
    admin = {"procedure": demarche, "administrateur": administrateur}
    procedure_services.type_de_champ_supprimer(**admin, stable_id=description.stable_id)
    procedure_services.type_de_champ_ajouter(**admin, type_champ="text", libelle="Commune")
    demarche = procedure_services.procedure_publier(**admin, path="subvention-projets")
    nouveau = deposer(demarche)
    remplir(nouveau, **{k: v for k, v in TOUT.items() if k not in ("Nom du projet", "Description")},
            **{"Intitulé du projet": "Projet nouveau", "Commune": "Lyon"})
    return demarche, {"complet": complet, "formules": formules, "separateur": separateur, "vides": vides,
                      "partiel": partiel, "sans_champ": sans_champ, "nouveau": nouveau}


def _stable_ids(procedure, *libelles):
    definitions = TypeDeChamp.objects.filter(revision__procedure=procedure, libelle__in=libelles)
    return list(definitions.values_list("stable_id", flat=True))


@pytest.mark.parametrize("textes", [None, TEXTES], ids=["cellules", "textes"])
def test_the_pivot_gives_the_rows_of_the_per_champ_path(instructeur, dossiers_varies, monkeypatch, laisses, textes):
    _postgresql()
    demarche, dossiers = dossiers_varies
    # when the dossiers are read champ by champ, then pivoted by the database
    par_champ = _lignes(instructeur, demarche, pivoter=False, monkeypatch=monkeypatch, textes=textes)
    assert laisses == []
    pivotees = _lignes(instructeur, demarche, pivoter=True, monkeypatch=monkeypatch, textes=textes)
    # then the rows are the same, cell for cell
    assert pivotees == par_champ and len(pivotees) == len(dossiers)
    # and every dossier with champs went champ by champ: the old revision's lack the new champ, the
    # new revision's the removed one (complete dossiers: see the next test)
    assert sorted(laisses) == sorted(d.pk for k, d in dossiers.items() if k != "sans_champ")


def test_complete_dossiers_are_pivoted_and_converted_as_cell_texts(instructeur, demarche, monkeypatch, laisses):
    _postgresql()
    # given dossiers holding every champ of the démarche (one revision), some with texts to neutralise
    complet = deposer(demarche)
    remplir(complet, **TOUT)
    formules = deposer(demarche)
    remplir(formules, **{**TOUT, "Nom du projet": "=1+1", "Description": "-moins", "Nombre de participants": "-12",
                         "Budget": "-0,5", "Thèmes": ["Sport"]})
    vides = deposer(demarche)
    remplir(vides, **TOUT)
    Champ.objects.filter(dossier=vides).update(value="")
    par_champ = _lignes(instructeur, demarche, pivoter=False, monkeypatch=monkeypatch)
    for textes in (None, TEXTES):
        pivotees = _lignes(instructeur, demarche, pivoter=True, monkeypatch=monkeypatch, textes=textes)
        # then no dossier is left to the per-champ path
        assert laisses == []
        # and the cells are those of the per-champ path, or their texts in the CSV file
        expected = par_champ if textes is None else [[cell_text(cell) for cell in row] for row in par_champ]
        assert pivotees == expected
    rows = {row[0]: row for row in pivotees}
    assert "'=1+1" in rows[str(formules.pk)] and "'-moins" in rows[str(formules.pk)]
    assert "-12" in rows[str(formules.pk)] and "-0,5" in rows[str(formules.pk)] and "Sport" in rows[str(formules.pk)]


def test_an_export_template_reads_only_its_columns_through_the_pivot(instructeur, demarche, monkeypatch, laisses):
    _postgresql()
    dossier = deposer(demarche)
    remplir(dossier, **TOUT)
    stable_ids = dict(TypeDeChamp.objects.filter(revision__procedure=demarche).values_list("libelle", "stable_id"))
    colonnes = ["etat", f"champ:{stable_ids['Budget']}", "numero", f"champ:{stable_ids['Description']}"]
    par_champ = _lignes(instructeur, demarche, pivoter=False, monkeypatch=monkeypatch, colonnes=colonnes)
    pivotees = _lignes(instructeur, demarche, pivoter=True, monkeypatch=monkeypatch, colonnes=colonnes, textes=TEXTES)
    assert laisses == []
    assert pivotees == [[cell_text(cell) for cell in row] for row in par_champ]
    assert pivotees[0][1:] == ["1500,5", str(dossier.pk), "Première ligne\nDeuxième  ligne"]


def test_a_column_whose_type_changed_between_revisions_is_read_champ_by_champ(instructeur, demarche, administrateur):
    _postgresql()
    # given a champ whose type changed in a new revision (a text became a number)
    ancien = deposer(demarche)
    remplir(ancien, **TOUT)
    nom = demarche.published_revision.types_de_champ.get(libelle="Nom du projet")
    procedure_services.type_de_champ_modifier(
        procedure=demarche, administrateur=administrateur, stable_id=nom.stable_id, type_champ="integer_number",
        libelle="Nom du projet",
    )
    demarche = procedure_services.procedure_publier(
        procedure=demarche, administrateur=administrateur, path="subvention-projets"
    )
    schema_ = selectors.schema(demarche)
    plan = selectors._plan(demarche, schema_, None)
    specs = selectors._specs(schema_, plan.champ_position)
    # then the pivot is not used: its values would need the converter of each definition
    assert not pivot.pivot_possible("default", specs, schema_.stable_id_by_definition)


def test_repetition_blocks_are_not_pivoted(instructeur, demarche_blocs, dossiers_blocs, monkeypatch):  # noqa: F811
    # the "Dossiers" sheet is the same through the pivot; the block's sheet is read as before
    par_champ = _lignes(instructeur, demarche_blocs, pivoter=False, monkeypatch=monkeypatch)
    assert _lignes(instructeur, demarche_blocs, pivoter=True, monkeypatch=monkeypatch) == par_champ
    assert _lignes(instructeur, demarche_blocs, pivoter=True, monkeypatch=monkeypatch, textes=TEXTES) == [
        [cell_text(cell) for cell in row] for row in par_champ
    ]


def test_rows_as_texts_are_the_texts_of_the_cells(instructeur, dossiers_varies, monkeypatch):
    # on every database: what the CSV writer would have made of the typed cells (dates included)
    demarche, _ = dossiers_varies
    cellules = _lignes(instructeur, demarche, pivoter=False, monkeypatch=monkeypatch)
    textes = _lignes(instructeur, demarche, pivoter=True, monkeypatch=monkeypatch, textes=TEXTES)
    assert textes == [[cell_text(cell) for cell in row] for row in cellules]
    assert all(type(cell) is str for row in textes for cell in row)


def test_pivoted_champs_come_in_any_order_and_only_the_columns_champs_are_pivoted():
    # given three columns (stable_ids 1, 2, 3 at cells 2, 3, 4), the second converted
    specs = {10: (2, None, None), 11: (3, {}, lambda value, data: f"<{value}|{data}>"), 12: (4, None, None)}
    plan = pivot.pivot(specs, {10: 1, 11: 2, 12: 3}, {1: 2, 2: 3, 3: 4}, cache_limit=10)
    cells = {pk: [str(pk), "méta", "", "", ""] for pk in (7, 8, 9, 10, 11)}
    rows = [
        (7, "3,1,2", pivot.SEPARATOR.join(["c", "a", "5"]), None),  # the database's order, whatever it is
        (8, "1,2,3", pivot.SEPARATOR.join(["=a", "6", "c"]), '2:["x"]'),  # data, a formula
        (9, "1,2", pivot.SEPARATOR.join(["a", "5"]), None),  # a champ missing
        (10, "1,2,3,4", pivot.SEPARATOR.join(["a", "5", "c", "d"]), None),  # one more
        (11, "1,2,3", pivot.SEPARATOR.join(["a", f"5{pivot.SEPARATOR}", "c"]), None),  # a value holding the separator
    ]
    # when the chunk is filled as texts
    left = pivot.remplir(cells, rows, plan, empty="", text=lambda value: f"'{value}", special_starts=frozenset("="))
    # then each value is in its column, converted once per value (and data), formulas neutralised
    assert cells[7] == ["7", "méta", "a", "<5|None>", "c"]
    assert cells[8] == ["8", "méta", "'=a", '<6|["x"]>', "c"]
    # and the other dossiers are left to the per-champ path, untouched
    assert left == [9, 10, 11]
    assert all(cells[pk][2:] == ["", "", ""] for pk in left)
