"""Browser journeys through the account pages, each page checked with axe-core (Playwright + Chromium)."""

import re

import pytest
from allauth.account.models import EmailAddress

from demarches.accounts.models import User
from demarches.core.models import OutgoingEmail
from demarches.procedures.models import InstructeurInvitation
from tests import factories

pytestmark = pytest.mark.e2e


def last_link(kind: str, live_url: str) -> str:
    body = OutgoingEmail.objects.filter(kind=kind).latest("created_at").body
    return re.search(r"https?://\S+", body).group(0).replace("http://testserver", live_url)


def test_signup_journey(page, live_url, check_page):
    # The signup page, with the live strength indicator
    page.goto(live_url + "/comptes/signup/")
    check_page("inscription")
    page.get_by_label("Adresse électronique").fill("camille@exemple.fr")
    password = page.get_by_label("Mot de passe", exact=False).first
    password.fill("azerty123456")
    indicator = page.locator("#id_password1-strength-text")
    indicator.wait_for(state="visible")
    assert "Très faible" in indicator.inner_text()
    check_page("inscription-indicateur")
    password.fill("Jardin-Tulipe-Orage-58")
    page.wait_for_function("document.querySelector('#id_password1-strength-text').textContent.includes('Très fort')")

    # The « Afficher » box shows the password
    page.locator("label[for='id_password1-show']").click()
    assert password.get_attribute("type") == "text"
    page.locator("label[for='id_password1-show']").click()

    # A too weak password comes back with its error and the e-mail kept
    password.fill("azerty123456")
    page.get_by_role("button", name="Créer mon compte").click()
    assert page.get_by_label("Adresse électronique").input_value() == "camille@exemple.fr"
    assert "trop facile à deviner" in page.locator("#id_password1-error").inner_text()
    check_page("inscription-erreur")

    page.get_by_label("Mot de passe", exact=False).first.fill("Jardin-Tulipe-Orage-58")
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", level=1, name="Activez votre compte").wait_for()
    check_page("email-envoye")

    # The link of « Activez votre compte » confirms and logs in
    page.goto(last_link("compte_activation", live_url))
    check_page("confirmation")
    page.get_by_role("button", name="Activer mon compte").click()
    page.wait_for_url(live_url + "/dossiers/")
    assert EmailAddress.objects.get(email="camille@exemple.fr").verified

    page.goto(live_url + "/comptes/logout/")
    check_page("deconnexion")
    page.get_by_role("button", name="Se déconnecter").last.click()
    page.wait_for_url(live_url + "/")


def test_login_lock_and_password_reset_pages(page, live_url, check_page, transactional_db):
    user = factories.UserFactory(email="dominique@exemple.fr")
    page.goto(live_url + "/comptes/login/")
    check_page("connexion")

    for _ in range(6):
        page.locator("#id_login").fill(user.email)
        page.locator("#id_password").fill("mauvais-mot-de-passe")
        page.get_by_role("button", name="Se connecter").last.click()
    assert "Votre compte est verrouillé" in page.get_by_role("alert").inner_text()
    check_page("connexion-verrouillee")

    page.goto(last_link("compte_verrouille", live_url))
    check_page("deverrouillage")
    assert User.objects.get(pk=user.pk).locked_at is None

    page.goto(live_url + "/comptes/password/reset/")
    check_page("mot-de-passe-oublie")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_role("button", name="Recevoir le lien").click()
    check_page("mot-de-passe-oublie-envoye")
    page.goto(last_link("mot_de_passe_changement", live_url))
    check_page("nouveau-mot-de-passe")
    page.locator("#id_password1").fill("Cheval-Lampe-Nuage-2027")
    page.locator("#id_password2").fill("Cheval-Lampe-Nuage-2027")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    check_page("mot-de-passe-change")


def test_invitation_and_profile_switcher(page, live_url, check_page, transactional_db):
    procedure = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    invitation = InstructeurInvitation.objects.create(email="agent@exemple.fr", groupe=procedure.default_groupe)

    page.goto(f"{live_url}/comptes/invitation/{invitation.token}/")
    check_page("invitation")
    page.locator("#id_password1").fill("Jardin-Tulipe-Orage-58")
    page.get_by_role("button", name="Créer mon compte et accepter l’invitation").click()
    page.wait_for_url(live_url + "/procedures/")

    # The profile switcher opens and lists the two profiles
    switcher = page.get_by_role("navigation", name="Changer de profil")
    switcher.get_by_role("button").click()
    menu = switcher.get_by_role("link")
    menu.first.wait_for(state="visible")
    assert [menu.nth(i).inner_text().strip() for i in range(menu.count())] == ["Usager", "Instructeur"]
    check_page("selecteur-profil")
    switcher.get_by_role("link", name="Usager").click()
    page.wait_for_url(live_url + "/dossiers/")
