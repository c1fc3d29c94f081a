"""Filter, sort and search builders of the dossier list (instruction/liste), on a real database."""

import datetime
import io

import pytest
from django.utils import timezone

from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.instruction import compteurs, selectors, services
from demarches.instruction.liste import filtres, indexation
from demarches.instruction.liste.colonnes import colonnes_disponibles
from demarches.instruction.models import CompteurChangement, DossierLabel, DossierTexte, ValeurIndexee
from tests import factories
from tests.concurrence import en_parallele

S = Dossier.State
pytestmark = pytest.mark.django_db

CHAMPS = [
    ("text", "Nom du projet", False),
    ("integer_number", "Nombre de participants", False),
    ("date", "Date de début", False),
    ("drop_down_list", "Thème", False, {"choices": ["Culture", "Éducation", "Sport"]}),
    ("yes_no", "Déjà financé", False),
]


@pytest.fixture
def demarche(instructeur):
    return factories.procedure_creer(instructeurs=[instructeur], champs=CHAMPS)


def tdc(procedure, libelle):
    return procedure.active_revision.types_de_champ.get(libelle=libelle)


def remplir(procedure, state=S.EN_CONSTRUCTION, **valeurs):
    """A deposited dossier with the given champ values ({libellé: stored value}), indexed."""
    nom = valeurs.pop("nom", "Martin")
    dossier = factories.dossier_creer(procedure=procedure, state=state, nom=nom)
    for libelle, value in valeurs.items():
        definition = tdc(procedure, libelle.replace("_", " "))
        Champ.objects.create(dossier=dossier, type_de_champ=definition, stable_id=definition.stable_id, value=value)
    indexation.dossiers_indexer([dossier.pk])
    return dossier


def colonnes(procedure, instructeur=None):
    return colonnes_disponibles(
        procedure, groupes=list(procedure.groupes_instructeurs.all()), labels=services.labels_de_la_procedure(procedure)
    )


def champ_colonne(procedure, libelle):
    return colonnes(procedure)[f"champ:{tdc(procedure, libelle).stable_id}"]


def filtrer(instructeur, procedure, filtre):
    cols = colonnes(procedure)
    return set(
        selectors.dossiers_de_la_liste(
            instructeur, procedure, "tous", condition=filtres.filtres_q(cols, [filtre])
        ).values_list("pk", flat=True)
    )


# --- columns -------------------------------------------------------------------------------------


def test_every_champ_is_a_column_with_the_operators_of_its_type(demarche):
    # given a démarche with text, number, date, choice and yes/no champs
    cols = colonnes(demarche)
    # then each gets a column whose operators follow its type, after the metadata
    assert list(cols)[:4] == ["numero", "demandeur", "email", "etat"]
    assert champ_colonne(demarche, "Nom du projet").operateurs == ("contient", "egal")
    assert champ_colonne(demarche, "Nombre de participants").operateurs == ("egal", "entre")
    assert champ_colonne(demarche, "Date de début").operateurs == ("entre",)
    theme = champ_colonne(demarche, "Thème")
    assert theme.operateurs == ("parmi", "egal")
    assert [label for _, label in theme.choix] == ["Culture", "Éducation", "Sport"]
    assert [label for _, label in champ_colonne(demarche, "Déjà financé").choix] == ["Oui", "Non"]


# --- validation ----------------------------------------------------------------------------------


def test_filter_validation_refuses_what_cannot_be_applied(demarche):
    nombre = champ_colonne(demarche, "Nombre de participants")
    theme = champ_colonne(demarche, "Thème")
    date = champ_colonne(demarche, "Date de début")
    with pytest.raises(ValueError, match="pas proposé"):
        filtres.filtre_valider(date, "contient", ["x"])
    with pytest.raises(ValueError, match="n'est pas un nombre"):
        filtres.filtre_valider(nombre, "egal", ["douze"])
    with pytest.raises(ValueError, match="au moins une des valeurs"):
        filtres.filtre_valider(theme, "parmi", ["Pétanque"])
    with pytest.raises(ValueError, match="n'est pas valide"):
        filtres.filtre_valider(date, "entre", [], du="31/02/2026")
    with pytest.raises(ValueError, match="au moins une des deux bornes"):
        filtres.filtre_valider(date, "entre", [])
    assert filtres.filtre_valider(theme, "parmi", ["Sport", "Pétanque", "Culture"])["valeur"] == ["Sport", "Culture"]
    assert filtres.filtre_valider(date, "entre", [], du="2026-01-01") == {
        "colonne": date.key,
        "operateur": "entre",
        "valeur": {"du": "2026-01-01", "au": ""},
    }


