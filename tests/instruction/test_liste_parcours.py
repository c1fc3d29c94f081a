"""Browser journey of the dossier list: personalise the columns, add a filter, sort, search,
select dossiers and run a bulk action, watch its progress; axe-core on every step."""

import os
import re

import pytest
from django.conf import settings as dj_settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from demarches.dossiers.models import Champ, Dossier
from demarches.instruction.liste import indexation
from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
S = Dossier.State
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHAMPS = [
    ("text", "Nom du projet", False),
    ("integer_number", "Nombre de participants", False),
    ("drop_down_list", "Thème", False, {"choices": ["Culture", "Éducation", "Sport"]}),
]


def login(context, live_url, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[dj_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": dj_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_url}])


def remplir(procedure, state, nom, **valeurs):
    dossier = factories.dossier_creer(procedure=procedure, state=state, nom=nom)
    for libelle, value in valeurs.items():
        tdc = procedure.active_revision.types_de_champ.get(libelle=libelle)
        Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=value)
    indexation.dossiers_indexer([dossier.pk])
    return dossier


def test_personalise_filter_sort_search_and_bulk_accept(page, live_url, check_page):
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        instructeurs=[instructeur], champs=CHAMPS, libelle="Subvention aux associations"
    )
    jardin = remplir(
        procedure,
        S.EN_INSTRUCTION,
        "Arnaud",
        **{"Nom du projet": "Jardin partagé", "Nombre de participants": "12", "Thème": "Culture"},
    )
    festival = remplir(
        procedure,
        S.EN_INSTRUCTION,
        "Bernard",
        **{"Nom du projet": "Festival d'été", "Nombre de participants": "300", "Thème": "Culture"},
    )
    remplir(
        procedure,
        S.EN_CONSTRUCTION,
        "Claude",
        **{"Nom du projet": "Tournoi", "Nombre de participants": "40", "Thème": "Sport"},
    )
    login(page.context, live_url, instructeur.user)

    page.goto(f"{live_url}{reverse('instruction:procedure', args=[procedure.pk])}?statut=tous")
    expect(page.get_by_role("heading", level=1)).to_have_text("Subvention aux associations")
    check_page("liste")

    # Personnaliser: show « Thème » and « Nombre de participants ».
    page.get_by_role("button", name="Personnaliser les colonnes").click()
    expect(page.get_by_role("button", name="Personnaliser les colonnes")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Enregistrer les colonnes")).to_be_visible()
    for libelle in ("Thème (champ)", "Nombre de participants (champ)"):
        page.locator("label", has_text=libelle).click()  # DSFR draws the box on the label
        expect(page.get_by_label(libelle)).to_be_checked()
    check_page("personnaliser")
    page.get_by_role("button", name="Enregistrer les colonnes").click()
    expect(page.get_by_role("columnheader", name="Thème")).to_be_visible()
    expect(page.get_by_role("cell", name="Culture")).to_have_count(2)

    # Filtrer: Thème is one of « Culture »; the value inputs follow the column (htmx).
    page.get_by_role("button", name="Filtrer", exact=True).click()
    expect(page.get_by_role("button", name="Ajouter le filtre")).to_be_visible()
    page.get_by_label("Colonne", exact=True).select_option(label="Thème")
    expect(page.get_by_label("Culture", exact=True)).to_be_attached()
    page.locator("#filtre-valeur label", has_text="Culture").click()
    expect(page.get_by_label("Culture", exact=True)).to_be_checked()
    check_page("filtrer")
    page.get_by_role("button", name="Ajouter le filtre").click()
    expect(page.get_by_role("button", name="Retirer le filtre Thème : Culture")).to_be_visible()
    expect(page.get_by_role("tab", name=re.compile("Tous les dossiers"))).to_contain_text("2")
    check_page("filtre-actif")

    # Sort by the number of participants, both ways.
    page.get_by_role("button", name="Nombre de participants").click()
    header = page.get_by_role("columnheader", name="Nombre de participants")
    expect(header).to_have_attribute("aria-sort", "ascending")
    rows = page.locator("tbody tr th[scope=row] a")
    expect(rows).to_have_text([f"Dossier n° {jardin.pk}", f"Dossier n° {festival.pk}"])
    page.get_by_role("button", name="Nombre de participants").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows).to_have_text([f"Dossier n° {festival.pk}", f"Dossier n° {jardin.pk}"])
    check_page("tri")

    # Search.
    page.get_by_label("Rechercher un dossier (numéro, nom, valeur d'un champ)").fill("jardin")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(rows).to_have_text([f"Dossier n° {jardin.pk}"])
    check_page("recherche")
    page.get_by_role("link", name="Retirer la recherche « jardin »").click()
    expect(rows).to_have_count(2)

    # Select the two dossiers and accept them in bulk; watch the progress.
    page.get_by_label("Cocher tous les dossiers de la page").check(force=True)
    expect(page.locator("#selection-compte")).to_have_text("2 dossiers cochés")
    page.get_by_label("Action", exact=True).select_option(label="Accepter")
    page.get_by_role("button", name="Appliquer aux dossiers cochés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action groupée : accepter")
    expect(page.locator("#progression-libelle")).to_contain_text("Terminé : 2 dossiers traités sur 2")
    check_page("progression")
    for dossier in (jardin, festival):
        dossier.refresh_from_db()
        assert dossier.state == S.ACCEPTE
