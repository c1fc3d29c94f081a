"""Exports follow the instructeur's dossier list: its filters, search and sort, all pages, in the
same order, restricted to what he may see; the export records them (reuse rule, exports page)."""

import pytest
from django.urls import reverse

from demarches.dossiers.models import Dossier
from demarches.exports import selectors, services
from demarches.exports.models import Export
from demarches.instruction import services as instruction_services
from demarches.instruction.liste import filtres, preferences
from demarches.instruction.liste.colonnes import colonnes_disponibles
from demarches.procedures.models import GroupeInstructeur
from tests import factories

from .conftest import avis_donne, deposer, remplir
from .readers import as_dicts, read

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def instructeur_client(client, instructeur):
    client.force_login(instructeur.user)
    return client


def colonne(procedure, libelle_ou_cle):
    cols = colonnes_disponibles(
        procedure, groupes=list(procedure.groupes_instructeurs.all()),
        labels=instruction_services.labels_de_la_procedure(procedure),
    )
    if libelle_ou_cle in cols:
        return cols[libelle_ou_cle]
    return next(c for c in cols.values() if c.libelle == libelle_ou_cle)


def filtrer(instructeur, procedure, libelle, operateur, valeurs=(), du="", au=""):
    """What the « Filtrer » form does: the filter is remembered for the instructeur and the démarche."""
    filtre = filtres.filtre_valider(colonne(procedure, libelle), operateur, list(valeurs), du, au)
    preferences.filtre_ajouter(instructeur=instructeur, procedure=procedure, filtre=filtre)


def trier(instructeur, procedure, libelle, sens):
    col = colonne(procedure, libelle)
    preferences.tri_definir(
        instructeur=instructeur, procedure=procedure, key=col.key, sens=sens, disponibles={col.key: col}
    )


def projet(procedure, nom, participants, state=S.EN_CONSTRUCTION, **fields):
    dossier = deposer(procedure, state=state, **fields)
    remplir(dossier, **{"Nom du projet": nom, "Nombre de participants": str(participants)})
    return dossier


def exporter(instructeur, procedure, format="csv", **options):
    options.setdefault("statut", "tous")
    export, _ = services.export_demander(instructeur=instructeur, procedure=procedure, format=format, **options)
    export = services.export_generer(export_id=export.pk)
    assert export.status == Export.Status.DONE, export.error
    return read(export.file.path, format)


def numeros(sheets, name="Dossiers"):
    return [int(row["N° dossier"]) for row in as_dicts(sheets[name])]


def liste_affichee(client, procedure, **params):
    """The numbers of the dossiers the list page shows, page after page."""
    url = reverse("instruction:procedure", args=[procedure.pk])
    shown, page = [], 1
    while True:
        response = client.get(url, {"statut": "tous", **params, "page": page})
        assert response.status_code == 200
        shown += [ligne.dossier.pk for ligne in response.context["lignes"]]
        if not response.context["page"].has_next():
            return shown
        page += 1


@pytest.fixture
def projets(demarche):
    """Four dossiers: three « festival » projects of various sizes (one refused), a concert."""
    return {
        "grand": projet(demarche, "Grand festival", 120),
        "concert": projet(demarche, "Concert de printemps", 30),
        "petit": projet(demarche, "Petit Festival d'été", 75, state=S.EN_INSTRUCTION),
        "refuse": projet(demarche, "Festival refusé", 10, state=S.REFUSE),
    }


@pytest.mark.parametrize("format", ["csv", "xlsx", "ods"])
def test_the_export_holds_the_filtered_dossiers_in_the_order_of_the_list(
    instructeur_client, instructeur, demarche, projets, format
):
    # given an instructeur whose list keeps the dossiers en cours whose project name contains
    # "festival", sorted by number of participants, smallest first
    filtrer(instructeur, demarche, "etat", "parmi", ["en_construction", "en_instruction"])
    filtrer(instructeur, demarche, "Nom du projet", "contient", ["festival"])
    trier(instructeur, demarche, "Nombre de participants", "asc")
    # when he exports the tab (the job brings the list's copy of the values up to date itself)
    sheets = exporter(instructeur, demarche, format)
    # then the file holds the dossiers the list shows, in the same order
    assert numeros(sheets) == [projets["petit"].pk, projets["grand"].pk]
    assert numeros(sheets) == liste_affichee(instructeur_client, demarche)
    # and the other way round
    trier(instructeur, demarche, "Nombre de participants", "desc")
    sheets = exporter(instructeur, demarche, format)
    assert numeros(sheets) == [projets["grand"].pk, projets["petit"].pk] == liste_affichee(instructeur_client, demarche)


