"""« Mot de passe oublié ? »: e-mail « Changement de votre mot de passe », new password, login with it."""

from django.urls import reverse

from tests import factories

from .conftest import is_logged_in, link_in

NEW_PASSWORD = "Cheval-Lampe-Nuage-2027"


def test_password_reset_full_flow(client, usager, mailoutbox, send_mails):
    # Given the « Mot de passe oublié » page
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "<h1>Mot de passe oublié</h1>" in page

    # When the person asks for a link
    with send_mails():
        response = client.post(reverse("account_reset_password"), {"email": usager.email})

    # Then she is told to check her mailbox, and gets « Changement de votre mot de passe »
    assert response["Location"] == reverse("account_reset_password_done")
    assert "Vérifiez votre messagerie" in client.get(response["Location"]).content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "Changement de votre mot de passe" and mail.to == [usager.email]

    # When she follows the link (allauth moves the key into the session and redirects)
    link = link_in(mail, path_contains="/comptes/password/reset/key/")
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url).content.decode()
    assert "<h1>Choisissez un nouveau mot de passe</h1>" in page
    assert 'data-password-strength="id_password1-strength"' in page

    # A weak password is refused
    page = client.post(form_url, {"password1": "azerty123456", "password2": "azerty123456"}).content.decode()
    assert "Ce mot de passe est trop facile à deviner" in page

    # And a strong one is saved
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert "<h1>Mot de passe changé</h1>" in client.get(response["Location"]).content.decode()

    # Then the new password opens the account, the old one no longer does
    response = client.post(reverse("account_login"), {"login": usager.email, "password": factories.PASSWORD})
    assert response.status_code == 200 and not is_logged_in(client)
    response = client.post(reverse("account_login"), {"login": usager.email, "password": NEW_PASSWORD})
    assert response["Location"] == "/" and is_logged_in(client, usager)

    # And the link cannot be used twice
    response = client.get(link, follow=True)
    assert "Lien expiré" in response.content.decode()


def test_password_reset_for_an_unknown_address_does_not_reveal_it(client, db, mailoutbox, send_mails):
    with send_mails():
        response = client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.fr"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Changement de votre mot de passe"
    assert "aucun compte n'est associé à cette adresse" in mailoutbox[0].body
