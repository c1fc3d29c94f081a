"""The account pages reached from « Mon compte » in English: change of e-mail address and of password,
their errors and flash messages; French by default, unchanged."""

import html

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

PASSWORD = "une phrase de passe assez longue"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def compte(db, client):
    user = factories.UserFactory()
    user.set_password(PASSWORD)
    user.save()
    client.force_login(user)
    return user


def test_change_password_in_english(client, compte):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("account_change_password")
    content = page(client.get(url))
    assert "<title>Change password" in content and "<h1>Change password</h1>" in content
    assert "Fields followed by an asterisk (*) are mandatory." in content
    for text in ("Current password", "New password", "Confirm the new password", "Enter it a second time.", "Save the password"):
        assert text in content
    assert 'aria-label="Show the password"' in content and "At least " in content
    assert "Mot de passe actuel" not in content and "Afficher" not in content
    # a weak new password: the error of the form and of our validator, in English
    content = page(client.post(url, {"oldpassword": PASSWORD, "password1": "azerty", "password2": "azerty"}))
    assert "The form contains an error: correct the field marked below." in content or "The form contains errors" in content
    assert "This password is too easy to guess." in content
    # changed: the flash message
    new = "un autre mot de passe bien plus long"
    content = page(client.post(url, {"oldpassword": PASSWORD, "password1": new, "password2": new}, follow=True))
    assert "Your password has been changed." in content
    compte.refresh_from_db()
    assert compte.check_password(new)


def test_change_password_stays_french_by_default(client, compte):
    content = page(client.get(reverse("account_change_password")))
    assert "<h1>Changer de mot de passe</h1>" in content
    assert "Les champs suivis d’un astérisque (*) sont obligatoires." in content
    assert 'aria-label="Afficher le mot de passe"' in content and "Enregistrer le mot de passe" in content
    content = page(client.post(reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": "azerty", "password2": "azerty"}))
    assert "Ce mot de passe est trop facile à deviner." in content


def test_change_email_in_english(client, compte):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = page(client.get(reverse("account_email")))
    assert '<html lang="en"' in content and compte.email in content
    assert "Change Email" in content or "Add Email" in content


def test_the_sign_out_flash_message_in_english(client, compte):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = page(client.post(reverse("account_logout"), follow=True))
    assert "You are signed out. See you soon!" in content
