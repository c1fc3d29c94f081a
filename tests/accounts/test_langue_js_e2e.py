"""In the browser, the scripts speak the language the usager chose (Django's JavaScript catalogue): the live
password strength indicator of the sign-up page and the rejected files of the dossier form, in English then
in French; every page passes axe-core."""

import pytest
from django.conf import settings as dj_settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories
from tests.fields.demarches import demarche_creer

pytestmark = pytest.mark.e2e


def langue(page, live_url, code):
    page.context.add_cookies([{"name": dj_settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_url}])


@pytest.mark.django_db(transaction=True)
def test_the_password_strength_indicator_in_english_then_in_french(page, live_url, check_page):
    langue(page, live_url, "en")
    page.goto(live_url + reverse("account_signup"))
    expect(page.get_by_role("heading", name="Create an account", level=1)).to_be_visible()
    page.locator("#id_password1").fill("abc")
    status = page.locator("#id_password1-strength-text")
    expect(status).to_contain_text("Password strength: Very weak.")
    expect(status).to_contain_text("more characters needed.")
    check_page("inscription-en")
    page.locator("#id_password1").fill("Trois chats dorment sous le figuier")
    expect(status).to_have_text("Password strength: Very strong. It is strong enough.")
    # the same page in French: the texts written in the script
    langue(page, live_url, "fr")
    page.goto(live_url + reverse("account_signup"))
    page.locator("#id_password1").fill("abc")
    expect(page.locator("#id_password1-strength-text")).to_contain_text("Robustesse du mot de passe : Très faible.")
    expect(page.locator("#id_password1-strength-text")).to_contain_text("caractères au minimum.")


@pytest.mark.django_db(transaction=True)
def test_a_rejected_file_is_explained_in_english(page, live_url, check_page):
    procedure = demarche_creer([("piece_justificative", "Plan", False, {})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    client = Client()
    client.force_login(usager)
    cookie = client.cookies[dj_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": dj_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_url}])
    langue(page, live_url, "en")
    page.goto(live_url + reverse("dossiers:brouillon", args=[dossier.pk]))
    plan = dossier.revision.types_de_champ.get(libelle="Plan")
    page.locator(f"#{plan.html_id}").set_input_files([{"name": "vide.pdf", "mimeType": "application/pdf", "buffer": b""}])
    alerte = page.locator(".televersement-rejets")
    expect(alerte).to_contain_text("This file was not uploaded:")
    expect(alerte).to_contain_text("“vide.pdf”: empty file")
    check_page("fichier-refuse-en")
