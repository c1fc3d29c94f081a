"""Browser journey: the administrateur formats the démarche's description with the toolbar (title,
bold, list, link), saves it, and the usager reads it formatted on /commencer/<path>. axe-core on
every screen; the toolbar is also driven from the keyboard."""

import pytest
from django.test import Client

from demarches.procedures.models import Procedure
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_url, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])


def test_format_the_description_with_the_toolbar(page, live_url, check_page):
    administrateur = factories.AdministrateurFactory()
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[factories.InstructeurFactory()], libelle="Aide au permis de conduire",
        path="aide-permis",
    )
    Procedure.objects.filter(pk=procedure.pk).update(description="Une aide pour les jeunes.\n\nAncien texte.")
    _login(page, live_url, administrateur.user)

    page.goto(live_url + f"/admin/procedures/{procedure.pk}/modifier/")
    toolbar = page.get_by_role("toolbar", name="Mise en forme de la description")
    toolbar.wait_for()
    zone = page.get_by_role("textbox", name="Description *")
    # the old plain text became paragraphs in the editable zone
    assert zone.evaluate("z => z.innerHTML") == "<p>Une aide pour les jeunes.</p><p>Ancien texte.</p>"
    assert page.locator("#id_description").is_hidden()
    check_page("formulaire-barre")

    # empty the zone, then write a title, a paragraph with bold text, a list and a link
    zone.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    toolbar.get_by_role("button", name="Titre").click()
    assert toolbar.get_by_role("button", name="Titre").get_attribute("aria-pressed") == "true"
    page.keyboard.type("Qui peut en bénéficier ?")
    page.keyboard.press("Enter")  # the next line is a paragraph again
    assert toolbar.get_by_role("button", name="Titre").get_attribute("aria-pressed") == "false"
    page.keyboard.type("Les jeunes de ")
    toolbar.get_by_role("button", name="Gras").click()
    page.keyboard.type("18 à 25 ans")
    toolbar.get_by_role("button", name="Gras").click()
    page.keyboard.type(" résidant dans la commune.")
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Liste", exact=True).click()
    page.keyboard.type("pièce d'identité")
    page.keyboard.press("Enter")
    page.keyboard.type("justificatif de domicile")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # leaves the list
    page.keyboard.type("Plus d'informations : ")
    page.once("dialog", lambda dialog: dialog.accept("https://www.service-public.fr/permis"))
    toolbar.get_by_role("button", name="Lien").click()
    # the toolbar is one tab stop, its buttons reached with the arrow keys
    toolbar.get_by_role("button", name="Gras").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Italique"
    check_page("formulaire-mis-en-forme")

    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Les informations de la démarche ont été enregistrées.").wait_for()
    procedure.refresh_from_db()
    saved = procedure.description
    assert "<h2>Qui peut en bénéficier ?</h2>" in saved
    assert "<strong>18 à 25 ans</strong>" in saved
    assert "<ul><li>pièce d'identité</li><li>justificatif de domicile</li></ul>" in saved
    assert '<a href="https://www.service-public.fr/permis" rel="noopener">https://www.service-public.fr/permis</a>' in saved
    check_page("demarche-decrite")

    # back in the form, the zone shows the saved formatting
    page.goto(live_url + f"/admin/procedures/{procedure.pk}/modifier/")
    zone = page.get_by_role("textbox", name="Description *")
    assert "<h2>Qui peut en bénéficier ?</h2>" in zone.evaluate("z => z.innerHTML")
    assert "<strong>18 à 25 ans</strong>" in zone.evaluate("z => z.innerHTML")
    # a value that did not go through the sanitiser is rebuilt with the allowed tags only, nothing runs
    Procedure.objects.filter(pk=procedure.pk).update(
        description='<p>Texte <img src="x" onerror="window.piege = 1"><a href="javascript:window.piege = 2">lien</a></p>'
    )
    page.reload()
    zone = page.get_by_role("textbox", name="Description *")
    assert zone.evaluate("z => z.innerHTML") == "<p>Texte <a>lien</a></p>"
    assert page.evaluate("typeof window.piege") == "undefined"
    Procedure.objects.filter(pk=procedure.pk).update(description=saved)

    # the usager reads it formatted
    page.goto(live_url + "/commencer/aide-permis")
    description = page.locator(".description-demarche")
    assert description.get_by_role("heading", level=2, name="Qui peut en bénéficier ?").is_visible()
    assert description.locator("strong", has_text="18 à 25 ans").is_visible()
    assert description.get_by_role("listitem").count() == 2
    assert description.get_by_role("link", name="https://www.service-public.fr/permis").get_attribute("rel") == "noopener"
    check_page("commencer-description-riche")
