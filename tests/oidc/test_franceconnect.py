"""FranceConnect login against a real OpenID Connect provider (npm's certified `oidc-provider`), started here.

The browser journeys go through the provider's own login and consent pages; our pages are checked with axe-core.
The e-mail link path and its 15-minute validity are tested through the views.
"""

import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from demarches.accounts import social
from demarches.accounts.models import User
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = ROOT / "tests" / "oidc" / "provider.js"
CLIENT_ID = "demarches-tests"
CLIENT_SECRET = "secret-des-tests-franceconnect"
# The test account of tests/oidc/provider.js.
FC_SUB = "fc-angela-dubois"
FC_EMAIL = "angela.dubois@example.fr"
FC_CLAIMS = {
    "sub": FC_SUB, "given_name": "Angela Claire Louise", "family_name": "DUBOIS", "gender": "female",
    "birthdate": "1962-08-24", "email": FC_EMAIL,
}
BOUTON = "S’identifier avec FranceConnect"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _oidc_settings(issuer: str) -> dict:
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [{
                "provider_id": "franceconnect", "name": "FranceConnect", "client_id": CLIENT_ID,
                "secret": CLIENT_SECRET,
                "settings": {"server_url": issuer, "token_auth_method": "client_secret_post"},
            }],
        }
    }


@pytest.fixture(scope="module")
def oidc_provider(live_server):
    """`node tests/oidc/provider.js` on a free port, for the live server's callback URL; yields the issuer."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js (`node`) n'est pas installé : le fournisseur OpenID Connect local ne peut pas démarrer.")
    if not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("oidc-provider manque dans node_modules : lancez `npm install` (devDependencies de package.json).")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    callback = f"{live_server.url}{reverse('openid_connect_callback', kwargs={'provider_id': 'franceconnect'})}"
    process = subprocess.Popen(
        [node, str(PROVIDER_SCRIPT), "--port", str(port), "--client-id", CLIENT_ID,
         "--client-secret", CLIENT_SECRET, "--redirect-uri", callback],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"le fournisseur OpenID Connect local n'a pas démarré :\n{output}")
        time.sleep(0.1)
    yield issuer
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def franceconnect(oidc_provider, settings):
    settings.SOCIALACCOUNT_PROVIDERS = _oidc_settings(oidc_provider)
    return oidc_provider


def _login_on_provider(page, issuer: str):
    """The provider's development pages (not ours: no axe check): any password, the login is the account id."""
    page.wait_for_url(f"{issuer}/interaction/**")
    page.fill("input[name=login]", FC_SUB)
    page.fill("input[name=password]", "nimporte-quoi")
    page.click("button:has-text('Sign-in')")
    page.wait_for_load_state()
    if page.url.startswith(f"{issuer}/interaction/"):  # consent
        page.click("button:has-text('Continue')")


# Browser journeys against the real provider -----------------------------------------------------------------------


def test_first_franceconnect_login_creates_the_account_and_comes_back(page, live_url, check_page, franceconnect, db):
    # Given a published démarche for individuals
    procedure = factories.procedure_creer(
        libelle="Demande de carte de stationnement", instructeurs=[factories.InstructeurFactory()]
    )

    # When a person with no account starts it with FranceConnect
    page.goto(f"{live_url}/commencer/{procedure.path}")
    check_page("commencer")
    page.get_by_role("button", name=BOUTON).click()
    _login_on_provider(page, franceconnect)

    # Then she is back on the démarche, logged in with the FranceConnect e-mail, with a verified address
    page.wait_for_url(f"{live_url}/commencer/{procedure.path}")
    check_page("commencer-connecte")
    assert page.get_by_text(f"Vous êtes connecté avec l'adresse {FC_EMAIL}").is_visible()
    user = User.objects.get(email=FC_EMAIL)
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user, email=FC_EMAIL).verified
    account = SocialAccount.objects.get(user=user, provider="franceconnect")
    assert account.uid == FC_SUB

    # And the identity step of her dossier is pre-filled with her FranceConnect identity
    page.get_by_role("button", name="Commencer la démarche").click()
    page.wait_for_url("**/identite/**")
    check_page("identite-preremplie")
    assert page.locator("input[name=nom]").input_value() == "DUBOIS"
    assert page.locator("input[name=prenom]").input_value() == "Angela"
    assert page.locator("input[name=civilite][value=Mme]").is_checked()

    # And a second FranceConnect login reuses the same account
    page.context.clear_cookies()
    page.goto(f"{live_url}/comptes/login/")
    page.get_by_role("button", name=BOUTON).click()
    _login_on_provider(page, franceconnect)
    page.wait_for_url(lambda url: url.startswith(live_url) and "/comptes/" not in url)
    assert User.objects.filter(email=FC_EMAIL).count() == 1
    assert SocialAccount.objects.filter(provider="franceconnect").count() == 1


