"""The usager form: a SIRET typed right after another look-up champ (whose save is still on its way)
gets its établissement box filled — the box always shows the answer to the last save."""

import re
import time

import pytest
from playwright.sync_api import expect

from demarches.referentiels.adapters.association import AssociationHorsLigne
from tests import factories
from tests.fields.demarches import demarche_creer
from tests.browser import login


_ASSOCIATION = AssociationHorsLigne.association


def association_lente(self, rna):
    time.sleep(1.5)
    return _ASSOCIATION(self, rna)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attente_ms", [0, 900])
def test_siret_typed_while_the_previous_lookup_is_saving(page, live_url, monkeypatch, attente_ms):
    monkeypatch.setattr(AssociationHorsLigne, "association", association_lente)
    procedure = demarche_creer([("rna", "Numéro RNA", False, {}), ("siret", "SIRET", False, {}), ("text", "Remarque", False, {})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    ids = {t.libelle: t.html_id for t in dossier.revision.types_de_champ.all()}
    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/brouillon/")

    page.locator(f"#{ids['Numéro RNA']}").fill("W451000123")
    page.locator(f"#{ids['Numéro RNA']}").press("Tab")
    siret = page.locator(f"#{ids['SIRET']}")
    siret.press_sequentially("81234567600017", delay=40)
    page.wait_for_timeout(attente_ms)
    siret.press("Tab")
    expect(page.locator(f"#{ids['SIRET']}-details")).to_contain_text("BOULANGERIE MARTIN", timeout=10000)
    expect(page.locator(f"#{ids['Numéro RNA']}-details")).to_contain_text("ASSOCIATION SPORTIVE")
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.wait_for_timeout(2000)
    expect(page.locator(f"#{ids['SIRET']}-details")).to_contain_text("BOULANGERIE MARTIN")
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"enregistré à \d\d:\d\d"))
    champs = {c.type_de_champ.libelle: c for c in dossier.champs.select_related("type_de_champ")}
    assert champs["SIRET"].value == "81234567600017" and champs["SIRET"].data["etat"] == "ok"
    assert champs["Numéro RNA"].value == "W451000123"