def test_every_page_of_the_list_is_exported_in_its_order(instructeur_client, instructeur, demarche, monkeypatch):
    # given a list of 3 pages of 2 dossiers, sorted by number (ascending) then filtered on a date range
    monkeypatch.setattr("demarches.instruction.liste.views.PAGE_SIZE", 2)
    dossiers = [projet(demarche, f"Projet {i}", i) for i in range(6)]
    trier(instructeur, demarche, "numero", "asc")
    # when he exports: every page, in the list's order
    shown = liste_affichee(instructeur_client, demarche)
    assert len(shown) == 6 and shown == sorted(d.pk for d in dossiers)
    assert numeros(exporter(instructeur, demarche, "xlsx")) == shown
    # sorted on a metadata column in the other direction too
    trier(instructeur, demarche, "numero", "desc")
    assert numeros(exporter(instructeur, demarche, "csv")) == liste_affichee(instructeur_client, demarche) == shown[::-1]


def test_the_search_of_the_list_is_exported(instructeur_client, instructeur, demarche, projets):
    sheets = exporter(instructeur, demarche, "csv", recherche="  concert   PRINTEMPS ")
    assert numeros(sheets) == [projets["concert"].pk] == liste_affichee(instructeur_client, demarche, q="concert printemps")
    # a dossier number is found too, with whatever else the list finds
    numero = str(projets["petit"].pk)
    found = numeros(exporter(instructeur, demarche, "csv", recherche=numero))
    assert projets["petit"].pk in found and found == liste_affichee(instructeur_client, demarche, q=numero)


def test_filters_apply_to_the_other_sheets_too(instructeur, demarche, projets):
    # given an avis on a concert and one on a festival
    expert = factories.UserFactory(email="experte@exemple.fr")
    avis_donne(projets["concert"], instructeur, expert)
    avis_donne(projets["grand"], instructeur, expert)
    filtrer(instructeur, demarche, "Nom du projet", "contient", ["concert"])
    sheets = exporter(instructeur, demarche, "xlsx")
    assert numeros(sheets) == [projets["concert"].pk]
    assert numeros(sheets, "Avis") == [projets["concert"].pk]


def test_a_filtered_export_never_holds_a_dossier_of_another_groupe(instructeur_client, instructeur, demarche, projets):
    # given a « festival » dossier routed to a groupe the instructeur is not part of
    nord = GroupeInstructeur.objects.create(procedure=demarche, label="Nord")
    nord.instructeurs.add(factories.InstructeurFactory())
    ailleurs = projet(demarche, "Festival du nord", 500)
    Dossier.objects.filter(pk=ailleurs.pk).update(groupe_instructeur=nord)
    # and a colleague of that groupe who filters the same way
    filtrer(instructeur, demarche, "Nom du projet", "contient", ["festival"])
    trier(instructeur, demarche, "Nombre de participants", "desc")
    # when the instructeur exports, with the search matching it too
    exported = numeros(exporter(instructeur, demarche, "csv"))
    searched = numeros(exporter(instructeur, demarche, "csv", recherche="nord"))
    # then the dossier of the other groupe is in neither, as in his list
    assert ailleurs.pk not in exported and searched == []
    assert exported == liste_affichee(instructeur_client, demarche)
    # even a filter on the groupe itself cannot reach it
    preferences.filtres_vider(instructeur=instructeur, procedure=demarche)
    filtrer(instructeur, demarche, "groupe", "parmi", [str(nord.pk)])
    assert numeros(exporter(instructeur, demarche, "csv")) == []


def test_archived_dossiers_are_filtered_like_the_others(instructeur, demarche, projets):
    archive = projet(demarche, "Festival archivé", 50, state=S.ACCEPTE, archived=True)
    filtrer(instructeur, demarche, "Nom du projet", "contient", ["festival"])
    trier(instructeur, demarche, "Nombre de participants", "asc")
    assert numeros(exporter(instructeur, demarche, "csv", statut="traites")) == [projets["refuse"].pk]
    assert numeros(exporter(instructeur, demarche, "csv", statut="traites", include_archived=True)) == [
        projets["refuse"].pk, archive.pk,
    ]