# --- filters on champs ---------------------------------------------------------------------------


def test_contient_on_a_champ_ignores_case_and_accents(instructeur, demarche):
    jardin = remplir(demarche, Nom_du_projet="Jardin partagé du Quartier")
    remplir(demarche, Nom_du_projet="Festival")
    colonne = champ_colonne(demarche, "Nom du projet")
    assert filtrer(instructeur, demarche, {"colonne": colonne.key, "operateur": "contient", "valeur": "PARTAGE"}) == {
        jardin.pk
    }
    assert filtrer(
        instructeur, demarche, {"colonne": colonne.key, "operateur": "egal", "valeur": "jardin partagé du quartier"}
    ) == {jardin.pk}


def test_parmi_and_egal_on_choices(instructeur, demarche):
    culture = remplir(demarche, Thème="Culture", Déjà_financé="true")
    sport = remplir(demarche, Thème="Sport", Déjà_financé="false")
    remplir(demarche, Thème="Éducation")
    theme = champ_colonne(demarche, "Thème")
    assert filtrer(
        instructeur, demarche, {"colonne": theme.key, "operateur": "parmi", "valeur": ["Culture", "Sport"]}
    ) == {culture.pk, sport.pk}
    finance = champ_colonne(demarche, "Déjà financé")
    assert filtrer(instructeur, demarche, {"colonne": finance.key, "operateur": "parmi", "valeur": ["Oui"]}) == {
        culture.pk
    }


def test_entre_on_numbers_and_dates(instructeur, demarche):
    petit = remplir(demarche, Nombre_de_participants="9", Date_de_début="2026-01-15")
    grand = remplir(demarche, Nombre_de_participants="100", Date_de_début="2026-03-01")
    nombre = champ_colonne(demarche, "Nombre de participants")
    date = champ_colonne(demarche, "Date de début")
    assert filtrer(
        instructeur, demarche, {"colonne": nombre.key, "operateur": "entre", "valeur": {"du": "10", "au": ""}}
    ) == {grand.pk}
    assert filtrer(instructeur, demarche, {"colonne": nombre.key, "operateur": "egal", "valeur": "9"}) == {petit.pk}
    # the "au" day is included
    assert filtrer(
        instructeur,
        demarche,
        {"colonne": date.key, "operateur": "entre", "valeur": {"du": "2026-01-01", "au": "2026-01-15"}},
    ) == {petit.pk}


def test_several_filters_apply_together(instructeur, demarche):
    both = remplir(demarche, Thème="Culture", Nombre_de_participants="50")
    remplir(demarche, Thème="Culture", Nombre_de_participants="5")
    remplir(demarche, Thème="Sport", Nombre_de_participants="50")
    cols = colonnes(demarche)
    theme, nombre = champ_colonne(demarche, "Thème"), champ_colonne(demarche, "Nombre de participants")
    condition = filtres.filtres_q(
        cols,
        [
            {"colonne": theme.key, "operateur": "parmi", "valeur": ["Culture"]},
            {"colonne": nombre.key, "operateur": "entre", "valeur": {"du": "10", "au": "60"}},
            {"colonne": "champ:999999", "operateur": "egal", "valeur": "x"},  # a champ removed since: ignored
        ],
    )
    rows = selectors.dossiers_de_la_liste(instructeur, demarche, "tous", condition=condition)
    assert [d.pk for d in rows] == [both.pk]
    # and the counters follow the filters
    assert selectors.compteurs(instructeur, demarche, condition=condition)["tous"] == 1


