"""« Mes dossiers »: four tabs with their counts, and a search by number or text."""

import html

import pytest
from django.urls import reverse

from demarches.dossiers import selectors, services_usager
from demarches.dossiers.models import Champ, Dossier
from tests import factories

S = Dossier.State


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], libelle="Autorisation oxygène"
    )


@pytest.fixture
def autre_procedure(db, administrateur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[factories.InstructeurFactory()], libelle="Subvention associative"
    )


def _repondre(dossier, value):
    tdc = dossier.revision.public_types_de_champ().first()
    Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=value)


@pytest.fixture
def jeu(procedure, autre_procedure, usager):
    brouillon = factories.dossier_creer(procedure=procedure, user=usager)
    _repondre(brouillon, "Pharmacie du Port")
    en_construction = factories.dossier_creer(procedure=autre_procedure, user=usager, state=S.EN_CONSTRUCTION)
    _repondre(en_construction, "Club de football")
    accepte = factories.dossier_creer(procedure=procedure, user=usager, state=S.ACCEPTE)
    supprime = factories.dossier_creer(procedure=procedure, user=usager)
    services_usager.dossier_supprimer(dossier=supprime, user=usager)
    proprietaire = factories.UserFactory()
    invite = factories.dossier_creer(procedure=autre_procedure, user=proprietaire)
    services_usager.invitation_creer(dossier=invite, user=proprietaire, email=usager.email)
    factories.dossier_creer(procedure=procedure)  # someone else's, never listed
    return {
        "brouillon": brouillon, "en_construction": en_construction, "accepte": accepte,
        "supprime": supprime, "invite": invite,
    }


def _ids(user, onglet, recherche=""):
    return {d.pk for d in selectors.dossiers_de_l_usager(user=user, onglet=onglet, recherche=recherche)}


@pytest.mark.django_db
def test_tabs_and_counts(usager, jeu):
    assert _ids(usager, "en-cours") == {jeu["brouillon"].pk, jeu["en_construction"].pk}
    assert _ids(usager, "traites") == {jeu["accepte"].pk}
    assert _ids(usager, "invites") == {jeu["invite"].pk}
    assert _ids(usager, "corbeille") == {jeu["supprime"].pk}
    assert selectors.compteurs_de_l_usager(user=usager) == {"en-cours": 2, "traites": 1, "invites": 1, "corbeille": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "recherche, attendus",
    [
        ("pharmacie", {"brouillon"}),  # a champ value, case-insensitive
        ("SUBVENTION", {"en_construction"}),  # the démarche's title
        ("oxygène", {"brouillon"}),
        ("introuvable", set()),
    ],
)
def test_search_by_text(usager, jeu, recherche, attendus):
    assert _ids(usager, "en-cours", recherche) == {jeu[key].pk for key in attendus}


@pytest.mark.django_db
def test_search_by_number_and_counts_follow_the_search(usager, jeu):
    numero = jeu["accepte"].pk
    assert _ids(usager, "traites", str(numero)) == {numero}
    assert _ids(usager, "traites", f"n° {numero}") == {numero}
    counts = selectors.compteurs_de_l_usager(user=usager, recherche="Subvention")
    assert counts == {"en-cours": 1, "traites": 0, "invites": 1, "corbeille": 0}


@pytest.mark.django_db
def test_index_page_shows_tabs_search_and_rows(client, usager, jeu):
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:index")))
    assert "2 en cours" in content and "1 traité" in content and "1 dossier invité" in content and "Corbeille (1)" in content
    assert 'for="recherche-dossiers-input"' in content and 'role="search"' in content
    for header in ("N° dossier", "Démarche", "Demandeur", "Statut", "Mis à jour le"):
        assert f'<th scope="col">{header}</th>' in content
    assert "Claire Martin" in content

    content = page(client.get(reverse("dossiers:index"), {"q": "football"}))
    assert "Résultats pour « football »" in content
    assert f"<td>{jeu['en_construction'].pk}</td>" in content and f"<td>{jeu['brouillon'].pk}</td>" not in content
    assert "1 en cours" in content and "?statut=traites&q=football" in content

    content = page(client.get(reverse("dossiers:index"), {"q": "rien du tout"}))
    assert "Aucun dossier ne correspond à « rien du tout »" in content


@pytest.mark.django_db
def test_index_query_count_stays_flat(client, usager, jeu, django_assert_max_num_queries):
    client.force_login(usager)
    for _ in range(10):
        factories.dossier_creer(procedure=jeu["brouillon"].procedure, user=usager)
    with django_assert_max_num_queries(8):
        client.get(reverse("dossiers:index"), {"q": "pharmacie"})


@pytest.mark.django_db
def test_each_deposited_row_offers_its_pdf(client, usager, jeu):
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:index"), {"statut": "en-cours"}))
    assert reverse("documents:dossier_pdf", args=[jeu["en_construction"].pk]) in content
    assert f'Télécharger le PDF<span class="fr-sr-only"> du dossier n° {jeu["en_construction"].pk}</span>' in content
    assert reverse("documents:dossier_pdf", args=[jeu["brouillon"].pk]) not in content  # nothing deposited yet
    response = client.get(reverse("documents:dossier_pdf", args=[jeu["en_construction"].pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    content = page(client.get(reverse("dossiers:index"), {"statut": "traites"}))
    assert reverse("documents:dossier_pdf", args=[jeu["accepte"].pk]) in content
