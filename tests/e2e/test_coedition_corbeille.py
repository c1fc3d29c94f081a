"""Browser journey: invite a co-editor who fills the brouillon but cannot deposit; corbeille, duplication,
search and « Mon compte », each page checked by axe-core."""

import re

import pytest
from django.conf import settings as dj_settings
from django.test import Client
from playwright.sync_api import expect

from demarches.core.models import OutgoingEmail
from demarches.dossiers.models import Champ, Dossier
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def login(context, live_url, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[dj_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": dj_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_url}])


def test_co_editor_corbeille_duplication_and_account(page, browser, live_url, check_page):
    procedure = factories.procedure_creer(
        instructeurs=[factories.InstructeurFactory()], champs=[("text", "Nom du projet", True)],
        libelle="Autorisation oxygène",
    )
    owner = factories.UserFactory(email="claire@exemple.fr")
    invitee = factories.UserFactory(email="paul@exemple.fr")
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    login(page.context, live_url, owner)

    # The owner invites Paul from the brouillon.
    page.goto(f"{live_url}/dossiers/{dossier.pk}/brouillon/")
    page.get_by_role("link", name="Inviter une personne à modifier ce dossier").click()
    check_page("invitations")
    page.get_by_label("Adresse électronique").fill("paul@")
    page.get_by_role("button", name="Envoyer une invitation").click()
    expect(page.locator("#invitation-email-messages")).to_contain_text("adresse électronique valide")
    check_page("invitations-erreur")
    page.get_by_label("Adresse électronique").fill("paul@exemple.fr")
    page.get_by_label("Ajouter un message à la personne invitée (optionnel)").fill("Peux-tu compléter le nom ?")
    page.get_by_role("button", name="Envoyer une invitation").click()
    expect(page.get_by_text("Une invitation a été envoyée à paul@exemple.fr.")).to_be_visible()
    check_page("invitations-envoyee")
    body = OutgoingEmail.objects.get(kind="invitation_dossier", to="paul@exemple.fr").body
    link = re.search(rf"{re.escape(live_url)}/dossiers/\d+/brouillon/", body).group(0)

    # Paul follows the link, fills the form; he is offered no deposit.
    paul_context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
    paul = paul_context.new_page()
    login(paul_context, live_url, invitee)
    paul.goto(live_url + "/dossiers/")
    expect(paul.get_by_role("link", name=re.compile("1 dossier invité"))).to_have_attribute("aria-current", "page")
    paul.goto(link)
    expect(paul.get_by_text("claire@exemple.fr vous a invité à modifier ce dossier", exact=False)).to_be_visible()
    expect(paul.get_by_role("button", name="Déposer le dossier")).to_have_count(0)
    paul.get_by_label("Nom du projet").fill("Pharmacie du port")
    expect(paul.locator("#autosave-status")).to_contain_text("enregistré", timeout=10000)
    assert Champ.objects.get(dossier=dossier).value == "Pharmacie du port"
    paul_context.close()

    # The owner sees the value, duplicates, then deletes the copy and restores it.
    page.goto(f"{live_url}/dossiers/{dossier.pk}/brouillon/")
    expect(page.get_by_label("Nom du projet")).to_have_value("Pharmacie du port")
    page.get_by_role("button", name=re.compile("^Dupliquer")).click()
    expect(page.get_by_text(f"à partir du dossier n° {dossier.pk}", exact=False)).to_be_visible()
    copie = Dossier.objects.exclude(pk=dossier.pk).get()
    expect(page.get_by_label("Nom du projet")).to_have_value("Pharmacie du port")
    check_page("copie")
    page.get_by_role("link", name="Supprimer le dossier").click()
    check_page("supprimer-confirmation")
    page.get_by_role("button", name="Supprimer le dossier").click()
    expect(page.get_by_text("a été placé dans la corbeille", exact=False)).to_be_visible()
    check_page("mes-dossiers")
    page.get_by_role("link", name="Corbeille (1)").click()
    check_page("corbeille")
    page.get_by_role("button", name=f"Restaurer le dossier n° {copie.pk}").click()
    expect(page.get_by_text(f"Le dossier n° {copie.pk} a été restauré.")).to_be_visible()

    # Search by number.
    page.goto(live_url + "/dossiers/")
    page.get_by_label("Rechercher un dossier par numéro ou par mot-clé").fill(str(dossier.pk))
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name=re.compile("1 en cours"))).to_be_visible()
    check_page("recherche")

    # Mon compte.
    page.get_by_role("link", name="Mon compte", exact=True).click()
    check_page("mon-compte")
    page.get_by_role("button", name="Supprimer mon compte").click()
    expect(page.locator("#compte-confirmation-messages")).to_contain_text("Cochez la case")
    check_page("mon-compte-erreur")
