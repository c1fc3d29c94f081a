"""Agents confirm each new browser with an e-mailed « connexion sécurisée » link; the browser is then trusted a month."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demarches.accounts import appareils
from demarches.accounts.models import JetonConnexion

from .conftest import is_logged_in, link_in

SUBJECT = "Connexion sécurisée à Démarches"


@pytest.fixture(autouse=True)
def _trusted_devices_on(settings):
    settings.TRUSTED_DEVICE_ENABLED = True


def login(client, user, password):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def securite_mails(mailoutbox):
    return [m for m in mailoutbox if "Connexion sécurisée" in m.subject or "connexion sécurisée" in m.subject]


def test_new_browser_of_an_instructeur_waits_for_the_emailed_link(
    client, instructeur, procedure, password, mailoutbox, send_mails
):
    # Given an instructeur who logs in from a browser never seen before
    login(client, instructeur.user, password)
    assert is_logged_in(client, instructeur.user)

    # When he opens his dossiers
    with send_mails():
        response = client.get(reverse("instruction:procedures"), follow=True)

    # Then he is asked to check his mailbox, and one link is sent
    assert response.redirect_chain[-1][0].startswith(reverse("verification_appareil"))
    assert "Vérifiez votre navigateur" in response.content.decode()
    mails = securite_mails(mailoutbox)
    assert len(mails) == 1 and mails[0].to == [instructeur.user.email]
    assert mails[0].subject.startswith("Connexion sécurisée")

    # And reloading the page does not send another e-mail within 15 minutes
    with send_mails():
        client.get(reverse("verification_appareil"))
        client.post(reverse("verification_appareil"))
    assert len(securite_mails(mailoutbox)) == 1

    # When he follows the link in the same browser
    response = client.get(link_in(mails[0], path_contains="/connexion-securisee/"))

    # Then he lands on the page he wanted and the browser is trusted
    assert response.status_code == 302 and response.url == reverse("instruction:procedures")
    assert appareils.COOKIE_NAME in response.cookies
    assert client.get(reverse("instruction:procedures")).status_code == 200


def test_trusted_browser_is_not_asked_again_at_next_login(client, instructeur, procedure, password, mailoutbox, send_mails):
    login(client, instructeur.user, password)
    with send_mails():
        client.get(reverse("instruction:procedures"), follow=True)
    client.get(link_in(securite_mails(mailoutbox)[0], path_contains="/connexion-securisee/"))
    client.post(reverse("account_logout"))

    login(client, instructeur.user, password)

    assert client.get(reverse("instruction:procedures")).status_code == 200
    assert len(securite_mails(mailoutbox)) == 1


def test_another_browser_of_the_same_agent_is_not_trusted(client, instructeur, procedure, password, mailoutbox, send_mails):
    login(client, instructeur.user, password)
    with send_mails():
        client.get(reverse("instruction:procedures"), follow=True)
    client.get(link_in(securite_mails(mailoutbox)[0], path_contains="/connexion-securisee/"))

    other_browser = Client()
    login(other_browser, instructeur.user, password)

    assert other_browser.get(reverse("instruction:procedures")).status_code == 302


def test_link_is_single_use_and_expires_after_a_week(client, instructeur, procedure, password, mailoutbox, send_mails):
    login(client, instructeur.user, password)
    with send_mails():
        client.get(reverse("instruction:procedures"), follow=True)
    link = link_in(securite_mails(mailoutbox)[0], path_contains="/connexion-securisee/")

    JetonConnexion.objects.update(created_at=timezone.now() - timedelta(days=8))
    response = Client().get(link)
    assert response.status_code == 410
    assert "plus valable" in response.content.decode()

    JetonConnexion.objects.update(created_at=timezone.now())
    assert client.get(link).status_code == 302
    assert Client().get(link).status_code == 410


def test_link_opened_while_logged_in_as_someone_else_is_refused(
    client, instructeur, administrateur, procedure, password, mailoutbox, send_mails
):
    with send_mails():
        appareils.lien_envoyer(instructeur.user)
    login(client, administrateur.user, password)

    response = client.get(link_in(securite_mails(mailoutbox)[0], path_contains="/connexion-securisee/"))

    assert response.status_code == 403
    assert is_logged_in(client, administrateur.user)


def test_link_carries_the_wanted_page_but_never_an_outside_address(
    client, instructeur, procedure, password, mailoutbox, send_mails
):
    login(client, instructeur.user, password)
    wanted = reverse("instruction:procedure", args=[procedure.pk])
    with send_mails():
        client.get(wanted, follow=True)
    assert client.get(link_in(securite_mails(mailoutbox)[0], path_contains="/connexion-securisee/")).url == wanted

    assert appareils.lien_suivant("forged") == ""


def test_usager_pages_are_not_concerned(client, instructeur, procedure, password, mailoutbox):
    # An agent filing his own dossiers as a citizen is not stopped: only agent pages wait for the link.
    login(client, instructeur.user, password)

    response = client.get(reverse("dossiers:index"))

    assert response.status_code == 200
    assert mailoutbox == []


def test_renewal_link_is_emailed_a_week_before_trust_ends_once(instructeur, mailoutbox, send_mails):
    with send_mails():
        jeton = appareils.lien_envoyer(instructeur.user)
    now = timezone.now()
    JetonConnexion.objects.filter(pk=jeton.pk).update(used_at=now - timedelta(days=24))
    mailoutbox.clear()

    with send_mails():
        assert appareils.renouvellements_envoyer(now=now) == 1
        assert appareils.renouvellements_envoyer(now=now) == 0

    assert len(mailoutbox) == 1 and mailoutbox[0].subject.startswith("Renouvelez la connexion sécurisée")


def test_disabled_setting_lets_agents_through(client, instructeur, procedure, password, settings):
    settings.TRUSTED_DEVICE_ENABLED = False
    login(client, instructeur.user, password)
    assert client.get(reverse("instruction:procedures")).status_code == 200
