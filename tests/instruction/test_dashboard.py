import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from demarches.dossiers.models import Dossier, Follow
from demarches.instruction import selectors, services
from tests import factories
from tests.instruction.conftest import autre_procedure, creer_dossier

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def un_dossier_par_etat(procedure, instructeur):
    """One dossier per state, plus a second en instruction followed by the instructeur."""
    dossiers = {state: factories.dossier_creer(procedure=procedure, state=state) for state in S.values}
    suivi = creer_dossier(procedure=procedure, state=S.EN_INSTRUCTION, nom="Suivi")
    Follow.objects.create(instructeur=instructeur, dossier=suivi)
    return dossiers, suivi


def test_counters_per_tab_exclude_brouillons(instructeur, procedure, un_dossier_par_etat):
    # given one dossier per state and one followed dossier
    # when the counters are computed
    counters = selectors.compteurs(instructeur, procedure)
    # then brouillons are never counted
    assert counters == {"a-suivre": 2, "suivis": 1, "traites": 3, "tous": 6, "expirant": 0, "archives": 0, "supprimes": 0}


def test_a_dossier_followed_by_a_colleague_is_neither_a_suivre_nor_mine(instructeur, procedure):
    # given a dossier followed by another instructeur of the démarche
    collegue = factories.InstructeurFactory()
    procedure.default_groupe.instructeurs.add(collegue)
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    Follow.objects.create(instructeur=collegue, dossier=dossier)
    # when my counters are computed
    counters = selectors.compteurs(instructeur, procedure)
    # then it only shows in "tous les dossiers"
    assert counters == {"a-suivre": 0, "suivis": 0, "traites": 0, "tous": 1, "expirant": 0, "archives": 0, "supprimes": 0}


def test_a_followed_dossier_that_is_decided_moves_to_traites(instructeur, procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    assert selectors.compteurs(instructeur, procedure) == {"a-suivre": 0, "suivis": 0, "traites": 1, "tous": 1, "expirant": 0, "archives": 0, "supprimes": 0}


def test_procedures_page_lists_each_demarche_with_its_counters(
    instructeur_client, instructeur, procedure, un_dossier_par_etat, django_assert_max_num_queries
):
    # given a second démarche without dossiers and a démarche the instructeur does not instruct
    autre = factories.procedure_creer(instructeurs=[instructeur], libelle="Subvention aux associations")
    autre_procedure(libelle="Démarche d'un autre service")
    # when the instructeur opens "Mes démarches"
    response = instructeur_client.get(reverse("instruction:procedures"))
    # then both démarches he instructs are listed with their counters
    assert response.status_code == 200
    listed = {p.pk: (p.a_suivre, p.suivis, p.traites, p.total) for p in response.context["procedures"]}
    assert listed == {procedure.pk: (2, 1, 3, 6), autre.pk: (0, 0, 0, 0)}
    content = response.content.decode()
    assert "Subvention aux associations" in content
    assert "Démarche d&#x27;un autre service" not in content
    assert reverse("instruction:procedure", args=[procedure.pk]) in content


def test_procedures_page_counters_are_one_query(instructeur, procedure, un_dossier_par_etat, django_assert_num_queries):
    factories.procedure_creer(instructeurs=[instructeur], libelle="Deuxième")
    with django_assert_num_queries(1):
        rows = list(selectors.procedures_avec_compteurs(instructeur))
    assert len(rows) == 2


@pytest.mark.parametrize(
    "tab, expected_states",
    [
        ("a-suivre", [S.EN_CONSTRUCTION, S.EN_INSTRUCTION]),
        ("suivis", ["suivi"]),
        ("traites", [S.ACCEPTE, S.REFUSE, S.SANS_SUITE]),
        ("tous", [S.EN_CONSTRUCTION, S.EN_INSTRUCTION, S.ACCEPTE, S.REFUSE, S.SANS_SUITE, "suivi"]),
    ],
)
def test_dashboard_tab_lists_the_right_dossiers(instructeur_client, procedure, un_dossier_par_etat, tab, expected_states):
    # given one dossier per state
    dossiers, suivi = un_dossier_par_etat
    expected = {suivi.pk if state == "suivi" else dossiers[state].pk for state in expected_states}
    # when the instructeur opens a tab
    response = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]), {"statut": tab})
    # then exactly the dossiers of that tab are listed, never the brouillon
    assert response.status_code == 200
    assert {d.pk for d in response.context["page"]} == expected
    assert dossiers[S.BROUILLON].pk not in {d.pk for d in response.context["page"]}
    content = response.content.decode()
    for label in ("À suivre", "Suivis par moi", "Traités", "Tous les dossiers"):
        assert label in content
    assert 'aria-selected="true"' in content