# --- filters on metadata -------------------------------------------------------------------------


def test_filters_on_state_dates_email_labels_groupe_and_followers(instructeur, demarche):
    a = remplir(demarche, state=S.EN_INSTRUCTION)
    b = remplir(demarche, state=S.ACCEPTE)
    Dossier.objects.filter(pk=a.pk).update(depose_at=timezone.make_aware(datetime.datetime(2025, 5, 2, 10)))
    urgent = next(lbl for lbl in services.labels_de_la_procedure(demarche) if lbl.name == "Urgent")
    DossierLabel.objects.create(dossier=b, label=urgent)
    Follow.objects.create(instructeur=instructeur, dossier=a)
    assert filtrer(
        instructeur, demarche, {"colonne": "etat", "operateur": "parmi", "valeur": ["accepte", "refuse"]}
    ) == {b.pk}
    assert filtrer(
        instructeur,
        demarche,
        {"colonne": "depose_at", "operateur": "entre", "valeur": {"du": "2025-05-01", "au": "2025-05-02"}},
    ) == {a.pk}
    assert filtrer(
        instructeur, demarche, {"colonne": "email", "operateur": "contient", "valeur": b.user.email.upper()}
    ) == {b.pk}
    assert filtrer(instructeur, demarche, {"colonne": "labels", "operateur": "parmi", "valeur": [str(urgent.pk)]}) == {
        b.pk
    }
    assert filtrer(
        instructeur, demarche, {"colonne": "suiveurs", "operateur": "contient", "valeur": instructeur.user.email}
    ) == {a.pk}
    assert filtrer(
        instructeur, demarche, {"colonne": "groupe", "operateur": "parmi", "valeur": [str(demarche.default_groupe.pk)]}
    ) == {a.pk, b.pk}
    assert filtrer(instructeur, demarche, {"colonne": "numero", "operateur": "egal", "valeur": str(a.pk)}) == {a.pk}


# --- sort ----------------------------------------------------------------------------------------


def _trier(instructeur, procedure, key, sens, *, par_demarche=False):
    colonne = colonnes(procedure)[key]
    tri = filtres.tri(colonne, sens, procedure=procedure if par_demarche else None)
    rows = selectors.dossiers_de_la_liste(instructeur, procedure, "tous", tri=tri)
    return [d.pk for d in rows]


def test_a_number_champ_sorts_as_numbers_in_both_directions_empty_last(instructeur, demarche):
    neuf = remplir(demarche, Nombre_de_participants="9")
    cent = remplir(demarche, Nombre_de_participants="100")
    vide = remplir(demarche)
    key = champ_colonne(demarche, "Nombre de participants").key
    assert _trier(instructeur, demarche, key, "asc") == [neuf.pk, cent.pk, vide.pk]
    assert _trier(instructeur, demarche, key, "desc") == [cent.pk, neuf.pk, vide.pk]


def test_text_and_date_champs_and_metadata_sort(instructeur, demarche):
    b = remplir(demarche, Nom_du_projet="Écoles", Date_de_début="2026-02-01", nom="Bernard")
    a = remplir(demarche, Nom_du_projet="atelier", Date_de_début="2026-05-01", nom="Arnaud")
    assert _trier(instructeur, demarche, champ_colonne(demarche, "Nom du projet").key, "asc") == [a.pk, b.pk]
    assert _trier(instructeur, demarche, champ_colonne(demarche, "Date de début").key, "desc") == [a.pk, b.pk]
    assert _trier(instructeur, demarche, "demandeur", "asc") == [a.pk, b.pk]
    assert _trier(instructeur, demarche, "numero", "desc") == [a.pk, b.pk]


