"""Sign in, sign up, password reset and e-mail confirmation in English (issue 4 §9), with the flash
messages of the activation e-mail resend; French stays the default and is unchanged."""

import html

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from tests import factories

STRONG = "Trois chats dorment sous le figuier"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def en(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_login_page_in_english(en):
    content = page(en.get(reverse("account_login")))
    assert "<title>Log in" in content and "<h1>Log in</h1>" in content
    assert "With your email address and password" in content
    assert "Email address" in content and "Expected format: name@domain.fr" in content and ">Password" in content
    assert "Forgotten password?" in content and "You do not have an account yet?" in content
    assert ">Create an account</a>" in content
    for french in ("Se connecter", "Mot de passe", "Adresse électronique", "Créer un compte", "Format attendu"):
        assert french not in content


def test_a_failed_login_in_english(en):
    factories.UserFactory(email="claire@exemple.fr")
    content = page(en.post(reverse("account_login"), {"login": "claire@exemple.fr", "password": "pas le bon"}))
    assert "The email address or the password is incorrect." in content
    assert "mot de passe est incorrect" not in content


def test_the_login_page_stays_french(client, db):
    content = page(client.get(reverse("account_login")))
    assert "<h1>Se connecter</h1>" in content and "Avec votre adresse électronique et votre mot de passe" in content
    assert "Format attendu : nom@domaine.fr" in content and "Vous n’avez pas encore de compte ?" in content


def test_the_signup_page_in_english(en):
    content = page(en.get(reverse("account_signup")))
    assert "<h1>Create an account</h1>" in content and "Your sign-in details" in content
    assert "Your account lets you file your applications online" in content
    assert ">Create my account</button>" in content and "You already have an account?" in content
    # the strength indicator gets its labels in English from the server, its sentences from the JS catalogue
    assert 'data-labels="Very weak|Weak|Fair|Strong|Very strong"' in content
    assert f'<script src="{reverse("javascript-catalog")}"></script>' in content
    for french in ("Créer mon compte", "Vos identifiants", "Très faible", "Vous avez déjà un compte"):
        assert french not in content


def test_a_signup_error_in_english(en):
    content = page(en.post(reverse("account_signup"), {"email": "paul-at-exemple", "password1": STRONG}))
    assert "The form contains an error" in content or "The form contains errors" in content
    assert "Le formulaire contient" not in content


def test_the_signup_page_stays_french(client, db):
    content = page(client.get(reverse("account_signup")))
    assert "<h1>Créer un compte</h1>" in content and ">Créer mon compte</button>" in content
    assert 'data-labels="Très faible|Faible|Moyen|Fort|Très fort"' in content
    assert "jsi18n" not in content


def test_the_password_reset_pages_in_english(en):
    content = page(en.get(reverse("account_reset_password")))
    assert "<h1>Forgotten password</h1>" in content and ">Get the link</button>" in content
    assert "Back to the login page" in content and "Expected format: name@domain.fr" in content
    response = en.post(reverse("account_reset_password"), {"email": "personne@exemple.fr"}, follow=True)
    content = page(response)
    assert "<h1>Check your inbox</h1>" in content and "An email is on its way" in content
    assert f'<a class="fr-link" href="{reverse("account_reset_password")}">ask again</a>' in content
    content = page(en.get(reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "faux-jeton"}), follow=True))
    assert "<h1>Link expired</h1>" in content and "Ask for a new link" in content
    for french in ("Lien expiré", "Mot de passe oublié", "Vérifiez votre messagerie"):
        assert french not in content


def test_the_password_reset_stays_french(client, db):
    content = page(client.get(reverse("account_reset_password")))
    assert "<h1>Mot de passe oublié</h1>" in content and ">Recevoir le lien</button>" in content


def test_the_email_confirmation_pages_in_english(en):
    content = page(en.get(reverse("account_confirm_email", args=["pas-une-vraie-cle"])))
    assert "<h1>Confirming your email address</h1>" in content
    assert "This activation link is no longer valid" in content and "Get a new activation email" in content
    content = page(en.get(reverse("account_resend_confirmation")))
    assert "<h1>Resend the activation email</h1>" in content and ">Resend the activation email</button>" in content
    content = page(en.get(reverse("account_email_verification_sent")))
    assert "<h1>Activate your account</h1>" in content and "Nothing received?" in content


def test_the_resend_flash_messages_in_english(en, mailoutbox, send_mails):
    user = factories.UserFactory(email="lent@exemple.fr", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    with send_mails():
        response = en.post(reverse("account_resend_confirmation"), {"email": "lent@exemple.fr"}, follow=True)
    content = page(response)
    assert "If an account awaiting activation matches the address lent@exemple.fr, a new “Activate your account” email" in content
    assert "Before you can sign in, we need to check your email address" in content
    with send_mails():
        response = en.post(reverse("account_resend_confirmation"), {"email": "lent@exemple.fr"}, follow=True)
    assert "An activation email has just been requested for this address." in page(response)
    content = page(en.post(reverse("account_resend_confirmation"), {"email": ""}))
    assert "Enter the email address of your account." in content


def test_the_resend_flash_message_stays_french(client, db, send_mails):
    with send_mails():
        response = client.post(reverse("account_resend_confirmation"), {"email": "inconnu@exemple.fr"}, follow=True)
    assert "Si un compte en attente d'activation correspond à l'adresse inconnu@exemple.fr" in page(response)


def test_the_logout_page_in_english(en):
    user = factories.UserFactory()
    en.force_login(user)
    content = page(en.get(reverse("account_logout")))
    assert f"Do you really want to log out ({user.email})?" in content and ">Stay logged in</a>" in content



def test_skip_links_and_identity_provider_buttons_in_english(en):
    from django.template.loader import render_to_string
    from django.utils import translation

    content = page(en.get(reverse("account_login")))
    assert 'aria-label="Quick access"' in content and ">Content</a>" in content and ">Footer</a>" in content

    boutons = [{"action": "/oidc/", "provider_id": "franceconnect", "provider_name": "FranceConnect"},
               {"action": "/oidc/pro/", "provider_id": "proconnect", "provider_name": "ProConnect"}]
    with translation.override("en"):
        english = html.unescape(render_to_string("socialaccount/_boutons_oidc.html", {"boutons": boutons, "separateur": True}))
    assert english.count("Sign in with") == 2 and "What is FranceConnect?" in english and "What is ProConnect?" in english
    assert '<p class="fr-hr-or">or</p>' in english
    with translation.override("fr"):
        french = html.unescape(render_to_string("socialaccount/_boutons_oidc.html", {"boutons": boutons, "separateur": True}))
    assert french.count("S’identifier avec") == 2 and '<p class="fr-hr-or">ou</p>' in french
