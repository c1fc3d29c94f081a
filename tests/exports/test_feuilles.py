"""The sheets beside "Dossiers" (repetition blocks, établissements) and the column catalogue of
export templates, read back from the produced files by independent readers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.exports import selectors
from demarches.procedures.models import TypeDeChamp
from tests import factories
from tests.fields.demarches import demarche_creer

from .conftest import avis_donne, deposer
from .readers import as_dicts
from .test_contenu import produire

S = Dossier.State
pytestmark = pytest.mark.django_db

ETABLISSEMENT = {
    "siret": "13002526500013", "siren": "130025265", "raison_sociale": "DIRECTION INTERMINISTERIELLE DU NUMERIQUE",
    "adresse": "20 avenue de Ségur", "code_postal": "75007", "commune": "Paris", "code_insee": "75107",
    "enseigne": "DINUM", "naf": "84.11Z", "libelle_naf": "Administration publique générale",
    "forme_juridique": "7120", "libelle_forme_juridique": "Service central d'un ministère", "siege": True,
    "actif": True, "date_creation": "2019-10-25",
}


@pytest.fixture
def demarche_blocs(instructeur):
    """A démarche with a SIRET champ and a repetition block « Salariés » (name, age, employer's SIRET)."""
    return demarche_creer(
        [("text", "Nom du projet", False), ("siret", "SIRET de l'organisme", False), ("repetition", "Salariés", False)],
        enfants={"Salariés": [("text", "Nom", False), ("integer_number", "Âge", False), ("siret", "SIRET de l'employeur", False)]},
        instructeurs=[instructeur],
    )


def _definitions(procedure):
    return {tdc.libelle: tdc for tdc in TypeDeChamp.objects.filter(revision=procedure.published_revision)}


def _champ(dossier, tdc, value, data=None, row_id=""):
    Champ.objects.create(
        dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, row_id=row_id, value=value, data=data
    )


def _remplir_bloc(dossier, definitions, rows: dict[str, dict]):
    """rows: {row_id: {child libellé: (value, data)}}, in the block's order."""
    bloc = definitions["Salariés"]
    _champ(dossier, bloc, "résumé des lignes", {"rows": list(rows)})
    for row_id, answers in rows.items():
        for libelle, (value, data) in answers.items():
            _champ(dossier, definitions[libelle], value, data, row_id=row_id)


@pytest.fixture
def dossiers_blocs(demarche_blocs):
    definitions = _definitions(demarche_blocs)
    premier = deposer(demarche_blocs)
    _remplir_bloc(premier, definitions, {
        "b2": {"Nom": ("Durand", None), "Âge": ("42", None),
               "SIRET de l'employeur": ("13002526500013", {"etat": "ok", "etablissement": ETABLISSEMENT})},
        "a1": {"Nom": ("Martin", None)},
        "ff": {},  # a row left empty: no line in the sheet
    })
    _champ(premier, definitions["SIRET de l'organisme"], "13002526500013", {"etat": "ok", "etablissement": ETABLISSEMENT})
    second = deposer(demarche_blocs)
    _remplir_bloc(second, definitions, {"c3": {"Âge": ("30", None)}})
    _champ(second, definitions["SIRET de l'organisme"], "35600000000048", {"etat": "indisponible", "tente_le": "2026-01-01"})
    troisieme = deposer(demarche_blocs)  # nothing answered
    return premier, second, troisieme


@pytest.mark.parametrize("format", ["xlsx", "ods"])
def test_spreadsheets_have_a_sheet_per_repetition_block_and_one_for_etablissements(
    instructeur, demarche_blocs, dossiers_blocs, format
):
    premier, second, troisieme = dossiers_blocs
    # when the instructeur exports the démarche
    sheets = produire(instructeur, demarche_blocs, format)
    # then the sheets are the dossiers, the établissements, the avis and the block
    assert list(sheets) == ["Dossiers", "Etablissements", "Avis", "Salariés"]
    # the block's sheet: one line per answered row, in the block's order, linked by dossier number
    assert sheets["Salariés"][0] == ["N° dossier", "Ligne", "Nom", "Âge", "SIRET de l'employeur"]
    lines = sheets["Salariés"][1:]
    assert [line[:3] for line in lines] == [[premier.pk, 1, "Durand"], [premier.pk, 2, "Martin"], [second.pk, 1, None]]
    assert lines[0][3] in ("42", 42) and lines[2][3] in ("30", 30)
    assert lines[0][4].startswith("130 025 265 00013")
    assert troisieme.pk not in [line[0] for line in lines]
    # the main sheet keeps one column for the block (its summary), none for its children
    assert "Salariés" in sheets["Dossiers"][0] and "Âge" not in sheets["Dossiers"][0]
    # the établissements: the SIRET champs of the form, then those of the block's rows
    assert sheets["Etablissements"][0] == selectors.ETABLISSEMENT_HEADERS
    etablissements = as_dicts(sheets["Etablissements"])
    assert [(e["N° dossier"], e["Champ"], e["SIRET"]) for e in etablissements] == [
        (premier.pk, "SIRET de l'organisme", "13002526500013"),
        (premier.pk, "SIRET de l'employeur", "13002526500013"),
        (second.pk, "SIRET de l'organisme", "35600000000048"),
    ]
    dinum = etablissements[0]
    assert dinum["Raison sociale"] == "DIRECTION INTERMINISTERIELLE DU NUMERIQUE"
    assert (dinum["Code postal"], dinum["Commune"], dinum["Code NAF"]) == ("75007", "Paris", "84.11Z")
    assert (dinum["Siège social"], dinum["Établissement actif"]) == ("Oui", "Oui")
    assert dinum["Date de création"] in (datetime.date(2019, 10, 25), datetime.datetime(2019, 10, 25))
    # an établissement the registry could not give yet: its number only
    assert etablissements[2]["Raison sociale"] is None


def test_csv_holds_the_dossiers_sheet_only(instructeur, demarche_blocs, dossiers_blocs):
    sheets = produire(instructeur, demarche_blocs, "csv")
    assert list(sheets) == ["Dossiers"]
    assert len(sheets["Dossiers"]) == 1 + 3


def test_a_demarche_for_companies_exports_the_demandeur_etablissement(instructeur):
    # given a démarche for companies and a dossier whose demandeur gave his SIRET
    procedure = factories.procedure_creer(instructeurs=[instructeur], for_individual=False)
    if not selectors._has_company_identity():
        pytest.skip("les dossiers ne gardent pas encore le SIRET du demandeur")
    dossier = deposer(procedure, civilite="", nom="", prenom="")
    Dossier.objects.filter(pk=dossier.pk).update(
        siret="13002526500013", etablissement={"etat": "ok", "etablissement": ETABLISSEMENT}
    )
    # when exported
    sheets = produire(instructeur, procedure, "xlsx")
    # then the main sheet names the company, and the établissements sheet describes it
    (row,) = as_dicts(sheets["Dossiers"])
    assert (row["SIRET"], row["Raison sociale"]) == ("13002526500013", "DIRECTION INTERMINISTERIELLE DU NUMERIQUE")
    assert "Civilité" not in sheets["Dossiers"][0]
    (etablissement,) = as_dicts(sheets["Etablissements"])
    assert (etablissement["N° dossier"], etablissement["Champ"]) == (dossier.pk, "Demandeur")
    assert etablissement["Libellé forme juridique"] == "Service central d'un ministère"


def test_the_column_catalogue_lists_metadata_champs_and_annotations_with_stable_keys(demarche):
    colonnes = selectors.colonnes_disponibles(demarche)
    keys = [c.key for c in colonnes]
    # the metadata first, with the headers of the default export, grouped
    assert keys[:3] == ["numero", "email", "civilite"]
    assert [c.libelle for c in colonnes] == selectors.headers(demarche, selectors.schema(demarche))
    assert {c.groupe for c in colonnes} == {
        "Informations du dossier", "Demandeur", "Instruction", "Formulaire", "Annotations privées"
    }
    # a champ is named by its stable_id (which survives new revisions); no column for a section title
    nom = demarche.published_revision.types_de_champ.get(libelle="Nom du projet")
    assert selectors.Colonne(f"champ:{nom.stable_id}", "Nom du projet", "Formulaire") in colonnes
    assert "Le projet" not in [c.libelle for c in colonnes]
    assert colonnes[-1].libelle == "Note interne" and colonnes[-1].groupe == "Annotations privées"
    assert len(set(keys)) == len(keys)


def test_rows_follow_the_chosen_columns_and_their_order(instructeur, demarche, dossier_complet):
    nom = demarche.published_revision.types_de_champ.get(libelle="Nom du projet")
    note = demarche.published_revision.types_de_champ.get(libelle="Note interne")
    chosen = [f"champ:{note.stable_id}", "etat", "numero", f"champ:{nom.stable_id}", "labels", "inconnue", "etat"]
    # when the dossiers sheet is asked with some columns, in some order (an unknown key, a repeated one)
    (sheet, *_) = selectors.feuilles(
        instructeur, demarche, statut="tous", include_archived=False, with_avis=True, colonnes=chosen
    )
    # then the headers and cells follow that choice; unknown keys are left out, repeated ones kept once
    assert sheet.headers == ["Note interne", "État", "N° dossier", "Nom du projet", "Labels"]
    assert list(sheet.rows) == [
        ["Dossier prioritaire", "accepté", dossier_complet.pk, "Festival « Été & Musique » <2026>", "Complet, Urgent"]
    ]


def test_a_single_column_and_no_column_are_rows_too(instructeur, demarche, dossier_complet):
    for chosen, expected in ((["numero"], [dossier_complet.pk]), ([], [])):
        (sheet,) = selectors.feuilles(
            instructeur, demarche, statut="tous", include_archived=False, with_avis=False, colonnes=chosen
        )
        assert list(sheet.rows) == [expected]


def test_columns_left_out_are_not_queried(instructeur, demarche):
    # given dossiers followed by the instructeur, with an avis
    expert = factories.UserFactory()
    for _ in range(3):
        dossier = deposer(demarche, state=S.EN_INSTRUCTION)
        Follow.objects.create(instructeur=instructeur, dossier=dossier)
        avis_donne(dossier, instructeur, expert)

    def queries(colonnes):
        (sheet,) = selectors.feuilles(
            instructeur, demarche, statut="tous", include_archived=False, with_avis=False, colonnes=colonnes
        )
        with CaptureQueriesContext(connection) as captured:
            rows = list(sheet.rows)
        return rows, [q["sql"] for q in captured]

    # when only the number and the state are asked
    rows, sql = queries(["numero", "etat"])
    # then neither followers, labels, decisions nor champs are read
    assert len(rows) == 3 and all(len(row) == 2 for row in rows)
    assert len(sql) == 1
    # while the whole sheet reads them (one query each per chunk)
    _, every = queries(None)
    assert len(every) == 5


def test_repetition_sheet_queries_do_not_grow_with_the_number_of_dossiers(instructeur, demarche_blocs):
    definitions = _definitions(demarche_blocs)

    def add(count):
        for index in range(count):
            dossier = deposer(demarche_blocs)
            _remplir_bloc(dossier, definitions, {"a1": {"Nom": (f"Nom {index}", None)}, "b2": {"Âge": ("3", None)}})

    def consume():
        sheets = selectors.feuilles(instructeur, demarche_blocs, statut="tous", include_archived=False, with_avis=True)
        with CaptureQueriesContext(connection) as captured:
            counts = {sheet.name: sum(1 for _ in sheet.rows) for sheet in sheets}
        return counts, len(captured)

    add(5)
    small, small_queries = consume()
    add(20)
    large, large_queries = consume()
    assert small["Salariés"] == 10 and large["Salariés"] == 50
    assert large_queries == small_queries
