"""The tab counters remembered between two pages (instruction/compteurs.py): asked again, they
are not counted again; whatever changes what they count makes them counted again."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from demarches.instruction import compteurs, selectors, services, tasks
from demarches.instruction.models import SUPPRESSION_RESTAURABLE_DELAI, CompteurChangement, SuppressionAdministration
from demarches.dossiers.models import Follow
from tests import factories

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_vide():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dossiers(procedure):
    return {
        "construction": factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION, nom="Martin"),
        "instruction": factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION, nom="Durand"),
        "accepte": factories.dossier_creer(procedure=procedure, state=S.ACCEPTE, nom="Petit"),
    }


def _compter(instructeur, procedure, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        counts = compteurs.compteurs(instructeur, procedure, **kwargs)
    counting = [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    return counts, len(counting)


def test_counters_asked_again_are_not_counted_again(instructeur, procedure, dossiers):
    first, counted = _compter(instructeur, procedure)
    assert (first["a-suivre"], first["traites"], first["tous"], counted) == (2, 1, 3, 1)
    again, counted = _compter(instructeur, procedure)
    assert again == first
    assert counted == 0


def test_each_filter_and_each_instructeur_has_its_own_counters(instructeur, procedure, dossiers):
    tous, _ = _compter(instructeur, procedure)
    martin, counted = _compter(instructeur, procedure, condition=Q(nom="Martin"))
    assert (tous["tous"], martin["tous"], counted) == (3, 1, 1)
    durand, counted = _compter(instructeur, procedure, condition=Q(nom__in=["Durand", "Petit"]))
    assert (durand["tous"], counted) == (2, 1)
    collegue = factories.InstructeurFactory()
    procedure.default_groupe.instructeurs.add(collegue)
    services.dossier_suivre(dossier=dossiers["construction"], instructeur=collegue)
    mien, _ = _compter(instructeur, procedure)
    sien, _ = _compter(collegue, procedure)
    assert (mien["suivis"], sien["suivis"]) == (0, 1)


def test_following_and_unfollowing_count_again(instructeur, procedure, dossiers):
    _compter(instructeur, procedure)
    services.dossier_suivre(dossier=dossiers["construction"], instructeur=instructeur)
    counts, counted = _compter(instructeur, procedure)
    assert (counts["a-suivre"], counts["suivis"], counted) == (1, 1, 1)
    services.dossier_ne_plus_suivre(dossier=dossiers["construction"], instructeur=instructeur)
    counts, _ = _compter(instructeur, procedure)
    assert (counts["a-suivre"], counts["suivis"]) == (2, 0)


def test_a_decision_counts_again(instructeur, procedure, dossiers):
    _compter(instructeur, procedure)
    transitions.accepter(dossier=dossiers["instruction"], instructeur=instructeur, notify=False)
    counts, _ = _compter(instructeur, procedure)
    assert (counts["a-suivre"], counts["traites"]) == (1, 2)


def test_a_change_written_without_the_services_is_seen_through_the_last_update(instructeur, procedure, dossiers):
    """Another process changed a dossier without the services: its last update tells it."""
    _compter(instructeur, procedure)
    dossier = dossiers["construction"]
    dossier.archived = True
    dossier.save()
    counts, _ = _compter(instructeur, procedure)
    assert (counts["a-suivre"], counts["archives"]) == (1, 1)


def test_deleting_restoring_and_destroying_dossiers_count_again(instructeur, procedure, dossiers):
    _compter(instructeur, procedure)
    services.dossier_supprimer_pour_administration(dossier=dossiers["accepte"], instructeur=instructeur)
    counts, _ = _compter(instructeur, procedure)
    assert (counts["traites"], counts["supprimes"]) == (0, 1)
    services.dossier_restaurer_pour_administration(dossier=dossiers["accepte"], instructeur=instructeur)
    counts, _ = _compter(instructeur, procedure)
    assert (counts["traites"], counts["supprimes"]) == (1, 0)
    # An older dossier deleted for good: the démarche's last update does not move.
    Dossier.objects.filter(pk=dossiers["construction"].pk).update(updated_at=dossiers["construction"].created_at)
    _compter(instructeur, procedure)
    Dossier.objects.get(pk=dossiers["construction"].pk).delete()
    counts, _ = _compter(instructeur, procedure)
    assert counts["tous"] == 2


def test_labels_count_again(instructeur, procedure, dossiers):
    label = services.label_creer(procedure=procedure, instructeur=instructeur, name="Dossier prioritaire", color="pink-tuile")
    before, _ = _compter(instructeur, procedure, label_id=label.pk)
    services.dossier_labels_definir(dossier=dossiers["construction"], instructeur=instructeur, label_ids=[label.pk])
    after, _ = _compter(instructeur, procedure, label_id=label.pk)
    assert (before["tous"], after["tous"]) == (0, 1)


def test_leaving_a_groupe_counts_again(instructeur, procedure, dossiers):
    counts, _ = _compter(instructeur, procedure)
    assert counts["tous"] == 3
    procedure.default_groupe.instructeurs.remove(instructeur)
    counts, _ = _compter(instructeur, procedure)
    assert counts["tous"] == 0


def test_the_list_page_shows_remembered_counters_until_a_follow(instructeur_client, instructeur, procedure, dossiers):
    url = reverse("instruction:procedure", args=[procedure.pk])

    def counts():
        response = instructeur_client.get(url, {"statut": "tous"})
        return {tab["tab"].key: tab["count"] for tab in response.context["tabs"]}

    assert counts()["a-suivre"] == 2
    assert counts()["a-suivre"] == 2
    instructeur_client.post(reverse("instruction:suivre", args=[procedure.pk, dossiers["construction"].pk]))
    assert (counts()["a-suivre"], counts()["suivis"]) == (1, 1)


def test_each_row_offers_to_follow_or_to_stop_following(instructeur_client, instructeur, procedure, dossiers):
    services.dossier_suivre(dossier=dossiers["instruction"], instructeur=instructeur)
    html = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]), {"statut": "tous"}).content.decode()
    assert f'title="Ne plus suivre le dossier n° {dossiers["instruction"].pk}"' in html
    assert f'title="Suivre le dossier n° {dossiers["construction"].pk}"' in html
    assert f'title="Ne plus suivre le dossier n° {dossiers["construction"].pk}"' not in html


def test_a_brouillon_being_filled_in_does_not_count_again(instructeur, procedure, dossiers):
    brouillon = factories.dossier_creer(procedure=procedure, state=S.BROUILLON)
    _compter(instructeur, procedure)
    brouillon.nom = "Nouveau"
    brouillon.save()
    counts, counted = _compter(instructeur, procedure)
    assert (counts["tous"], counted) == (3, 0)


# --- counted again slice by slice --------------------------------------------------------------------


@pytest.fixture
def tranches_de_deux(monkeypatch):
    """Slices of 2 dossier numbers, so that a few dossiers spread over several slices."""
    monkeypatch.setattr(compteurs, "TRANCHE", 2)


def _recomptes(instructeur, procedure, **kwargs):
    """The counters, and the SQL of the counting queries the call ran."""
    with CaptureQueriesContext(connection) as captured:
        counts = compteurs.compteurs(instructeur, procedure, **kwargs)
    return counts, [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_a_change_counts_again_only_the_slice_of_the_changed_dossier(tranches_de_deux, instructeur, procedure):
    # given 8 deposited dossiers over several slices, counted once
    tous = [factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION) for _ in range(8)]
    _, counting = _recomptes(instructeur, procedure)
    assert len(counting) == 1 and '"id" >=' not in counting[0]
    # when one of them is followed
    services.dossier_suivre(dossier=tous[3], instructeur=instructeur)
    counts, counting = _recomptes(instructeur, procedure)
    # then only its slice is counted again, and the counters are those of a whole count
    tranche = tous[3].pk // 2
    assert len(counting) == 1
    assert f'"id" >= {tranche * 2}' in counting[0] and f'"id" < {(tranche + 1) * 2}' in counting[0]
    assert counts == selectors.compteurs(instructeur, procedure)
    assert (counts["a-suivre"], counts["suivis"]) == (7, 1)


def test_the_counters_by_slice_always_equal_a_whole_count(tranches_de_deux, instructeur, procedure):
    """Every kind of change, one after the other, each followed by a page."""
    label = services.label_creer(procedure=procedure, instructeur=instructeur, name="Pièces à vérifier", color="orange-terre-battue")
    d = [factories.dossier_creer(procedure=procedure, state=state) for state in (S.EN_CONSTRUCTION, S.EN_INSTRUCTION) * 3]
    brouillon = factories.dossier_creer(procedure=procedure, state=S.BROUILLON)
    filtre = Q(state__in=[S.EN_INSTRUCTION, S.ACCEPTE])

    def changements():
        yield lambda: services.dossier_suivre(dossier=d[0], instructeur=instructeur)
        yield lambda: transitions.accepter(dossier=d[1], instructeur=instructeur, notify=False)
        yield lambda: services.dossier_labels_definir(dossier=d[2], instructeur=instructeur, label_ids=[label.pk])
        yield lambda: services.dossier_supprimer_pour_administration(dossier=Dossier.objects.get(pk=d[1].pk), instructeur=instructeur)
        yield lambda: Dossier.objects.filter(pk=d[4].pk).update(archived=True, updated_at=timezone.now())
        yield lambda: transitions.passer_en_construction(dossier=brouillon, user=brouillon.user)
        yield lambda: Dossier.objects.get(pk=d[5].pk).delete()
        yield lambda: services.dossier_ne_plus_suivre(dossier=d[0], instructeur=instructeur)
        yield lambda: factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)

    for options in ({}, {"condition": filtre}, {"label_id": label.pk}):
        compteurs.compteurs(instructeur, procedure, **options)
    for changer in changements():
        changer()
        for options in ({}, {"condition": filtre}, {"label_id": label.pk}):
            assert compteurs.compteurs(instructeur, procedure, **options) == selectors.compteurs(instructeur, procedure, **options)


def _plus_tard(monkeypatch, delta):
    """The clock moved on by `delta`."""
    maintenant = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: maintenant + delta)


def test_a_change_whose_transaction_committed_late_is_still_seen(tranches_de_deux, instructeur, procedure):
    """Another process wrote the follow and its journal entry a minute ago, and committed only after
    the last page: the page reads the journal again over a margin before its last reading."""
    # enough slices (of two numbers) that two of them are counted again, not everything
    tous = [factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION) for _ in range(10)]
    compteurs.compteurs(instructeur, procedure)
    Follow.objects.create(instructeur=instructeur, dossier=tous[2])
    CompteurChangement.objects.create(
        procedure=procedure, tranche=tous[2].pk // 2, cree_le=timezone.now() - timedelta(minutes=1)
    )
    Dossier.objects.filter(pk=tous[4].pk).update(archived=True, updated_at=timezone.now() - timedelta(minutes=1))
    counts, counting = _recomptes(instructeur, procedure)
    assert (counts["suivis"], counts["a-suivre"], counts["archives"]) == (1, 8, 1)
    assert counts == selectors.compteurs(instructeur, procedure)
    assert len(counting) == 1 and '"id" >=' in counting[0]
    # counted once: the next page, still within the margin, does not count them again
    again, counting = _recomptes(instructeur, procedure)
    assert (again, counting) == (counts, [])


def test_remembered_counters_last_hours_and_are_counted_again_after_their_lifetime(instructeur, procedure, dossiers, monkeypatch):
    _compter(instructeur, procedure)
    _plus_tard(monkeypatch, timedelta(hours=1))
    assert _compter(instructeur, procedure)[1] == 0
    _plus_tard(monkeypatch, compteurs.DUREE)
    assert _compter(instructeur, procedure)[1] == 1


def test_a_dossier_entering_the_expiry_notice_is_counted_without_any_change(instructeur, procedure, dossiers, monkeypatch):
    accepte = dossiers["accepte"]
    Dossier.objects.filter(pk=accepte.pk).update(expire_at=timezone.now() + selectors.EXPIRATION_NOTICE + timedelta(minutes=5))
    counts, _ = _compter(instructeur, procedure)
    assert counts["expirant"] == 0
    _plus_tard(monkeypatch, timedelta(minutes=10))
    counts, counted = _compter(instructeur, procedure)
    assert (counts["expirant"], counted) == (1, 1)


def test_a_deletion_leaving_the_restoration_delay_leaves_the_recently_deleted_tab(instructeur, procedure, dossiers, monkeypatch):
    services.dossier_supprimer_pour_administration(dossier=dossiers["accepte"], instructeur=instructeur)
    SuppressionAdministration.objects.filter(dossier=dossiers["accepte"]).update(
        created_at=timezone.now() - SUPPRESSION_RESTAURABLE_DELAI + timedelta(minutes=5)
    )
    _plus_tard(monkeypatch, timedelta(minutes=3))  # the deletion's journal entry is out of the margin
    counts, _ = _compter(instructeur, procedure)
    assert counts["supprimes"] == 1
    _plus_tard(monkeypatch, timedelta(minutes=10))
    counts, counted = _compter(instructeur, procedure)
    assert (counts["supprimes"], counted) == (0, 1)


def test_the_journal_is_purged_once_no_remembered_counters_can_need_it(procedure):
    ancien = CompteurChangement.objects.create(
        procedure=procedure, tranche=0, cree_le=timezone.now() - compteurs.DUREE - compteurs.MARGE - timedelta(minutes=1)
    )
    recent = CompteurChangement.objects.create(procedure=procedure, tranche=0, cree_le=timezone.now() - compteurs.DUREE)
    assert tasks.compteurs_journal_purger() == 1
    assert not CompteurChangement.objects.filter(pk=ancien.pk).exists()
    assert CompteurChangement.objects.filter(pk=recent.pk).exists()
    planifiees = [entree["task"] for entree in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "demarches.instruction.tasks.compteurs_journal_purger" in planifiees

