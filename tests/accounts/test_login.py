"""Logging in and out: « Se souvenir de moi », wrong password, redirect by profile."""

from django.urls import reverse

from tests import factories

from .conftest import is_logged_in


def test_login_page(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert page.count("<h1") == 1 and "<h1>Se connecter</h1>" in page
    assert '<html lang="fr"' in page
    assert 'for="id_login"' in page and 'for="id_password"' in page and 'for="id_remember"' in page
    assert "Se souvenir de moi" in page
    assert f'href="{reverse("account_reset_password")}" class="fr-link">Mot de passe oublié ?</a>' in page
    assert f'href="{reverse("account_signup")}">Créer un compte</a>' in page


def test_login_without_remember_me_ends_with_the_browser(client, usager, password):
    # When a person logs in without ticking « Se souvenir de moi »
    response = client.post(reverse("account_login"), {"login": usager.email, "password": password})

    # Then she is logged in, sent to the home page, with a session that ends when the browser closes
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_logged_in(client, usager)
    assert client.session.get_expire_at_browser_close()


def test_login_with_remember_me_keeps_the_session(client, usager, password, settings):
    # When a person logs in ticking « Se souvenir de moi »
    response = client.post(
        reverse("account_login"), {"login": usager.email.upper(), "password": password, "remember": "on"}
    )

    # Then the session outlives the browser
    assert response["Location"] == "/"
    assert is_logged_in(client, usager)
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_home_redirects_each_profile_to_its_workspace(client, instructeur, password):
    client.post(reverse("account_login"), {"login": instructeur.user.email, "password": password})
    assert client.get("/")["Location"] == reverse("instruction:procedures")


def test_login_keeps_the_next_page(client, usager, password):
    response = client.post(
        reverse("account_login") + "?next=/dossiers/",
        {"login": usager.email, "password": password, "next": "/dossiers/"},
    )
    assert response["Location"] == "/dossiers/"


def test_wrong_password(client, usager):
    # When a person types a wrong password
    response = client.post(reverse("account_login"), {"login": usager.email, "password": "pas-le-bon-mot-de-passe"})

    # Then the form says so, keeps the e-mail, never the password
    page = response.content.decode()
    assert response.status_code == 200
    assert "L&#x27;adresse électronique ou le mot de passe est incorrect." in page
    assert 'role="alert"' in page
    assert f'value="{usager.email}"' in page and "pas-le-bon-mot-de-passe" not in page
    assert not is_logged_in(client)


def test_unknown_email_gets_the_same_message(client, db):
    page = client.post(
        reverse("account_login"), {"login": "inconnu@exemple.fr", "password": "peu-importe-2026"}
    ).content.decode()
    assert "L&#x27;adresse électronique ou le mot de passe est incorrect." in page


def test_logout(client, usager):
    # Given a logged-in person
    client.force_login(usager)

    # When she asks to log out, a confirmation page is shown, then she confirms
    page = client.get(reverse("account_logout")).content.decode()
    assert "<h1>Se déconnecter</h1>" in page and usager.email in page
    response = client.post(reverse("account_logout"))

    # Then she is logged out and back on the home page
    assert response.status_code == 302 and response["Location"] == "/"
    assert not is_logged_in(client)
    page = client.get("/").content.decode()
    assert "Vous êtes déconnecté." in page


def test_deactivated_account(client, db, password):
    user = factories.UserFactory(is_active=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response["Location"] == reverse("account_inactive")
    assert "Ce compte a été désactivé" in client.get(response["Location"]).content.decode()
    assert not is_logged_in(client)