def test_the_export_records_the_list_as_it_was_when_asked(instructeur, demarche, projets):
    # given an export asked with a filter and a sort
    filtrer(instructeur, demarche, "Nom du projet", "contient", ["festival"])
    trier(instructeur, demarche, "Nombre de participants", "asc")
    export, _ = services.export_demander(
        instructeur=instructeur, procedure=demarche, format="csv", statut="tous", recherche="grand"
    )
    # then the export records them, with their texts
    assert export.liste["filtres"] == [{"colonne": colonne(demarche, "Nom du projet").key, "operateur": "contient", "valeur": "festival"}]
    assert export.liste["recherche"] == "grand"
    assert export.liste["resume"] == [
        "Nom du projet contient « festival »", "Recherche : « grand »", "Tri : Nombre de participants (croissant)",
    ]
    # when the instructeur changes his list before the job runs
    preferences.filtres_vider(instructeur=instructeur, procedure=demarche)
    trier(instructeur, demarche, "Nombre de participants", "desc")
    export = services.export_generer(export_id=export.pk)
    # then the file follows what was asked
    assert numeros(read(export.file.path, "csv")) == [projets["grand"].pk]


def test_the_reuse_rule_compares_filters_sort_and_search(instructeur, demarche):
    def demander(**options):
        return services.export_demander(instructeur=instructeur, procedure=demarche, format="csv", statut="tous", **options)

    first, created = demander()
    assert created
    # the same list: reused
    assert demander() == (first, False)
    # another filter, another sort, another search: another export each time
    filtrer(instructeur, demarche, "Nom du projet", "contient", ["festival"])
    filtered, created = demander()
    assert created and filtered.pk != first.pk
    trier(instructeur, demarche, "Nombre de participants", "asc")
    sorted_, created = demander()
    assert created and sorted_.pk not in (first.pk, filtered.pk)
    searched, created = demander(recherche="grand")
    assert created and searched.pk not in (first.pk, filtered.pk, sorted_.pk)
    # the same search written differently (case, spaces) finds the same dossiers: the same export
    assert demander(recherche=" GRAND ") == (searched, False)
    # back to the first list (no filter, the default sort): the first export again
    preferences.filtres_vider(instructeur=instructeur, procedure=demarche)
    trier(instructeur, demarche, "updated_at", "desc")
    assert demander() == (first, False)


def test_the_dashboard_menu_carries_the_search_and_the_exports_page_shows_the_list(
    instructeur_client, instructeur, demarche, projets, django_capture_on_commit_callbacks
):
    filtrer(instructeur, demarche, "Nom du projet", "contient", ["festival"])
    trier(instructeur, demarche, "Nombre de participants", "desc")
    dashboard = reverse("instruction:procedure", args=[demarche.pk])
    html = instructeur_client.get(dashboard, {"statut": "tous", "q": "grand"}).content.decode()
    # the menu sends the search with the tab, and says the list's order and filters are kept
    assert '<input type="hidden" name="q" value="grand">' in html
    assert "trouvés par la recherche « grand »" in html
    assert "dans l'ordre de la liste et avec ses filtres actifs" in html
    # when he asks for the export from the menu
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(
            reverse("exports:demander", args=[demarche.pk]), {"format": "csv", "statut": "tous", "q": "grand"}
        )
    export = Export.objects.get()
    assert export.liste["recherche"] == "grand" and export.row_count == 1
    # then the exports page lists it with its filters, search and sort
    page = instructeur_client.get(response.url).content.decode()
    for text in ("Nom du projet contient « festival »", "Recherche : « grand »", "Tri : Nombre de participants (décroissant)"):
        assert text in page


def test_liste_de_l_instructeur_leaves_out_filters_on_columns_that_no_longer_exist(instructeur, demarche):
    pref = preferences.preference(instructeur, demarche)
    pref.filtres = [{"colonne": "champ:999999", "operateur": "contient", "valeur": "x"}]
    pref.tri_colonne = "champ:999999"
    preferences._save(pref)
    liste = selectors.liste_de_l_instructeur(instructeur, demarche)
    assert liste["filtres"] == [] and liste["tri"] == {"colonne": "updated_at", "sens": "desc"}
