"""Browser journey: a partner's system prefills a draft through the public API; the usager opens the
link, logs in, claims the draft and finds the values in his form. Every page is axe-core clean."""

import json
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from demarches.dossiers.models import Dossier
from tests import factories
from tests.fields.demarches import demarche_creer


@pytest.mark.django_db(transaction=True)
def test_usager_claims_a_draft_prefilled_through_the_api(page, live_url, check_page):
    procedure = demarche_creer([
        ("text", "Nom de l'événement", True, {}),
        ("drop_down_list", "Type", False, {"choices": ["Concert", "Exposition"]}),
    ])
    ids = {t.libelle: f"champ_{t.stable_id}" for t in procedure.active_revision.types_de_champ.all()}
    response = Client().post(
        f"/api/public/v1/demarches/{procedure.pk}/dossiers",
        json.dumps({ids["Nom de l'événement"]: "Fête du parc", ids["Type"]: "Concert",
                    "identite_civilite": "Mme", "identite_nom": "Martin", "identite_prenom": "Claire"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    link = response.json()["dossier_url"].replace("http://testserver", live_url)
    usager = factories.UserFactory()

    page.goto(link)
    expect(page.get_by_role("heading", name="Réponses préremplies")).to_be_visible()
    expect(page.get_by_text("Fête du parc")).to_be_visible()
    check_page("prerempli-anonyme")
    page.locator("#contenu").get_by_role("link", name="Se connecter").click()
    page.locator("#id_login").fill(usager.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()

    expect(page.get_by_role("button", name="Commencer la démarche")).to_be_visible()
    assert "/preremplissage/" in page.url
    check_page("prerempli-connecte")
    page.get_by_role("button", name="Commencer la démarche").click()
    expect(page.get_by_text("Le dossier prérempli est maintenant le vôtre")).to_be_visible()
    expect(page.get_by_label("Nom *", exact=True)).to_have_value("Martin")
    expect(page.get_by_label("Prénom *", exact=True)).to_have_value("Claire")
    check_page("prerempli-identite")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label(re.compile("^Nom de l'événement"))).to_have_value("Fête du parc")
    check_page("prerempli-brouillon")
    dossier = Dossier.objects.get()
    assert dossier.user == usager and dossier.prefilled

    # Anybody else following the same link is refused and sees nothing of the dossier.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="Ce dossier prérempli a déjà été repris")).to_be_visible()
    expect(page.get_by_text("Fête du parc")).to_have_count(0)
    check_page("prerempli-deja-repris")
    assert Dossier.objects.get().user == usager


@pytest.mark.django_db(transaction=True)
def test_the_prefill_documentation_fits_the_screen(page, live_url, check_page):
    procedure = demarche_creer([
        ("text", "Nom de l'association organisatrice de l'événement", True, {}),
        ("multiple_drop_down_list", "Besoins", False, {"choices": ["Électricité", "Eau", "Barrières"]}),
        ("carte", "Emprise", False, {}),
    ])
    page.goto(f"{live_url}/demarches/{procedure.pk}/preremplissage")
    expect(page.get_by_role("heading", name="Identité du demandeur")).to_be_visible()
    expect(page.get_by_text("dossier_prefill_state").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    check_page("prefill-documentation")
