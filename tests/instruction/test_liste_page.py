"""The dossier list page through the client: « Personnaliser », « Filtrer », sort, search,
preferences remembered per instructeur and démarche, query count, authorisation."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator

from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.instruction import services
from demarches.instruction.models import DossierLabel, ListePreference
from demarches.procedures.models import GroupeInstructeur
from tests import factories
from tests.instruction.test_liste_filtres import CHAMPS, remplir, tdc

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def demarche(instructeur):
    return factories.procedure_creer(instructeurs=[instructeur], champs=CHAMPS)


@pytest.fixture
def client_instructeur(client, instructeur):
    client.force_login(instructeur.user)
    return client


def liste(procedure, **params):
    return reverse("instruction:procedure", args=[procedure.pk]), params


def get(client, procedure, **params):
    url, params = liste(procedure, **params)
    return client.get(url, {"statut": "tous", **params})


def post(client, procedure, name, data):
    return client.post(reverse(f"instruction:{name}", args=[procedure.pk]), {"statut": "tous", **data})


def key(procedure, libelle):
    return f"champ:{tdc(procedure, libelle).stable_id}"


def test_personnaliser_shows_the_chosen_champs_and_remembers_them(client_instructeur, instructeur, demarche):
    # given a dossier with values
    remplir(demarche, Nom_du_projet="Jardin partagé", Thème="Culture")
    # when the instructeur picks the columns « Thème », « E-mail » and « Nom du projet »
    response = post(
        client_instructeur,
        demarche,
        "liste_colonnes",
        {"colonnes": [key(demarche, "Thème"), "email", key(demarche, "Nom du projet")]},
    )
    assert response.status_code == 302
    # then the list shows them after the number, with the values of the dossier
    response = get(client_instructeur, demarche)
    headers = [c.libelle for c in response.context["choix"].colonnes]
    assert headers == ["N° dossier", "Thème", "E-mail du demandeur", "Nom du projet"]
    html = response.content.decode()
    assert "Jardin partagé" in html and "Culture" in html
    # and the choice is kept for this instructeur and this démarche only
    assert ListePreference.objects.get(instructeur=instructeur, procedure=demarche).colonnes == [
        key(demarche, "Thème"),
        "email",
        key(demarche, "Nom du projet"),
    ]
    collegue = factories.InstructeurFactory()
    demarche.default_groupe.instructeurs.add(collegue)
    client_instructeur.force_login(collegue.user)
    assert [c.key for c in get(client_instructeur, demarche).context["choix"].colonnes][:3] == [
        "numero",
        "demandeur",
        "etat",
    ]


def test_a_column_moves_left_and_right(client_instructeur, instructeur, demarche):
    # given columns already shown keep their place, new ones come last
    post(client_instructeur, demarche, "liste_colonnes", {"colonnes": ["email", "demandeur", "etat"]})
    assert ListePreference.objects.get(instructeur=instructeur).colonnes == ["demandeur", "etat", "email"]
    # when « E-mail » moves left, then « Demandeur » right
    post(client_instructeur, demarche, "liste_colonnes", {"deplacer": "monter:email"})
    assert ListePreference.objects.get(instructeur=instructeur).colonnes == ["demandeur", "email", "etat"]
    post(client_instructeur, demarche, "liste_colonnes", {"deplacer": "descendre:demandeur"})
    assert ListePreference.objects.get(instructeur=instructeur).colonnes == ["email", "demandeur", "etat"]


def test_filters_show_as_removable_tags_and_counters_follow_them(client_instructeur, demarche):
    culture = remplir(demarche, Thème="Culture", Nombre_de_participants="40")
    remplir(demarche, Thème="Sport", Nombre_de_participants="40")
    remplir(demarche, Thème="Culture", Nombre_de_participants="4", state=S.ACCEPTE)
    # when two filters are added
    post(
        client_instructeur,
        demarche,
        "liste_filtre_ajouter",
        {"colonne": key(demarche, "Thème"), "operateur": "parmi", "valeur": ["Culture"]},
    )
    post(
        client_instructeur,
        demarche,
        "liste_filtre_ajouter",
        {"colonne": key(demarche, "Nombre de participants"), "operateur": "entre", "du": "10", "au": ""},
    )
    response = get(client_instructeur, demarche)
    # then only the matching dossier is listed, the counters follow, and both filters are tags
    assert [ligne.dossier.pk for ligne in response.context["lignes"]] == [culture.pk]
    counts = {t["tab"].key: t["count"] for t in response.context["tabs"]}
    assert counts["tous"] == 1 and counts["traites"] == 0 and counts["a-suivre"] == 1
    html = response.content.decode()
    assert "Retirer le filtre Thème : Culture" in html
    assert "Retirer le filtre Nombre de participants : au moins 10" in html
    # when the first tag is removed
    post(client_instructeur, demarche, "liste_filtre_retirer", {"index": "0"})
    response = get(client_instructeur, demarche)
    assert [t["libelle"] for t in response.context["tags"]] == ["Nombre de participants : au moins 10"]
    assert {t["tab"].key: t["count"] for t in response.context["tabs"]}["tous"] == 2


def test_an_invalid_filter_is_explained_and_not_saved(client_instructeur, instructeur, demarche):
    response = post(
        client_instructeur,
        demarche,
        "liste_filtre_ajouter",
        {"colonne": key(demarche, "Date de début"), "operateur": "entre", "du": "hier"},
    )
    assert response.status_code == 302
    response = client_instructeur.get(response.url)
    assert "La date « du » n&#x27;est pas valide" in response.content.decode()
    assert not ListePreference.objects.filter(instructeur=instructeur).exclude(filtres=[]).exists()


def test_the_filter_value_inputs_follow_the_column(client_instructeur, demarche):
    url = reverse("instruction:liste_filtre_valeur", args=[demarche.pk])
    choix = client_instructeur.get(url, {"colonne": key(demarche, "Thème")}, HTTP_HX_REQUEST="true").content.decode()
    assert 'type="checkbox"' in choix and "Éducation" in choix
    date = client_instructeur.get(url, {"colonne": "depose_at"}).content.decode()
    assert 'type="date"' in date and 'name="du"' in date and 'name="au"' in date


def test_sort_by_a_champ_in_both_directions_with_aria_sort(client_instructeur, demarche):
    petit = remplir(demarche, Nombre_de_participants="9")
    grand = remplir(demarche, Nombre_de_participants="100")
    nombre = key(demarche, "Nombre de participants")
    post(client_instructeur, demarche, "liste_colonnes", {"colonnes": [nombre]})
    post(client_instructeur, demarche, "liste_tri", {"tri": f"{nombre}:asc"})
    response = get(client_instructeur, demarche)
    assert [ligne.dossier.pk for ligne in response.context["lignes"]] == [petit.pk, grand.pk]
    assert 'aria-sort="ascending"' in response.content.decode()
    post(client_instructeur, demarche, "liste_tri", {"tri": f"{nombre}:desc"})
    response = get(client_instructeur, demarche)
    assert [ligne.dossier.pk for ligne in response.context["lignes"]] == [grand.pk, petit.pk]
    assert 'aria-sort="descending"' in response.content.decode()


def test_each_page_of_a_sort_on_followers_shows_its_rows_in_order_with_their_columns(
    client_instructeur, instructeur, demarche, monkeypatch
):
    # given five dossiers followed by colleagues whose e-mails sort in a known order, one by nobody
    from demarches.instruction.liste import views as liste_views

    monkeypatch.setattr(liste_views, "PAGE_SIZE", 2)
    suiveurs = {
        nom: factories.InstructeurFactory(user__email=f"{nom}@service.gouv.fr") for nom in ("alice", "bruno", "chloe")
    }
    dossiers = [remplir(demarche, Nom_du_projet=f"Projet {i}") for i in range(5)]
    for dossier, nom in zip(dossiers, ("chloe", "alice", "bruno", "alice")):
        Follow.objects.create(instructeur=suiveurs[nom], dossier=dossier)
    post(client_instructeur, demarche, "liste_colonnes", {"colonnes": ["suiveurs", key(demarche, "Nom du projet")]})
    post(client_instructeur, demarche, "liste_tri", {"tri": "suiveurs:asc"})
    # when he reads every page
    lignes = []
    for numero in (1, 2, 3):
        lignes += get(client_instructeur, demarche, page=numero).context["lignes"]
    # then the rows come by first follower, then number, the one followed by nobody last
    attendu = [dossiers[1], dossiers[3], dossiers[2], dossiers[0], dossiers[4]]
    assert [ligne.dossier.pk for ligne in lignes] == [d.pk for d in attendu]
    assert "alice@service.gouv.fr" in lignes[0] and "Projet 1" in lignes[0]
    assert "chloe@service.gouv.fr" in lignes[3] and "Projet 0" in lignes[3]


def test_search_by_number_and_by_value_and_counters_follow(client_instructeur, demarche):
    jardin = remplir(demarche, Nom_du_projet="Jardin partagé")
    festival = remplir(demarche, Nom_du_projet="Festival")
    response = get(client_instructeur, demarche, q="jardin")
    assert [ligne.dossier.pk for ligne in response.context["lignes"]] == [jardin.pk]
    assert {t["tab"].key: t["count"] for t in response.context["tabs"]}["tous"] == 1
    assert "Recherche : « jardin »" in response.content.decode()
    response = get(client_instructeur, demarche, q=str(festival.pk))
    assert festival.pk in [ligne.dossier.pk for ligne in response.context["lignes"]]


def test_a_new_champ_value_is_found_without_any_explicit_reindex(client_instructeur, demarche):
    # given a dossier indexed, whose champ then changes through the usual write path (updated_at moves)
    dossier = remplir(demarche, Nom_du_projet="Ancien nom")
    definition = tdc(demarche, "Nom du projet")
    Champ.objects.filter(dossier=dossier, stable_id=definition.stable_id).update(value="Potager collectif")
    dossier.save()
    # then the search finds the new value
    response = get(client_instructeur, demarche, q="potager")
    assert [ligne.dossier.pk for ligne in response.context["lignes"]] == [dossier.pk]


def _page_queries(client, procedure, django_assert_max_num_queries):
    cache.clear()  # both pages count their counters from scratch (instruction/compteurs.py)
    with django_assert_max_num_queries(30) as captured:
        response = get(client, procedure)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["lignes"])


def test_query_count_does_not_grow_with_rows_with_custom_columns_filter_and_sort(
    client_instructeur, instructeur, demarche, django_assert_max_num_queries
):
    # given 5 custom columns (3 champs, followers, labels), a filter on a champ and a sort on another
    columns = [
        key(demarche, "Nom du projet"),
        key(demarche, "Thème"),
        key(demarche, "Nombre de participants"),
        "suiveurs",
        "labels",
    ]
    post(client_instructeur, demarche, "liste_colonnes", {"colonnes": columns})
    post(
        client_instructeur,
        demarche,
        "liste_filtre_ajouter",
        {"colonne": key(demarche, "Thème"), "operateur": "parmi", "valeur": ["Culture"]},
    )
    post(client_instructeur, demarche, "liste_tri", {"tri": f"{key(demarche, 'Nombre de participants')}:desc"})
    for i in range(2):
        remplir(demarche, Thème="Culture", Nom_du_projet=f"Projet {i}", Nombre_de_participants=str(i))
    few, rows_few = _page_queries(client_instructeur, demarche, django_assert_max_num_queries)
    # when many more dossiers, followed and labelled, are added
    for i in range(15):
        dossier = remplir(demarche, Thème="Culture", Nom_du_projet=f"Autre {i}", Nombre_de_participants=str(i * 7))
        Follow.objects.create(instructeur=instructeur, dossier=dossier)
    many, rows_many = _page_queries(client_instructeur, demarche, django_assert_max_num_queries)
    # then the page needs the same number of queries
    assert (rows_few, rows_many) == (2, 17)
    assert many == few


def test_an_instructeur_only_lists_the_dossiers_of_his_groups(client_instructeur, instructeur, demarche):
    # given a second group of the démarche that the instructeur is not in
    autre_groupe = GroupeInstructeur.objects.create(procedure=demarche, label="Sud")
    autre_groupe.instructeurs.add(factories.InstructeurFactory())
    mien = remplir(demarche, Nom_du_projet="Jardin")
    sien = remplir(demarche, Nom_du_projet="Jardin")
    Dossier.objects.filter(pk=sien.pk).update(groupe_instructeur=autre_groupe)
    # when he searches, or filters on the other group explicitly
    response = get(client_instructeur, demarche, q="jardin")
    assert [ligne.dossier.pk for ligne in response.context["lignes"]] == [mien.pk]
    post(
        client_instructeur,
        demarche,
        "liste_filtre_ajouter",
        {"colonne": "groupe", "operateur": "parmi", "valeur": [str(autre_groupe.pk)]},
    )
    response = get(client_instructeur, demarche)
    # then the other group's dossier never shows, nor is it counted
    assert response.context["lignes"] == []
    assert {t["tab"].key: t["count"] for t in response.context["tabs"]}["tous"] == 0


@pytest.mark.parametrize(
    "name, method, data",
    [
        ("procedure", "get", {}),
        ("liste_colonnes", "post", {"colonnes": ["email"]}),
        ("liste_filtre_ajouter", "post", {"colonne": "email", "operateur": "contient", "valeur": "x"}),
        ("liste_filtre_valeur", "get", {"colonne": "email"}),
        ("liste_filtre_retirer", "post", {"index": "0"}),
        ("liste_tri", "post", {"tri": "email:asc"}),
        ("action_groupee_lancer", "post", {"action": "suivre", "dossiers": ["1"]}),
    ],
)
def test_the_list_urls_do_not_exist_for_an_instructeur_of_another_demarche(client, demarche, name, method, data):
    # given an instructeur of another démarche only
    autre = factories.InstructeurFactory()
    factories.procedure_creer(instructeurs=[autre], libelle="Autre démarche")
    client.force_login(autre.user)
    url = reverse(f"instruction:{name}", args=[demarche.pk])
    response = getattr(client, method)(url, data)
    assert response.status_code == 404
    assert not ListePreference.objects.filter(instructeur=autre).exists()


def test_the_list_requires_a_login(client, demarche):
    response = client.get(reverse("instruction:procedure", args=[demarche.pk]))
    assert response.status_code == 302 and "connexion" in response.url or "login" in response.url


def test_prepared_rows_escape_truncate_and_format_cells_and_post_to_the_dossier_urls(
    client_instructeur, instructeur, demarche
):
    # given a dossier with a long champ value holding markup, an empty champ, a label, and one the instructeur follows
    long_texte = "<b>Projet</b> " + "é" * 200
    dossier = remplir(demarche, Nom_du_projet=long_texte)
    suivi = remplir(demarche, Nom_du_projet="Suivi")
    Follow.objects.create(instructeur=instructeur, dossier=suivi)
    urgent = next(lbl for lbl in services.labels_de_la_procedure(demarche) if lbl.name == "Urgent")
    DossierLabel.objects.create(dossier=dossier, label=urgent)
    post(
        client_instructeur,
        demarche,
        "liste_colonnes",
        {"colonnes": [key(demarche, "Nom du projet"), key(demarche, "Thème"), "etat", "labels", "depose_at", "processed_at"]},
    )
    # when the list is shown
    response = get(client_instructeur, demarche)
    html = response.content.decode()
    # then the value is escaped and cut at 120 characters, empty cells show a dash, dates are local
    cut = Truncator(long_texte).chars(120)
    assert f"<td>{escape(cut)}</td>" in html
    assert "<b>Projet</b>" not in html
    assert "<td>—</td>" in html
    depose = timezone.localtime(Dossier.objects.get(pk=dossier.pk).depose_at).strftime("%d/%m/%Y %H:%M")
    assert f"<td>{depose}</td>" in html
    assert '<p class="fr-badge fr-badge--sm fr-badge--new">en construction</p>' in html
    assert f'fr-badge--{urgent.color} fr-mb-1v">Urgent</p>' in html
    # and each row links to its dossier and posts to its own follow / unfollow URL with the page's token
    assert f'<a href="{reverse("instruction:dossier", args=[demarche.pk, dossier.pk])}">Dossier n° {dossier.pk}</a>' in html
    assert f'action="{reverse("instruction:suivre", args=[demarche.pk, dossier.pk])}"' in html
    assert f'action="{reverse("instruction:ne_plus_suivre", args=[demarche.pk, suivi.pk])}"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 2
    # and following from the row works with the token the row carries
    form_token = re.search(
        r'action="' + re.escape(reverse("instruction:suivre", args=[demarche.pk, dossier.pk]))
        + r'"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
        html,
    ).group(1)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = client_instructeur.cookies
    response = csrf_client.post(
        reverse("instruction:suivre", args=[demarche.pk, dossier.pk]),
        {"csrfmiddlewaretoken": form_token, "next": reverse("instruction:procedure", args=[demarche.pk])},
    )
    assert response.status_code == 302
    assert Follow.objects.filter(instructeur=instructeur, dossier=dossier).exists()


def test_the_next_field_of_each_row_is_the_escaped_page_address(client_instructeur, demarche):
    remplir(demarche, Nom_du_projet='Projet "guillemets"')
    html = get(client_instructeur, demarche, q='"guillemets"').content.decode()
    page = reverse("instruction:procedure", args=[demarche.pk]) + "?statut=tous&q=%22guillemets%22"
    assert f'<input type="hidden" name="next" value="{escape(page)}">' in html
