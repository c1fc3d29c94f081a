"""The « Statistiques » page of a démarche: dossiers by state, acceptance rate, usual processing time, months."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from demarches.dossiers.models import Dossier
from demarches.instruction.statistiques import graphique_mensuel, percentile, statistiques_procedure
from tests import factories

from .conftest import creer_dossier

S = Dossier.State
NOW = timezone.make_aware(datetime(2026, 11, 20, 10, 0))


def decide(procedure, state, *, depose_days_ago, decided_days_ago):
    return creer_dossier(
        procedure=procedure,
        state=state,
        depose_at=NOW - timedelta(days=depose_days_ago),
        processed_at=NOW - timedelta(days=decided_days_ago),
    )


def test_percentile_is_the_nearest_rank():
    assert percentile([], 90) is None
    assert percentile([5], 90) == 5
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile([3, 1, 2], 50) == 2


def test_figures_of_a_demarche(procedure):
    # Given dossiers in every state, test dossiers and drafts
    factories.dossier_creer(procedure=procedure, state=S.BROUILLON)
    creer_dossier(procedure=procedure, state=S.EN_CONSTRUCTION, depose_at=NOW)
    creer_dossier(procedure=procedure, state=S.EN_INSTRUCTION, depose_at=NOW)
    creer_dossier(procedure=procedure, state=S.ACCEPTE, depose_at=NOW, for_procedure_preview=True)
    for days in range(1, 10):  # nine acceptances decided 1..9 days after deposit, this month
        decide(procedure, S.ACCEPTE, depose_days_ago=days + 2, decided_days_ago=2)
    decide(procedure, S.REFUSE, depose_days_ago=32, decided_days_ago=2)  # 30 days to decide
    decide(procedure, S.SANS_SUITE, depose_days_ago=100, decided_days_ago=60)  # outside the 30-day window

    stats = statistiques_procedure(procedure, now=NOW)

    # Then drafts and test dossiers are left out
    assert stats.par_etat == {
        "en construction": 1, "en instruction": 1, "accepté": 9, "refusé": 1, "classé sans suite": 1,
    }
    assert stats.deposes == 13
    assert stats.taux_acceptation == round(100 * 9 / 11)
    # 10 decisions in the last 30 days: 1..9 days and 30 days; the 90th percentile is the 9th: 9 days
    assert stats.decides_30_jours == 10
    assert stats.temps_traitement_jours == 9
    # Twelve months, the last one being the current month
    assert len(stats.mois) == 12 and stats.mois[-1].debut.month == 11 and stats.mois[-1].libelle == "nov. 2026"
    assert stats.mois[-1].acceptes == 9 and stats.mois[-1].refuses == 1
    assert sum(m.sans_suite for m in stats.mois) == 1
    assert sum(m.deposes for m in stats.mois) == 13


def test_empty_demarche_has_no_rate_nor_time(procedure):
    stats = statistiques_procedure(procedure, now=NOW)
    assert stats.deposes == 0 and stats.taux_acceptation is None and stats.temps_traitement_jours is None
    bars = graphique_mensuel(stats)
    assert len(bars) == 24 and all(b.hauteur == 0 for b in bars)


def test_chart_bars_are_scaled_to_the_busiest_month(procedure):
    decide(procedure, S.ACCEPTE, depose_days_ago=3, decided_days_ago=2)
    decide(procedure, S.ACCEPTE, depose_days_ago=3, decided_days_ago=2)
    bars = graphique_mensuel(statistiques_procedure(procedure, now=NOW))
    assert max(b.hauteur for b in bars) == 100
    assert bars[-1].titre == "nov. 2026 : 2 dossiers décidés"


def test_page_for_the_instructeurs_of_the_demarche_only(client, procedure, instructeur, django_assert_max_num_queries):
    url = reverse("instruction:statistiques", args=[procedure.pk])
    decide(procedure, S.ACCEPTE, depose_days_ago=3, decided_days_ago=1)

    assert client.get(url).status_code == 302  # anonymous: to the login page

    client.force_login(factories.InstructeurFactory().user)
    assert client.get(url).status_code == 404

    client.force_login(factories.UserFactory())
    assert client.get(url).status_code == 404

    client.force_login(instructeur.user)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Taux d'acceptation" in page and "100 %" in page
    assert "Temps de traitement usuel" in page


@pytest.mark.e2e
def test_statistics_page_in_the_browser(page, live_url, check_page, transactional_db):
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(administrateur=factories.AdministrateurFactory(), instructeurs=[instructeur])
    now = timezone.now()
    for days, state in ((40, S.ACCEPTE), (10, S.ACCEPTE), (5, S.REFUSE), (1, S.EN_INSTRUCTION)):
        creer_dossier(procedure=procedure, state=state, depose_at=now - timedelta(days=days), processed_at=now if state != S.EN_INSTRUCTION else None)
    page.goto(live_url + "/comptes/login/")
    page.locator("#id_login").fill(instructeur.user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_load_state()

    page.goto(live_url + reverse("instruction:procedure", args=[procedure.pk]))
    page.get_by_role("link", name="Statistiques").click()

    page.get_by_role("heading", level=1, name="Statistiques").wait_for()
    assert "67 %" in page.content()
    check_page("statistiques")