def test_existing_account_is_linked_only_after_its_password(page, live_url, check_page, franceconnect, db):
    # Given an account already opened with the e-mail FranceConnect will give
    existing = factories.UserFactory(email=FC_EMAIL)

    # When the person logs in with FranceConnect
    page.goto(f"{live_url}/comptes/login/?next=/dossiers/")
    check_page("connexion")
    page.get_by_role("button", name=BOUTON).click()
    _login_on_provider(page, franceconnect)

    # Then nothing is merged yet: she is asked to confirm that the account is hers
    page.wait_for_url(f"{live_url}{reverse('compte_fusion')}")
    check_page("compte-existant")
    assert page.get_by_role("heading", level=1).inner_text() == "Un compte existe déjà avec cette adresse"
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == 1

    # When she types a wrong password, she sees the error, and still nothing is linked
    page.get_by_label("Mot de passe de votre compte").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Confirmer et lier mes comptes").click()
    error = page.locator("#id_password-error")
    error.wait_for()
    check_page("compte-existant-erreur")
    assert "Ce mot de passe n'est pas celui du compte" in error.inner_text()
    assert page.get_by_label("Mot de passe de votre compte").get_attribute("aria-invalid") == "true"
    assert not SocialAccount.objects.exists()

    # When she types the account's password
    page.get_by_label("Mot de passe de votre compte").fill(factories.PASSWORD)
    page.get_by_role("button", name="Confirmer et lier mes comptes").click()

    # Then the FranceConnect identity is linked to the existing account, she is logged in and sent to `next`
    page.wait_for_url(f"{live_url}/dossiers/**")
    check_page("mes-dossiers")
    account = SocialAccount.objects.get(provider="franceconnect", uid=FC_SUB)
    assert account.user_id == existing.pk
    assert account.extra_data["userinfo"]["family_name"] == "DUBOIS"
    assert User.objects.count() == 1

    # And the next FranceConnect login goes straight in
    page.context.clear_cookies()
    page.goto(f"{live_url}/comptes/login/")
    page.get_by_role("button", name=BOUTON).click()
    _login_on_provider(page, franceconnect)
    page.wait_for_url(lambda url: url.startswith(live_url) and "/comptes/" not in url)
    assert page.url != f"{live_url}{reverse('compte_fusion')}"


# The button --------------------------------------------------------------------------------------------------------


def test_no_button_without_issuer(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    for url in (reverse("account_login"), reverse("account_signup")):
        assert "fr-connect" not in client.get(url).content.decode()


def test_button_on_login_signup_and_commencer(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = _oidc_settings("http://127.0.0.1:9/")
    procedure = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    action = reverse("openid_connect_login", kwargs={"provider_id": "franceconnect"})
    for url, next_url in (
        (reverse("account_login") + "?next=/dossiers/", "/dossiers/"),
        (reverse("account_signup"), None),
        (f"/commencer/{procedure.path}", f"/commencer/{procedure.path}"),
    ):
        html = client.get(url).content.decode()
        assert f'<form method="post" action="{action}" class="fr-connect-group">' in html, url
        assert '<span class="fr-connect__brand">FranceConnect</span>' in html
        assert "ProConnect" not in html
        if next_url:
            assert f'<input type="hidden" name="next" value="{next_url}">' in html


def test_proconnect_button_when_configured(client, db, settings):
    apps = _oidc_settings("http://127.0.0.1:9/")["openid_connect"]["APPS"]
    pro = {**apps[0], "provider_id": "proconnect", "name": "ProConnect"}
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [pro]}}
    html = client.get(reverse("account_login")).content.decode()
    assert '<span class="fr-connect__brand">ProConnect</span>' in html and ">FranceConnect</span>" not in html


# Confirmation by password and by e-mail link, through the views ----------------------------------------------------


@pytest.fixture
def pending_fusion(client, db):
    """A person came back from FranceConnect with the e-mail of an existing account (what the adapter stores)."""
    existing = factories.UserFactory(email=FC_EMAIL)
    session = client.session
    session[social.PENDING_FUSION_SESSION_KEY] = {
        "user": existing.pk, "provider": "franceconnect", "uid": FC_SUB, "email": FC_EMAIL,
        "extra_data": {"userinfo": FC_CLAIMS}, "next": "/dossiers/",
    }
    session.save()
    return existing