def test_labels_and_followers_sort_on_the_first_in_alphabetical_order_once_per_dossier_empty_last(
    instructeur, demarche, monkeypatch
):
    # given dossiers with several labels / followers (the first in alphabetical order decides), and one with none
    labels = {lbl.name: lbl for lbl in services.labels_de_la_procedure(demarche)}
    nommes = sorted(labels)
    deux, un, aucun = remplir(demarche), remplir(demarche), remplir(demarche)
    DossierLabel.objects.create(dossier=deux, label=labels[nommes[0]])
    DossierLabel.objects.create(dossier=deux, label=labels[nommes[-1]])
    DossierLabel.objects.create(dossier=un, label=labels[nommes[1]])
    anne = factories.InstructeurFactory(user__email="anne@exemple.fr")
    zoe = factories.InstructeurFactory(user__email="zoe@exemple.fr")
    bruno = factories.InstructeurFactory(user__email="bruno@exemple.fr")
    Follow.objects.create(instructeur=zoe, dossier=deux)
    Follow.objects.create(instructeur=anne, dossier=deux)
    Follow.objects.create(instructeur=bruno, dossier=un)
    # then each dossier appears once, sorted on its first label / follower, dossiers without any last
    assert _trier(instructeur, demarche, "labels", "asc") == [deux.pk, un.pk, aucun.pk]
    assert _trier(instructeur, demarche, "labels", "desc") == [un.pk, deux.pk, aucun.pk]
    assert _trier(instructeur, demarche, "suiveurs", "asc") == [deux.pk, un.pk, aucun.pk]
    assert _trier(instructeur, demarche, "suiveurs", "desc") == [un.pk, deux.pk, aucun.pk]
    # the same through the démarche's followers (the list page), or through a subquery per dossier when there are too many
    assert _trier(instructeur, demarche, "suiveurs", "asc", par_demarche=True) == [deux.pk, un.pk, aucun.pk]
    assert _trier(instructeur, demarche, "suiveurs", "desc", par_demarche=True) == [un.pk, deux.pk, aucun.pk]
    monkeypatch.setattr(filtres, "TRI_PREMIER_MAX", 1)
    assert _trier(instructeur, demarche, "labels", "asc") == [deux.pk, un.pk, aucun.pk]
    assert _trier(instructeur, demarche, "suiveurs", "desc", par_demarche=True) == [un.pk, deux.pk, aucun.pk]


# --- search and index --------------------------------------------------------------------------


def test_search_finds_numbers_names_and_champ_values(instructeur, demarche):
    jardin = remplir(demarche, Nom_du_projet="Jardin partagé", nom="Lefèvre")
    autre = remplir(demarche, Nom_du_projet="Festival de musique")

    def chercher(terme):
        return {
            d.pk
            for d in selectors.dossiers_de_la_liste(instructeur, demarche, "tous", condition=filtres.recherche_q(terme))
        }

    assert chercher("jardin PARTAGE") == {jardin.pk}
    assert chercher("lefevre") == {jardin.pk}
    assert chercher(str(autre.pk)) >= {autre.pk}
    assert chercher("jardin musique") == set()


def test_a_changed_dossier_is_reindexed_before_the_list_reads(instructeur, demarche):
    dossier = remplir(demarche, Nom_du_projet="Avant")
    definition = tdc(demarche, "Nom du projet")
    # when the champ changes (the dossier's updated_at moves) without anybody calling the indexer
    Champ.objects.filter(dossier=dossier, stable_id=definition.stable_id).update(value="Après")
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=1))
    # and a new dossier arrives
    nouveau = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    assert indexation.procedure_index_actualiser(demarche) == 2
    # then both copies are current, and a second pass has nothing to do
    assert ValeurIndexee.objects.get(dossier=dossier, stable_id=definition.stable_id).texte == "apres"
    assert DossierTexte.objects.filter(dossier=nouveau).exists()
    assert indexation.procedure_index_actualiser(demarche) == 0


