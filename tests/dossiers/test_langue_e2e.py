"""In the browser: an usager switches the interface to English, then goes from « Mes dossiers » to a
dossier and its messagerie, writes a message and reads the flash; every page passes axe-core."""

import pytest
from playwright.sync_api import expect

from demarches.dossiers import services
from demarches.dossiers.models import Commentaire, Dossier
from tests import factories
from tests.browser import login

pytestmark = pytest.mark.e2e

IDLE = "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


@pytest.mark.django_db(transaction=True)
def test_mes_dossiers_then_the_messagerie_in_english(page, live_url, check_page):
    procedure = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=Dossier.State.EN_CONSTRUCTION)
    services.message_envoyer(dossier=dossier, user=usager, body="Bonjour, voici mon dossier.")
    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/")
    expect(page.get_by_role("heading", name="Mes dossiers")).to_be_visible()
    # the switch of the header
    page.locator("#choix-langue .fr-translate__btn").click()
    page.get_by_role("button", name="EN - English").click()
    expect(page.get_by_role("heading", name="My applications")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    check_page("mes-dossiers")
    # Mes dossiers → the dossier
    page.get_by_role("link", name=f"See the application no. {dossier.pk}").click()
    expect(page.get_by_text(f"Application no. {dossier.pk}")).to_be_visible()
    check_page("dossier")
    # → its messagerie
    page.get_by_role("link", name="Messages", exact=True).click()
    page.wait_for_function(IDLE)
    expect(page.get_by_role("heading", name="Send a message")).to_be_visible()
    expect(page.get_by_text("Bonjour, voici mon dossier.")).to_be_visible()
    expect(page.get_by_text("The messages tab lets you talk with the department examining your application.")).to_be_visible()
    check_page("messagerie")
    # an empty message: the error in English
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Your message is empty: write a few words before sending it.")).to_be_visible()
    check_page("messagerie-erreur")
    page.get_by_label("Your message *").fill("When will you decide?")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Your message has been sent.")).to_be_visible()
    expect(page.get_by_text("When will you decide?")).to_be_visible()
    check_page("messagerie-envoye")
    assert Commentaire.objects.filter(dossier=dossier, body="When will you decide?").exists()