def test_fusion_page_without_pending_login_goes_back_to_login(client, db):
    response = client.get(reverse("compte_fusion"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")


def test_wrong_password_counts_as_a_failed_login(client, pending_fusion):
    response = client.post(reverse("compte_fusion"), {"action": "mot_de_passe", "password": "pas-le-bon"})
    assert response.status_code == 200
    assert "Ce mot de passe n&#x27;est pas celui du compte" in response.content.decode()
    pending_fusion.refresh_from_db()
    assert pending_fusion.failed_login_attempts == 1
    assert not SocialAccount.objects.exists() and "_auth_user_id" not in client.session


def test_password_links_and_logs_in(client, pending_fusion):
    EmailAddress.objects.filter(user=pending_fusion).update(verified=False)
    response = client.post(reverse("compte_fusion"), {"action": "mot_de_passe", "password": factories.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dossiers/"
    assert client.session["_auth_user_id"] == str(pending_fusion.pk)
    assert SocialAccount.objects.get(uid=FC_SUB).user == pending_fusion
    # FranceConnect vouches for the address and its owner confirmed: it is now verified.
    assert EmailAddress.objects.get(user=pending_fusion).verified
    assert social.PENDING_FUSION_SESSION_KEY not in client.session


def _ask_link(client, mailoutbox, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("compte_fusion"), {"action": "email"})
    assert response.status_code == 200 and "Lien de confirmation envoyé" in response.content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [FC_EMAIL] and "FranceConnect" in mail.subject and "15 minutes" in mail.body
    url = next(line.strip() for line in mail.body.splitlines() if "/comptes/franceconnect/compte-existant/" in line)
    return re.sub(r"^https?://[^/]+", "", url)


def test_email_link_links_after_a_click(client, pending_fusion, mailoutbox, django_capture_on_commit_callbacks):
    # When she asks for a link instead of typing her password
    link = _ask_link(client, mailoutbox, django_capture_on_commit_callbacks)
    assert not SocialAccount.objects.exists()

    # Then opening the link only shows a button (mail scanners open links too)
    page = client.get(link)
    assert page.status_code == 200 and "Lier mes comptes et me connecter" in page.content.decode()
    assert not SocialAccount.objects.exists()

    # And clicking it links the identity, with its data, logs her in and sends her to `next`
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == "/dossiers/"
    account = SocialAccount.objects.get(uid=FC_SUB)
    assert account.user == pending_fusion and account.extra_data["userinfo"]["given_name"] == "Angela Claire Louise"
    assert client.session["_auth_user_id"] == str(pending_fusion.pk)

    # And the link works only once
    again = client.post(link)
    assert again.status_code == 404 and "Lien de confirmation expiré" in again.content.decode()


def test_email_link_is_sent_at_most_once_a_minute(
    client, pending_fusion, mailoutbox, django_capture_on_commit_callbacks
):
    _ask_link(client, mailoutbox, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("compte_fusion"), {"action": "email"})
    assert response.status_code == 200 and len(mailoutbox) == 1


def test_email_link_opened_in_another_browser(client, pending_fusion, mailoutbox, django_capture_on_commit_callbacks):
    from django.test import Client

    link = _ask_link(client, mailoutbox, django_capture_on_commit_callbacks)
    other = Client()
    response = other.post(link)
    assert response.status_code == 302
    assert SocialAccount.objects.get(uid=FC_SUB).user == pending_fusion
    assert other.session["_auth_user_id"] == str(pending_fusion.pk)


def test_email_link_is_valid_15_minutes(client, pending_fusion):
    pending = social.FusionEnAttente(
        user=pending_fusion, provider="franceconnect", uid=FC_SUB, email=FC_EMAIL, extra_data={}, next_url="/"
    )
    now = time.time()
    with mock.patch("time.time", return_value=now - 14 * 60):
        fresh = social.fusion_token_make(pending)
    with mock.patch("time.time", return_value=now - 16 * 60):
        stale = social.fusion_token_make(pending)

    assert client.get(reverse("compte_fusion_lien", args=[fresh])).status_code == 200
    expired = client.post(reverse("compte_fusion_lien", args=[stale]))
    assert expired.status_code == 404 and "Lien de confirmation expiré" in expired.content.decode()
    forged = client.post(reverse("compte_fusion_lien", args=[fresh[:-2] + "xx"]))
    assert forged.status_code == 404
    assert not SocialAccount.objects.exists()


def test_email_link_refused_when_identity_belongs_to_another_account(client, pending_fusion):
    other = factories.UserFactory()
    SocialAccount.objects.create(user=other, provider="franceconnect", uid=FC_SUB, extra_data={})
    pending = social.FusionEnAttente(
        user=pending_fusion, provider="franceconnect", uid=FC_SUB, email=FC_EMAIL, extra_data={}, next_url="/"
    )
    response = client.post(reverse("compte_fusion_lien", args=[social.fusion_token_make(pending)]))
    assert response.status_code == 409 and "déjà liée à un autre compte" in response.content.decode()
    assert "_auth_user_id" not in client.session


# Identity ---------------------------------------------------------------------------------------------------------


def test_identite_from_franceconnect(db):
    user = factories.UserFactory()
    assert social.franceconnect_identite(user) is None
    SocialAccount.objects.create(user=user, provider="franceconnect", uid=FC_SUB, extra_data={"userinfo": FC_CLAIMS})
    identite = social.franceconnect_identite(user)
    assert (identite.nom, identite.prenom, identite.civilite) == ("DUBOIS", "Angela", "Mme")
    assert identite.date_de_naissance.isoformat() == "1962-08-24"
    # What the usager already typed wins over FranceConnect.
    assert social.identite_preremplir(user, {"civilite": "", "nom": "Durand", "prenom": ""}) == {
        "civilite": "Mme", "nom": "Durand", "prenom": "Angela",
    }


def test_next_outside_the_site_is_ignored(client, pending_fusion):
    session = client.session
    session[social.PENDING_FUSION_SESSION_KEY] = {
        **session[social.PENDING_FUSION_SESSION_KEY], "next": "https://ailleurs.example/piege",
    }
    session.save()
    response = client.post(reverse("compte_fusion"), {"action": "mot_de_passe", "password": factories.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