def test_reindexing_writes_only_the_copies_that_changed(instructeur, demarche):
    dossier = remplir(demarche, Nom_du_projet="Avant", Thème="Culture", Nombre_de_participants="12", Date_de_début="2026-05-04")
    autre = remplir(demarche, Nom_du_projet="Voisin")
    avant = dict(ValeurIndexee.objects.filter(dossier=dossier).values_list("stable_id", "pk"))
    nom, theme = tdc(demarche, "Nom du projet"), tdc(demarche, "Thème")
    journal = CompteurChangement.objects.count()
    # the dossier touched without any value changing: only the date of its copy moves
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=1))
    indexation.dossiers_indexer([dossier.pk, autre.pk])
    assert dict(ValeurIndexee.objects.filter(dossier=dossier).values_list("stable_id", "pk")) == avant
    assert DossierTexte.objects.get(dossier=dossier).source_updated_at == Dossier.objects.get(pk=dossier.pk).updated_at
    assert CompteurChangement.objects.count() == journal  # nothing the filters read changed
    # one champ changed: its row only is written again, and the search text follows
    Champ.objects.filter(dossier=dossier, stable_id=nom.stable_id).update(value="Après")
    indexation.dossiers_indexer([dossier.pk])
    apres = dict(ValeurIndexee.objects.filter(dossier=dossier).values_list("stable_id", "pk"))
    assert {sid for sid in apres if apres[sid] != avant[sid]} == {nom.stable_id}
    assert apres[theme.stable_id] == avant[theme.stable_id]
    assert "apres" in DossierTexte.objects.get(dossier=dossier).texte
    assert list(CompteurChangement.objects.filter(pk__gt=0).order_by("-pk").values_list("tranche", flat=True)[:1]) == [
        dossier.pk // compteurs.TRANCHE
    ]
    # a dossier back to brouillon loses its copies
    Dossier.objects.filter(pk=autre.pk).update(state=S.BROUILLON)
    indexation.dossiers_indexer([autre.pk])
    assert not ValeurIndexee.objects.filter(dossier=autre).exists()
    assert not DossierTexte.objects.filter(dossier=autre).exists()


def test_a_demarche_never_indexed_indexes_the_newest_at_once_and_the_rest_in_background(
    instructeur, demarche, monkeypatch, django_capture_on_commit_callbacks
):
    # given three dossiers without any copy (e.g. right after deployment) and a limit of 2 at once
    dossiers = [factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION) for _ in range(3)]
    monkeypatch.setattr(indexation, "SYNC_MAX", 2)
    # when the list brings the index up to date (the background job runs eagerly after commit)
    with django_capture_on_commit_callbacks(execute=True):
        assert indexation.procedure_index_actualiser(demarche) == 2
        assert set(DossierTexte.objects.values_list("dossier_id", flat=True)) == {dossiers[1].pk, dossiers[2].pk}
    # then the oldest one was indexed by the job
    assert DossierTexte.objects.count() == 3


def test_the_liste_indexer_command_rebuilds_every_copy(demarche):
    from django.core.management import call_command

    dossier = remplir(demarche, Nom_du_projet="Jardin")
    ValeurIndexee.objects.all().delete()
    call_command("liste_indexer", procedure=[demarche.pk], stdout=io.StringIO())
    assert (
        ValeurIndexee.objects.get(dossier=dossier, stable_id=tdc(demarche, "Nom du projet").stable_id).texte == "jardin"
    )
    # every champ column has a row, empty ones too (the sort on a champ is an inner join)
    assert ValeurIndexee.objects.filter(dossier=dossier).count() == len(CHAMPS)


@pytest.mark.django_db(transaction=True)
def test_two_lists_indexing_the_same_changed_dossier_at_once(instructeur):
    """Two instructeurs open the list right after a change: both index the dossier, neither fails."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises whole transactions)")
    procedure = factories.procedure_creer(instructeurs=[instructeur], champs=CHAMPS)
    dossier = remplir(procedure, Nom_du_projet="Avant")
    nom = tdc(procedure, "Nom du projet")
    for essai in range(5):
        Champ.objects.filter(dossier=dossier, stable_id=nom.stable_id).update(value=f"Version {essai}")
        Dossier.objects.filter(pk=dossier.pk).update(updated_at=timezone.now())
        def indexer():
            indexation.dossiers_indexer([dossier.pk])

        assert en_parallele(indexer, indexer) == ["ok", "ok"]
        assert ValeurIndexee.objects.get(dossier=dossier, stable_id=nom.stable_id).texte == f"version {essai}"
