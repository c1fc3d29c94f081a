"""What an export contains, read back from the produced files by independent readers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demarches.dossiers.models import Dossier, Follow, Traitement
from demarches.exports import selectors, services
from demarches.exports.models import Export
from demarches.instruction import selectors as instruction_selectors
from demarches.instruction import services as instruction_services
from demarches.procedures import services as procedure_services
from demarches.procedures.models import GroupeInstructeur
from tests import factories

from .conftest import CHAMP_HEADERS, avis_donne, deposer, remplir
from .readers import as_dicts, read

S = Dossier.State
pytestmark = pytest.mark.django_db

META = [
    "N° dossier", "E-mail", "Civilité", "Nom", "Prénom", "Archivé", "État", "Créé le", "Dernière mise à jour le",
    "Déposé le", "Passé en instruction le", "Traité le", "Motivation", "Groupe instructeur", "Instructeurs",
    "Décision prise par", "Labels",
]


def produire(instructeur, procedure, format, *, statut="tous", include_archived=False):
    """Ask for an export and run its job; returns the sheets read back from the file."""
    export, _ = services.export_demander(
        instructeur=instructeur, procedure=procedure, format=format, statut=statut, include_archived=include_archived
    )
    export = services.export_generer(export_id=export.pk)
    assert export.status == Export.Status.DONE, export.error
    return read(export.file.path, format)


def numeros(sheets):
    return [int(row["N° dossier"]) for row in as_dicts(sheets["Dossiers"])]


@pytest.mark.parametrize("format", ["xlsx", "ods", "csv"])
def test_export_has_the_metadata_then_one_column_per_champ_then_the_annotations(instructeur, demarche, dossier_complet, format):
    # when the instructeur exports every dossier
    sheets = produire(instructeur, demarche, format)
    # then the sheets are the dossiers and, for spreadsheets, the avis
    assert list(sheets) == (["Dossiers"] if format == "csv" else ["Dossiers", "Avis"])
    # and the headers are the metadata in French, the champs (no section title) and the annotation privée
    assert sheets["Dossiers"][0] == META + CHAMP_HEADERS + ["Note interne"]
    (row,) = as_dicts(sheets["Dossiers"])
    typed = format != "csv"
    assert row["N° dossier"] == (dossier_complet.pk if typed else str(dossier_complet.pk))
    assert row["E-mail"] == dossier_complet.user.email
    assert (row["Civilité"], row["Nom"], row["Prénom"]) == ("M.", "Dupont", "Jean")
    assert (row["Archivé"], row["État"]) == ("Non", "accepté")
    assert row["Traité le"] == (datetime.datetime(2026, 3, 2, 10, 30) if typed else "2026-03-02 10:30:00")
    assert row["Passé en instruction le"] == (datetime.datetime(2026, 2, 27, 10, 30) if typed else "2026-02-27 10:30:00")
    assert isinstance(row["Déposé le"], datetime.datetime) if typed else row["Déposé le"].startswith("20")
    assert row["Motivation"] == "Projet conforme"
    assert row["Groupe instructeur"] == "défaut"
    assert row["Instructeurs"] == instructeur.user.email
    assert row["Décision prise par"] == instructeur.user.email
    assert row["Labels"] == "Complet, Urgent"
    # champ values are those the registry exports (typed where the type gives a typed value)
    assert row["Nom du projet"] == "Festival « Été & Musique » <2026>"
    assert row["Nombre de participants"] in ("120", 120)
    assert row["Budget"] in ("1500,5", 1500.5)
    assert row["Date de l'événement"] in ("14 juillet 2026", "2026-07-14", datetime.datetime(2026, 7, 14), datetime.date(2026, 7, 14))
    assert row["J'accepte les conditions"] == "Oui"
    assert row["Thèmes"] == "Culture, Santé"
    assert row["Description"] == "Première ligne\nDeuxième  ligne"
    assert row["Note interne"] == "Dossier prioritaire"


@pytest.mark.parametrize("format", ["xlsx", "ods"])
def test_spreadsheets_have_an_avis_sheet_linked_by_dossier_number(instructeur, demarche, dossier_complet, format):
    sheets = produire(instructeur, demarche, format)
    assert sheets["Avis"][0][:7] == ["N° dossier", "Expert", "Demandé par", "Question", "Demandé le", "Avis", "Donné le"]
    assert sheets["Avis"][0] == selectors.avis_headers()
    (avis,) = as_dicts(sheets["Avis"])
    assert avis["N° dossier"] == dossier_complet.pk
    assert avis["Expert"] == "experte@exemple.fr"
    assert avis["Demandé par"] == instructeur.user.email
    assert avis["Question"] == "Le budget est-il réaliste ?"
    assert avis["Avis"] == "Oui, il est réaliste."
    assert isinstance(avis["Demandé le"], datetime.datetime) and isinstance(avis["Donné le"], datetime.datetime)
    if "Confidentiel" in avis:
        assert avis["Confidentiel"] == "Non"


def test_withdrawn_avis_requests_are_not_exported(instructeur, demarche, dossier_complet):
    from demarches.instruction.models import Avis

    if not selectors._model_has(Avis, "revoked_at"):
        pytest.skip("les demandes d'avis ne peuvent pas encore être retirées")
    Avis.objects.filter(pk=dossier_complet.avis_demande.pk).update(revoked_at=dossier_complet.created_at)
    sheets = produire(instructeur, demarche, "xlsx")
    assert sheets["Avis"][1:] == []


def test_an_export_holds_only_the_dossiers_the_instructeur_may_see(instructeur, demarche, administrateur):
    # given a dossier of the instructeur's group, one routed to another group, a brouillon,
    # and a dossier of another démarche
    visible = deposer(demarche)
    autre_groupe = GroupeInstructeur.objects.create(procedure=demarche, label="Nord")
    autre_groupe.instructeurs.add(factories.InstructeurFactory())
    hors_groupe = deposer(demarche)
    Dossier.objects.filter(pk=hors_groupe.pk).update(groupe_instructeur=autre_groupe)
    brouillon = deposer(demarche, state=S.BROUILLON)
    remplir(brouillon, **{"Nom du projet": "Projet pas encore déposé"})
    ailleurs = deposer(factories.procedure_creer(instructeurs=[instructeur]))
    # when he exports every dossier
    sheets = produire(instructeur, demarche, "xlsx")
    # then only the dossier of his group is there; never a brouillon, never another démarche's
    assert numeros(sheets) == [visible.pk]
    assert brouillon.pk not in numeros(sheets) and hors_groupe.pk not in numeros(sheets) and ailleurs.pk not in numeros(sheets)


def test_an_export_follows_the_tab_and_its_order(instructeur, demarche):
    # given dossiers in several states, one followed by the instructeur
    en_construction = deposer(demarche)
    suivi = deposer(demarche, state=S.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=suivi)
    refuse = deposer(demarche, state=S.REFUSE, motivation="Incomplet")
    accepte = deposer(demarche, state=S.ACCEPTE)
    # then each tab exports the dossiers the dashboard shows, in the same order
    expected = {
        "a-suivre": [en_construction.pk],
        "suivis": [suivi.pk],
        "traites": [accepte.pk, refuse.pk],
        "tous": [accepte.pk, refuse.pk, suivi.pk, en_construction.pk],
    }
    for statut, pks in expected.items():
        dashboard = list(instruction_selectors.dossiers_du_tableau(instructeur, demarche, statut).values_list("pk", flat=True))
        assert numeros(produire(instructeur, demarche, "csv", statut=statut)) == dashboard == pks, statut


def test_archived_dossiers_are_exported_only_when_asked(instructeur, demarche):
    courant = deposer(demarche, state=S.ACCEPTE)
    archive = deposer(demarche, state=S.ACCEPTE, archived=True)
    # like the dashboard tabs, an export leaves the archived dossiers out…
    assert numeros(produire(instructeur, demarche, "ods")) == [courant.pk]
    assert numeros(produire(instructeur, demarche, "ods", statut="traites")) == [courant.pk]
    # …unless they are asked for
    sheets = produire(instructeur, demarche, "ods", include_archived=True)
    assert sorted(numeros(sheets)) == sorted([courant.pk, archive.pk])
    assert {row["N° dossier"]: row["Archivé"] for row in as_dicts(sheets["Dossiers"])} == {courant.pk: "Non", archive.pk: "Oui"}
    # and the "archivés" tab exports them alone
    assert numeros(produire(instructeur, demarche, "csv", statut="archives")) == [archive.pk]


def test_an_export_follows_the_label_filter_of_the_dashboard(instructeur, demarche):
    # given two dossiers, one carrying the label "Urgent"
    urgent = deposer(demarche)
    deposer(demarche)
    label = next(lbl for lbl in instruction_services.labels_de_la_procedure(demarche) if lbl.name == "Urgent")
    instruction_services.dossier_labels_definir(dossier=urgent, instructeur=instructeur, label_ids=[label.pk])
    # when the instructeur exports the tab filtered on that label
    export, _ = services.export_demander(
        instructeur=instructeur, procedure=demarche, format="csv", statut="tous", label_id=label.pk
    )
    export = services.export_generer(export_id=export.pk)
    # then only that dossier is exported
    rows = as_dicts(read(export.file.path, "csv")["Dossiers"])
    assert [int(row["N° dossier"]) for row in rows] == [urgent.pk]
    assert rows[0]["Labels"] == "Urgent"
    # and a label of another démarche is refused
    autre = instruction_services.labels_de_la_procedure(factories.procedure_creer(instructeurs=[instructeur]))[0]
    with pytest.raises(ValidationError):
        services.export_demander(instructeur=instructeur, procedure=demarche, format="csv", statut="tous", label_id=autre.pk)


def test_champs_are_followed_across_revisions_by_stable_id(instructeur, demarche, administrateur):
    # given a dossier on the first published revision
    ancien = deposer(demarche)
    remplir(ancien, **{"Nom du projet": "Projet ancien", "Description": "Texte d'un champ supprimé depuis"})
    # and a new revision: a champ renamed, one removed, one added
    revision_1 = demarche.published_revision
    nom = revision_1.types_de_champ.get(libelle="Nom du projet")
    description = revision_1.types_de_champ.get(libelle="Description")
    procedure_services.type_de_champ_modifier(
        procedure=demarche, administrateur=administrateur, stable_id=nom.stable_id, type_champ="text",
        libelle="Intitulé du projet", mandatory=True,
    )
    procedure_services.type_de_champ_supprimer(procedure=demarche, administrateur=administrateur, stable_id=description.stable_id)
    procedure_services.type_de_champ_ajouter(procedure=demarche, administrateur=administrateur, type_champ="text", libelle="Commune")
    demarche = procedure_services.procedure_publier(procedure=demarche, administrateur=administrateur, path="subvention-projets")
    assert demarche.published_revision_id != revision_1.pk
    # and a dossier on the new revision
    nouveau = deposer(demarche)
    remplir(nouveau, **{"Intitulé du projet": "Projet nouveau", "Commune": "Lyon"})
    # when exported
    sheets = produire(instructeur, demarche, "xlsx")
    headers = sheets["Dossiers"][0]
    rows = {row["N° dossier"]: row for row in as_dicts(sheets["Dossiers"])}
    # then the renamed champ is one column with the latest libellé, holding both dossiers' values
    assert "Nom du projet" not in headers and headers.count("Intitulé du projet") == 1
    assert rows[ancien.pk]["Intitulé du projet"] == "Projet ancien"
    assert rows[nouveau.pk]["Intitulé du projet"] == "Projet nouveau"
    # the removed champ keeps its column (after the current ones) for the dossiers that answered it
    assert headers.index("Description") > headers.index("Commune")
    assert rows[ancien.pk]["Description"] == "Texte d'un champ supprimé depuis"
    assert rows[nouveau.pk]["Commune"] == "Lyon" and rows[ancien.pk]["Commune"] is None
    # and the annotation privée comes last
    assert headers[-1] == "Note interne"


def test_a_demarche_for_companies_has_no_individual_identity_columns(instructeur):
    procedure = factories.procedure_creer(instructeurs=[instructeur], for_individual=False)
    deposer(procedure)
    headers = produire(instructeur, procedure, "csv")["Dossiers"][0]
    assert "Civilité" not in headers and "Nom" not in headers and "Prénom" not in headers
    assert headers[:2] == ["N° dossier", "E-mail"]


def _scene(procedure, instructeur, count):
    expert = factories.UserFactory()
    for index in range(count):
        dossier = deposer(procedure, state=S.EN_INSTRUCTION, nom=f"Nom {index}")
        remplir(dossier, **{"Nom du projet": f"Projet {index}", "Nombre de participants": str(index), "Note interne": "ok"})
        Follow.objects.create(instructeur=instructeur, dossier=dossier)
        avis_donne(dossier, instructeur, expert)
        Dossier.objects.filter(pk=dossier.pk).update(state=S.ACCEPTE)
        Traitement.objects.create(dossier=dossier, state=S.ACCEPTE, processed_at=dossier.created_at, instructeur_email="x@exemple.fr")


def _consume(instructeur, procedure, **options):
    rows = 0
    for sheet in selectors.feuilles(instructeur, procedure, statut="tous", include_archived=False, with_avis=True, **options):
        rows += sum(1 for _ in sheet.rows)
    return rows


def test_the_number_of_queries_does_not_grow_with_the_number_of_dossiers(
    instructeur, demarche, django_assert_max_num_queries
):
    # given 10 dossiers, each with champs, a follower, a decision and an avis
    _scene(demarche, instructeur, 10)
    with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as ten:
        assert _consume(instructeur, demarche) == 10 + 10
    # when there are 50 of them
    _scene(demarche, instructeur, 40)
    with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as fifty:
        assert _consume(instructeur, demarche) == 50 + 50
    # then the export runs the same queries
    assert len(fifty) == len(ten)


def test_the_whole_job_runs_the_same_number_of_queries_for_10_and_50_dossiers(instructeur, demarche):
    _scene(demarche, instructeur, 10)
    with CaptureQueriesContext(connection) as ten:
        produire(instructeur, demarche, "xlsx")
    _scene(demarche, instructeur, 40)
    with CaptureQueriesContext(connection) as fifty:
        sheets = produire(instructeur, demarche, "xlsx", statut="traites")
    assert len(sheets["Dossiers"]) == 51 and len(sheets["Avis"]) == 51
    assert len(fifty) == len(ten)


def test_dossiers_are_read_chunk_by_chunk_in_the_tab_order(instructeur, demarche):
    # given 45 dossiers read by chunks of 20
    _scene(demarche, instructeur, 45)
    progress = []
    sheets = selectors.feuilles(
        instructeur, demarche, statut="tous", include_archived=False, with_avis=False, chunk_size=20, on_chunk=progress.append
    )
    numbers = [row[0] for row in sheets[0].rows]
    # then every dossier is there once, in the dashboard's order, and progress is told after each chunk
    assert numbers == list(instruction_selectors.dossiers_du_tableau(instructeur, demarche, "tous").values_list("pk", flat=True))
    assert progress == [20, 40, 45]


@pytest.mark.parametrize("format", ["xlsx", "csv"])
def test_the_birth_date_column_when_the_demarche_asks_it(instructeur, demarche, format):
    demarche.demander_date_naissance = True
    demarche.save(update_fields=["demander_date_naissance"])
    avec = deposer(demarche)
    Dossier.objects.filter(pk=avec.pk).update(date_naissance=datetime.date(1985, 7, 14))
    sans = deposer(demarche)
    sheet = produire(instructeur, demarche, format)["Dossiers"]
    # the column follows the identity
    assert sheet[0][:6] == ["N° dossier", "E-mail", "Civilité", "Nom", "Prénom", "Date de naissance"]
    rows = {int(row["N° dossier"]): row for row in as_dicts(sheet)}
    typed = (datetime.date(1985, 7, 14), datetime.datetime(1985, 7, 14))
    assert rows[avec.pk]["Date de naissance"] in (("1985-07-14",) if format == "csv" else typed)
    assert rows[sans.pk]["Date de naissance"] in (None, "")
    assert rows[avec.pk]["Archivé"] == "Non"  # the following cells did not move
    # and the démarches that do not ask it have no such column
    demarche.demander_date_naissance = False
    demarche.save(update_fields=["demander_date_naissance"])
    assert "Date de naissance" not in selectors.meta_headers(demarche)
    assert "Date de naissance" not in [c.libelle for c in selectors.colonnes_disponibles(demarche)]
