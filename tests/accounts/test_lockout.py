"""Six wrong passwords in a row lock the account for an hour; an e-mailed link unlocks it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from demarches.accounts import services, tokens
from demarches.accounts.models import User
from demarches.audit.models import OperationLog
from tests import factories

from .conftest import is_logged_in, link_in

LOCK_SUBJECT = "Votre compte est verrouillé"


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def fail(client, user, times):
    for _ in range(times):
        response = login(client, user.email, "mauvais-mot-de-passe")
        assert not is_logged_in(client)
    return response


def lock_mails(mailoutbox):
    return [m for m in mailoutbox if m.subject == LOCK_SUBJECT]


def test_six_wrong_passwords_lock_the_account_for_an_hour(client, usager, password, mailoutbox, send_mails):
    # Given five wrong passwords: the account is not locked yet
    with send_mails():
        page = fail(client, usager, 5).content.decode()
    assert "L&#x27;adresse électronique ou le mot de passe est incorrect." in page
    usager.refresh_from_db()
    assert usager.failed_login_attempts == 5 and usager.locked_at is None
    assert mailoutbox == []

    # When a sixth wrong password is typed
    with send_mails():
        page = fail(client, usager, 1).content.decode()

    # Then the account is locked, the person is told so, and one e-mail with an unlock link is sent
    usager.refresh_from_db()
    assert usager.locked_at is not None
    assert "Votre compte est verrouillé après 6 tentatives de connexion infructueuses" in page
    assert "un e-mail contenant un lien pour le déverrouiller" in page
    assert len(lock_mails(mailoutbox)) == 1
    assert "/comptes/deverrouiller/" in mailoutbox[0].body
    assert (
        OperationLog.objects.filter(operation=services.OPERATION_COMPTE_VERROUILLER, data__user_id=usager.pk).count()
        == 1
    )

    # And even the right password is refused, without sending the e-mail again
    with send_mails():
        page = login(client, usager.email, password).content.decode()
        fail(client, usager, 3)
    assert not is_logged_in(client)
    assert "Votre compte est verrouillé" in page
    assert len(lock_mails(mailoutbox)) == 1

    # And the super-admin login is refused as well
    assert client.login(username=usager.email, password=password) is False


def test_unlock_link_unlocks_the_account(client, usager, password, mailoutbox, send_mails):
    # Given a locked account and its e-mail
    with send_mails():
        fail(client, usager, 6)
    link = link_in(lock_mails(mailoutbox)[0], path_contains="/comptes/deverrouiller/")

    # When the person opens the unlock link
    page = client.get(link).content.decode()

    # Then the account is unlocked, the failures forgotten, and the right password opens it
    assert "<h1>Compte déverrouillé</h1>" in page
    usager.refresh_from_db()
    assert usager.locked_at is None and usager.failed_login_attempts == 0
    assert OperationLog.objects.filter(operation=services.OPERATION_COMPTE_DEVERROUILLER).count() == 1
    assert login(client, usager.email, password)["Location"] == "/"
    assert is_logged_in(client, usager)

    # And the link does not work a second time
    assert "Lien de déverrouillage expiré" in client.get(link).content.decode()


def test_unlock_link_is_refused_when_forged_or_meant_for_an_earlier_lock(client, usager):
    # Given a locked account and its unlock token
    services.compte_verrouiller(user=usager)
    usager.refresh_from_db()
    token = tokens.unlock_token_make(usager)

    # A tampered token is refused
    page = client.get(reverse("compte_deverrouiller", args=[token + "x"])).content.decode()
    assert "Lien de déverrouillage expiré" in page

    # The token of a previous lock does not open a newer one
    services.compte_deverrouiller(user=usager)
    services.compte_verrouiller(user=usager)
    assert tokens.unlock_token_user(token) is None
    usager.refresh_from_db()
    assert usager.locked_at is not None


def test_expired_unlock_token(usager, monkeypatch):
    services.compte_verrouiller(user=usager)
    usager.refresh_from_db()
    token = tokens.unlock_token_make(usager)
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr("django.core.signing.time.time", lambda: later.timestamp())
    assert tokens.unlock_token_user(token) is None


def test_lock_expires_after_an_hour(client, usager, password, send_mails):
    # Given an account locked 61 minutes ago
    with send_mails():
        fail(client, usager, 6)
    User.objects.filter(pk=usager.pk).update(locked_at=timezone.now() - timedelta(minutes=61))

    # When the person logs in with the right password
    response = login(client, usager.email, password)

    # Then it works and the counter starts again from zero
    assert response["Location"] == "/" and is_logged_in(client, usager)
    usager.refresh_from_db()
    assert usager.locked_at is None and usager.failed_login_attempts == 0


def test_lock_still_holds_after_59_minutes(client, usager, password, send_mails):
    with send_mails():
        fail(client, usager, 6)
    User.objects.filter(pk=usager.pk).update(locked_at=timezone.now() - timedelta(minutes=59))
    assert "Votre compte est verrouillé" in login(client, usager.email, password).content.decode()
    assert not is_logged_in(client)


def test_a_wrong_password_after_an_expired_lock_counts_from_one(client, usager, send_mails):
    with send_mails():
        fail(client, usager, 6)
    User.objects.filter(pk=usager.pk).update(locked_at=timezone.now() - timedelta(minutes=61))
    fail(client, usager, 1)
    usager.refresh_from_db()
    assert usager.locked_at is None and usager.failed_login_attempts == 1


def test_successful_login_resets_the_counter(client, usager, password, mailoutbox, send_mails):
    # Given five wrong passwords, then the right one
    fail(client, usager, 5)
    login(client, usager.email, password)
    usager.refresh_from_db()
    assert usager.failed_login_attempts == 0
    client.logout()

    # When five more wrong passwords are typed
    with send_mails():
        fail(client, usager, 5)

    # Then the account is still open
    usager.refresh_from_db()
    assert usager.locked_at is None and usager.failed_login_attempts == 5
    assert mailoutbox == []


def test_the_limit_and_duration_come_from_the_settings(client, usager, settings, send_mails, mailoutbox):
    settings.ACCOUNT_MAX_FAILED_LOGINS = 3
    settings.ACCOUNT_LOCK_DURATION_MINUTES = 15
    with send_mails():
        page = fail(client, usager, 3).content.decode()
    assert "après 3 tentatives" in page
    assert "verrouillé pour 15 minutes" in lock_mails(mailoutbox)[0].body


def test_password_reset_unlocks_the_account(client, usager, mailoutbox, send_mails):
    # Given a locked account
    with send_mails():
        fail(client, usager, 6)

    # When the person chooses a new password through « Mot de passe oublié ? »
    with send_mails():
        client.post(reverse("account_reset_password"), {"email": usager.email})
    reset_mail = next(m for m in mailoutbox if m.subject == "Changement de votre mot de passe")
    form_url = client.get(link_in(reset_mail, path_contains="/password/reset/key/"))["Location"]
    client.post(form_url, {"password1": "Cheval-Lampe-Nuage-2027", "password2": "Cheval-Lampe-Nuage-2027"})

    # Then the account is unlocked and the new password works
    usager.refresh_from_db()
    assert usager.locked_at is None and usager.failed_login_attempts == 0
    assert login(client, usager.email, "Cheval-Lampe-Nuage-2027")["Location"] == "/"


def test_unknown_addresses_are_not_counted(client, db):
    for _ in range(8):
        page = login(client, "personne@exemple.fr", "mauvais-mot-de-passe").content.decode()
    assert "L&#x27;adresse électronique ou le mot de passe est incorrect." in page


@pytest.mark.parametrize("attempts", [1, 6])
def test_failures_of_one_account_do_not_lock_another(client, usager, attempts, send_mails):
    other = factories.UserFactory()
    with send_mails():
        fail(client, usager, attempts)
    other.refresh_from_db()
    assert other.failed_login_attempts == 0 and other.locked_at is None
