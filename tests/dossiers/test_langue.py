"""The FR/EN switch of the interface: French by default whatever the browser says, English once chosen."""

import html

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur])


def test_french_by_default_even_for_an_english_browser(client, procedure):
    response = client.get(reverse("dossiers:commencer", kwargs={"path": procedure.path}), HTTP_ACCEPT_LANGUAGE="en-US,en")
    content = page(response)
    assert '<html lang="fr"' in content and "Créer un compte" in content and "J'ai déjà un compte" in content
    assert "EN - English" in content  # the switch in the header


def test_the_switch_sets_english_for_the_usager_pages(client, procedure, usager):
    commencer = reverse("dossiers:commencer", kwargs={"path": procedure.path})
    response = client.post(reverse("dossiers:set_language"), {"language": "en", "next": commencer})
    assert response.status_code == 302 and response.url == commencer
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    content = page(client.get(commencer))
    assert '<html lang="en"' in content
    assert "I already have an account" in content and "Create an account" in content
    assert "Sign in to file an application" in content and "Administrative procedures online" in content
    # the dossier pages too
    client.force_login(usager)
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state="en_construction")
    assert "My applications" in page(client.get(reverse("dossiers:index")))
    content = page(client.get(reverse("dossiers:show", args=[dossier.pk])))
    assert f"Application no. {dossier.pk}" in content and "under construction" in content and "Summary" in content
    # and back to French
    client.post(reverse("dossiers:set_language"), {"language": "fr", "next": commencer})
    assert "Mes dossiers" in page(client.get(reverse("dossiers:index")))


def test_an_unknown_language_is_ignored(client, procedure):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    content = page(client.get(reverse("dossiers:commencer", kwargs={"path": procedure.path})))
    assert '<html lang="fr"' in content and "Créer un compte" in content


def test_mon_compte_offers_the_language_too(client, usager):
    client.force_login(usager)
    content = page(client.get(reverse("dossiers:profil")))
    assert "Langue de l'interface" in content and 'value="en"' in content
    client.post(reverse("dossiers:set_language"), {"language": "en", "next": reverse("dossiers:profil")})
    assert "My applications" in page(client.get(reverse("dossiers:index")))
