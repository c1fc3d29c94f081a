"""Query shapes of the dossier list that the dashboard benchmark (bench/dashboard_bench.py) relies
on: sorts that an index can serve, the freshness check of the list's index, the search restricted
to one démarche, and the PostgreSQL indexes of migration instruction 0007."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from demarches.dossiers.models import Dossier
from demarches.instruction import selectors
from demarches.instruction.liste import filtres, indexation
from demarches.instruction.liste.colonnes import colonnes_disponibles
from demarches.instruction.models import DossierTexte
from tests import factories

from .test_liste_filtres import CHAMPS, _trier, remplir

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def demarche(instructeur):
    return factories.procedure_creer(instructeurs=[instructeur], champs=CHAMPS)


def _sql(queryset) -> str:
    return str(queryset.query).upper()


# --- sorts on the dossier's own columns ----------------------------------------------------------------


def test_never_empty_columns_sort_without_nulls_last_so_an_index_read_backwards_serves_them(demarche):
    colonnes = colonnes_disponibles(demarche)
    for key in ("updated_at", "demandeur", "etat"):
        for sens in ("asc", "desc"):
            tri = filtres.tri(colonnes[key], sens)
            assert all(not getattr(o, "nulls_last", False) for o in tri.order_by if not isinstance(o, str)), key
    # a date that may be empty keeps its empty values last in both directions
    for sens in ("asc", "desc"):
        tri = filtres.tri(colonnes["en_instruction_at"], sens)
        assert tri.order_by[0].nulls_last


def test_metadata_sorts_keep_their_order_with_empty_dates_last(instructeur, demarche):
    now = timezone.now()
    ancien = remplir(demarche, state=S.EN_INSTRUCTION, nom="Bernard")
    recent = remplir(demarche, state=S.EN_INSTRUCTION, nom="Arnaud")
    jamais = remplir(demarche, state=S.EN_CONSTRUCTION, nom="Claude")
    Dossier.objects.filter(pk=ancien.pk).update(en_instruction_at=now - datetime.timedelta(days=3))
    Dossier.objects.filter(pk=recent.pk).update(en_instruction_at=now - datetime.timedelta(days=1))
    assert _trier(instructeur, demarche, "en_instruction_at", "asc") == [ancien.pk, recent.pk, jamais.pk]
    assert _trier(instructeur, demarche, "en_instruction_at", "desc") == [recent.pk, ancien.pk, jamais.pk]
    assert _trier(instructeur, demarche, "demandeur", "desc") == [jamais.pk, ancien.pk, recent.pk]
    assert _trier(instructeur, demarche, "etat", "asc") == [jamais.pk, ancien.pk, recent.pk]  # ties by number
    # updated_at: the last one changed comes first in « desc »
    Dossier.objects.filter(pk=ancien.pk).update(updated_at=now + datetime.timedelta(minutes=1))
    assert _trier(instructeur, demarche, "updated_at", "desc")[0] == ancien.pk
    assert _trier(instructeur, demarche, "updated_at", "asc")[-1] == ancien.pk


# --- freshness of the list's index --------------------------------------------------------------------


def test_only_missing_and_outdated_copies_are_reindexed(demarche):
    frais = remplir(demarche, Nom_du_projet="Frais")
    perime = remplir(demarche, Nom_du_projet="Périmé")
    sans_copie = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    brouillon = factories.dossier_creer(procedure=demarche, state=S.BROUILLON)
    Dossier.objects.filter(pk=perime.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=5))
    assert set(indexation.dossiers_a_indexer(demarche)) == {perime.pk, sans_copie.pk}
    assert set(indexation.dossiers_a_indexer(demarche, complet=True)) == {perime.pk, sans_copie.pk}
    assert frais.pk not in indexation.dossiers_a_indexer(demarche, complet=True)
    assert brouillon.pk not in indexation.dossiers_a_indexer(demarche, complet=True)


def test_a_copy_changed_long_before_the_newest_is_only_caught_by_the_complete_check(demarche):
    # given a copy made from an older state of its dossier, far behind the newest copy (MARGE)
    ancien = remplir(demarche, Nom_du_projet="Ancien")
    remplir(demarche, Nom_du_projet="Récent")
    loin = timezone.now() - datetime.timedelta(days=1)
    DossierTexte.objects.filter(dossier=ancien).update(source_updated_at=loin - datetime.timedelta(hours=1))
    Dossier.objects.filter(pk=ancien.pk).update(updated_at=loin)
    # then the quick check (dossiers changed since the newest copy) does not look at it; the nightly one does
    assert ancien.pk not in indexation.dossiers_a_indexer(demarche)
    assert indexation.dossiers_a_indexer(demarche, complet=True) == [ancien.pk]


# --- search ----------------------------------------------------------------------------------------


def test_the_search_reads_the_texts_of_the_demarche_only(instructeur, demarche):
    autre = factories.procedure_creer(instructeurs=[instructeur], champs=CHAMPS)
    ici = remplir(demarche, Nom_du_projet="Jardin partagé")
    ailleurs = remplir(autre, Nom_du_projet="Jardin partagé")
    with CaptureQueriesContext(connection) as captured:
        condition = filtres.recherche_q("jardin", demarche)
    (lookup,) = captured.captured_queries
    assert '"instruction_dossiertexte"."procedure_id" = ' in lookup["sql"]
    # few dossiers found: the list reads them by key
    assert f'"DOSSIERS_DOSSIER"."ID" IN ({ici.pk})' in _sql(Dossier.objects.filter(condition))
    assert {d.pk for d in selectors.dossiers_de_la_liste(instructeur, demarche, "tous", condition=condition)} == {ici.pk}
    # without a démarche (exports) the texts of every démarche are read, the list still filters by démarche
    assert {
        d.pk for d in selectors.dossiers_de_la_liste(instructeur, autre, "tous", condition=filtres.recherche_q("jardin"))
    } == {ailleurs.pk}


def test_a_search_finding_many_dossiers_stays_a_subquery(instructeur, demarche, monkeypatch):
    ici = remplir(demarche, Nom_du_projet="Jardin partagé")
    remplir(demarche, Nom_du_projet="Jardin des plantes")
    remplir(demarche, Nom_du_projet="Parc")
    monkeypatch.setattr(filtres, "RECHERCHE_PAR_CLE_MAX", 1)
    condition = filtres.recherche_q("jardin", demarche)
    assert 'FROM "INSTRUCTION_DOSSIERTEXTE" U0 WHERE (U0."PROCEDURE_ID" = ' in _sql(Dossier.objects.filter(condition))
    trouves = {d.pk for d in selectors.dossiers_de_la_liste(instructeur, demarche, "tous", condition=condition)}
    assert len(trouves) == 2 and ici.pk in trouves


# --- PostgreSQL indexes ---------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes with NULLS LAST and INCLUDE: PostgreSQL only")
def test_the_list_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'dossier_%'")
        definitions = dict(cursor.fetchall())
    assert "processed_at DESC NULLS LAST, id DESC" in definitions["dossier_liste_traite_desc_idx"]
    assert "en_instruction_at DESC NULLS LAST, id DESC" in definitions["dossier_liste_instruction_desc_idx"]
    assert "depose_at DESC NULLS LAST, id DESC" in definitions["dossier_liste_depose_desc_idx"]
    assert "(procedure_id, nom, prenom, id)" in definitions["dossier_liste_demandeur_idx"]
    assert "(procedure_id, source_updated_at, dossier_id)" in definitions["dossier_texte_fraicheur_idx"]