def test_dashboard_rows_show_demandeur_state_and_dates(instructeur_client, procedure):
    # given a dossier with an identity and one of an usager without identity
    avec_nom = creer_dossier(procedure=procedure, state=S.EN_CONSTRUCTION, prenom="Claire", nom="Martin")
    sans_nom = creer_dossier(procedure=procedure, state=S.EN_INSTRUCTION, prenom="", nom="")
    # when the "tous les dossiers" tab is opened
    response = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]), {"statut": "tous"})
    content = response.content.decode()
    # then each row shows the demandeur (name or e-mail), the state badge, a link to the dossier
    assert "Claire Martin" in content
    assert sans_nom.user.email in content
    assert "en construction" in content and "en instruction" in content
    assert reverse("instruction:dossier", args=[procedure.pk, avec_nom.pk]) in content
    assert timezone.localtime(avec_nom.depose_at).strftime("%d/%m/%Y") in content


def test_dashboard_is_sorted_by_last_update(instructeur_client, procedure):
    ancien = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    recent = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    ancien.save()  # touched last
    response = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]))
    assert [d.pk for d in response.context["page"]] == [ancien.pk, recent.pk]


def test_dashboard_is_paginated_by_a_hundred(instructeur_client, procedure, monkeypatch):
    # given the list shows 100 dossiers a page (5 here, to keep the test small) and 6 dossiers
    from demarches.instruction import views as instruction_views
    from demarches.instruction.liste import views as liste_views

    assert instruction_views.PAGE_SIZE == 100
    monkeypatch.setattr(liste_views, "PAGE_SIZE", 5)
    for _ in range(6):
        factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    # when the two pages are opened
    first = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]))
    second = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]), {"statut": "a-suivre", "page": 2})
    # then the second holds the last dossier
    assert len(first.context["page"]) == 5
    assert len(second.context["page"]) == 1
    assert "Page suivante" in first.content.decode()


def test_unknown_tab_falls_back_to_a_suivre(instructeur_client, procedure, dossier):
    response = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]), {"statut": "nimporte"})
    assert response.context["current"].key == "a-suivre"


def _dashboard_queries(client, procedure, django_assert_max_num_queries, limit):
    cache.clear()  # both pages count their counters from scratch (instruction/compteurs.py)
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("instruction:procedure", args=[procedure.pk]), {"statut": "tous"})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_dashboard_query_count_does_not_grow_with_dossiers(
    instructeur_client, instructeur, procedure, django_assert_max_num_queries
):
    # given a few dossiers (and the default labels, created on the first visit)
    services.labels_de_la_procedure(procedure)
    for _ in range(3):
        factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    few = _dashboard_queries(instructeur_client, procedure, django_assert_max_num_queries, 20)
    # when many more dossiers (followed or not, from many usagers) are added
    for index in range(30):
        dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION if index % 2 else S.ACCEPTE)
        if index % 3 == 0:
            Follow.objects.create(instructeur=instructeur, dossier=dossier)
    many = _dashboard_queries(instructeur_client, procedure, django_assert_max_num_queries, 20)
    # then the page needs the same number of queries
    assert many == few


def test_mes_demarches_query_count_does_not_grow_with_demarches(instructeur_client, instructeur, procedure, django_assert_max_num_queries):
    factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    with django_assert_max_num_queries(10) as few:
        instructeur_client.get(reverse("instruction:procedures"))
    for index in range(5):
        other = factories.procedure_creer(instructeurs=[instructeur], libelle=f"Démarche {index}")
        factories.dossier_creer(procedure=other, state=S.EN_CONSTRUCTION)
    with django_assert_max_num_queries(10) as many:
        instructeur_client.get(reverse("instruction:procedures"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_follow_from_the_dashboard_returns_to_the_dashboard(instructeur_client, instructeur, procedure, dossier):
    # given the dashboard
    dashboard = reverse("instruction:procedure", args=[procedure.pk]) + "?statut=a-suivre"
    # when the instructeur follows a dossier from its row
    response = instructeur_client.post(
        reverse("instruction:suivre", args=[procedure.pk, dossier.pk]), {"next": dashboard}
    )
    # then he comes back to the same tab and the dossier moved to "suivis par moi"
    assert response.status_code == 302 and response.url == dashboard
    assert selectors.compteurs(instructeur, procedure)["suivis"] == 1


def test_follow_ignores_an_external_next(instructeur_client, procedure, dossier):
    response = instructeur_client.post(
        reverse("instruction:suivre", args=[procedure.pk, dossier.pk]), {"next": "https://ailleurs.example.com/"}
    )
    assert response.url == reverse("instruction:dossier", args=[procedure.pk, dossier.pk])


def test_dossiers_of_another_groupe_are_not_listed(instructeur_client, instructeur, procedure):
    # given a dossier routed to a second groupe of the démarche, which the instructeur is not part of
    from demarches.procedures.models import GroupeInstructeur

    autre_groupe = GroupeInstructeur.objects.create(procedure=procedure, label="Sud")
    hidden = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    Dossier.objects.filter(pk=hidden.pk).update(groupe_instructeur=autre_groupe)
    # when the instructeur looks at the démarche
    # then the dossier is neither counted, listed nor reachable
    assert selectors.compteurs(instructeur, procedure)["tous"] == 0
    response = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]), {"statut": "tous"})
    assert hidden.pk not in {d.pk for d in response.context["page"]}
    assert instructeur_client.get(reverse("instruction:dossier", args=[procedure.pk, hidden.pk])).status_code == 404
