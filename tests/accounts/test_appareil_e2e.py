"""Browser journey: an instructeur logs in from a new browser and confirms it with the e-mailed link."""

import re

import pytest

from demarches.core.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.e2e


def test_new_browser_is_confirmed_by_the_emailed_link(page, live_url, check_page, transactional_db, settings):
    settings.TRUSTED_DEVICE_ENABLED = True
    instructeur = factories.InstructeurFactory()
    factories.procedure_creer(administrateur=factories.AdministrateurFactory(), instructeurs=[instructeur])

    page.goto(live_url + "/comptes/login/?next=/procedures/")
    page.locator("#id_login").fill(instructeur.user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()

    page.get_by_role("heading", level=1, name="Vérifiez votre navigateur").wait_for()
    check_page("verification-navigateur")
    body = OutgoingEmail.objects.get(kind="connexion_securisee").body
    link = re.search(r"https?://\S+/connexion-securisee/\S+", body).group(0)

    page.goto(link.replace("http://testserver", live_url))

    page.wait_for_url(live_url + "/procedures/")
    assert "Ce navigateur est maintenant reconnu pour 30 jours" in page.content()
    check_page("navigateur-reconnu")
