"""Creating an account: e-mail « Activez votre compte », confirmation, password rules, resending the e-mail."""

from allauth.account.models import EmailAddress
from django.urls import reverse

from demarches.accounts.models import User
from demarches.core.models import OutgoingEmail
from tests import factories

from .conftest import is_logged_in, link_in

STRONG = "Jardin-Tulipe-Orage-58"


def test_signup_sends_activation_email_whose_link_confirms_and_logs_in(client, db, mailoutbox, send_mails):
    # Given the signup page
    page = client.get(reverse("account_signup")).content.decode()
    assert "<h1>Créer un compte</h1>" in page and 'data-password-strength="id_password1-strength"' in page

    # When someone signs up
    with send_mails():
        response = client.post(reverse("account_signup"), {"email": "Claire.Martin@Exemple.fr", "password1": STRONG})

    # Then the account exists, unconfirmed, and the person is told to check the mailbox
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="claire.martin@exemple.fr")
    assert not EmailAddress.objects.get(user=user).verified
    assert not is_logged_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "Activez votre compte" in page and "claire.martin@exemple.fr" in page
    assert "Renvoyer l’e-mail d’activation" in page

    # And the e-mail « Activez votre compte » was recorded and delivered by the background job
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "Activez votre compte" and mail.to == ["claire.martin@exemple.fr"]
    assert OutgoingEmail.objects.get(kind="compte_activation").status == OutgoingEmail.Status.SENT

    # When the person opens the link then confirms
    link = link_in(mail, path_contains="/comptes/confirm-email/")
    page = client.get(link).content.decode()
    assert "Activer mon compte" in page
    response = client.post(link)

    # Then the address is verified and the person is logged in, sent to the home page (which redirects by profile)
    assert response.status_code == 302 and response["Location"] == "/"
    assert EmailAddress.objects.get(user=user).verified
    assert is_logged_in(client, user)
    assert client.get("/")["Location"] == reverse("dossiers:index")


def test_invalid_activation_link(client, db):
    page = client.get(reverse("account_confirm_email", args=["pas-une-vraie-cle"])).content.decode()
    assert "Ce lien d’activation n’est plus valable" in page


def test_too_weak_password_is_rejected_and_email_kept(client, db, mailoutbox):
    # When someone signs up with a long but guessable password
    response = client.post(reverse("account_signup"), {"email": "paul@exemple.fr", "password1": "azerty123456"})

    # Then the form comes back with the error next to the password and the typed e-mail kept
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce mot de passe est trop facile à deviner" in page
    assert 'value="paul@exemple.fr"' in page
    assert (
        'aria-describedby="id_password1-hint id_password1-error id_password1-messages id_password1-strength-text"'
        in page
    )
    assert '<div id="id_password1-error"><p class="fr-error-text">' in page
    assert 'aria-invalid="true"' in page and "fr-input-group--error" in page
    assert 'value="azerty123456"' not in page
    assert not User.objects.exists() and not mailoutbox


def test_too_short_password_is_rejected(client, db):
    response = client.post(reverse("account_signup"), {"email": "paul@exemple.fr", "password1": "Court-1!"})
    page = response.content.decode()
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in page
    assert 'value="paul@exemple.fr"' in page
    assert not User.objects.exists()


def test_invalid_email_is_rejected_with_the_typed_value_kept(client, db):
    response = client.post(reverse("account_signup"), {"email": "paul-at-exemple", "password1": STRONG})
    page = response.content.decode()
    assert 'value="paul-at-exemple"' in page
    assert 'aria-describedby="id_email-hint id_email-error"' in page
    assert not User.objects.exists()


def test_signup_with_an_existing_address_does_not_reveal_it_but_warns_the_owner(client, db, mailoutbox, send_mails):
    # Given an account
    user = factories.UserFactory(email="deja@exemple.fr")

    # When someone signs up again with its address
    with send_mails():
        response = client.post(reverse("account_signup"), {"email": "deja@exemple.fr", "password1": STRONG})

    # Then the page looks the same as for a new account, and the owner gets an e-mail instead
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="deja@exemple.fr").count() == 1 and user.check_password(factories.PASSWORD)
    assert [m.subject for m in mailoutbox] == ["Vous avez déjà un compte"]
    assert "/comptes/password/reset/" in mailoutbox[0].body


def test_resend_activation_email(client, db, mailoutbox, send_mails):
    # Given an account not yet confirmed
    user = factories.UserFactory(email="lent@exemple.fr", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    # When the person asks for the e-mail again
    page = client.get(reverse("account_resend_confirmation")).content.decode()
    assert "<h1>Renvoyer l’e-mail d’activation</h1>" in page
    with send_mails():
        response = client.post(reverse("account_resend_confirmation"), {"email": "Lent@Exemple.fr"})

    # Then a new « Activez votre compte » arrives, whose link activates the account
    assert response["Location"] == reverse("account_email_verification_sent")
    assert (
        "un nouvel e-mail « Activez votre compte » vient de lui être envoyé"
        in client.get(response["Location"]).content.decode()
    )
    assert [m.subject for m in mailoutbox] == ["Activez votre compte"]
    client.post(link_in(mailoutbox[0], path_contains="/comptes/confirm-email/"))
    assert EmailAddress.objects.get(user=user).verified

    # And asking again right away sends nothing more
    with send_mails():
        response = client.post(reverse("account_resend_confirmation"), {"email": "lent@exemple.fr"})
    assert "Patientez quelques minutes" in client.get(response["Location"]).content.decode()
    assert len(mailoutbox) == 1


def test_resend_for_an_unknown_address_answers_the_same_and_sends_nothing(client, db, mailoutbox, send_mails):
    with send_mails():
        response = client.post(reverse("account_resend_confirmation"), {"email": "personne@exemple.fr"})
    assert (
        "un nouvel e-mail « Activez votre compte » vient de lui être envoyé"
        in client.get(response["Location"]).content.decode()
    )
    assert mailoutbox == []


def test_resend_right_after_signup_offers_the_signup_address(client, db, send_mails):
    with send_mails():
        client.post(reverse("account_signup"), {"email": "nouvelle@exemple.fr", "password1": STRONG})
    page = client.get(reverse("account_email_verification_sent")).content.decode()
    assert 'name="email" value="nouvelle@exemple.fr"' in page


def test_unconfirmed_account_cannot_log_in(client, db, mailoutbox, send_mails):
    # Given an account whose address was never confirmed
    user = factories.UserFactory(email="pas-confirme@exemple.fr", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    # When the person logs in with the right password
    with send_mails():
        response = client.post(reverse("account_login"), {"login": user.email, "password": factories.PASSWORD})

    # Then the login stops at the « Activez votre compte » page, and a new activation e-mail is sent
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert [m.subject for m in mailoutbox] == ["Activez votre compte"]
