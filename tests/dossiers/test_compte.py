"""Mon compte: change of e-mail confirmed on the new address, change of password, deletion refused while a
dossier is en instruction."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from demarches.core.models import OutgoingEmail
from demarches.dossiers.models import Dossier
from tests import factories

S = Dossier.State


@pytest.fixture
def compte(db):
    user = factories.UserFactory(email="ancienne@exemple.fr")
    user.set_password("Un-mot-de-passe-solide-42")
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def test_a_new_email_replaces_the_old_one_only_once_confirmed_on_the_new_address(client, compte, settings, run_on_commit):
    settings.ACCOUNT_CHANGE_EMAIL = True  # see the report: to be set in settings/base.py
    client.force_login(compte)
    mail.outbox.clear()
    response = client.post(reverse("account_email"), {"action_add": "", "email": "nouvelle@exemple.fr"})
    assert response.status_code == 302
    compte.refresh_from_db()
    # not yet: the old address is still the account's
    assert compte.email == "ancienne@exemple.fr"
    # the confirmation goes to the new address
    # (the accounts app records its e-mails as OutgoingEmail, like every other e-mail)
    bodies = [m.body for m in mail.outbox if "nouvelle@exemple.fr" in m.to] + list(
        OutgoingEmail.objects.filter(to="nouvelle@exemple.fr").values_list("body", flat=True)
    )
    assert bodies, "no confirmation e-mail to the new address"
    url = re.search(r"(/[^\s]*confirm[^\s]*)", bodies[-1]).group(1)
    client.post(url)
    compte.refresh_from_db()
    assert compte.email == "nouvelle@exemple.fr"
    assert not EmailAddress.objects.filter(user=compte, email="ancienne@exemple.fr").exists()


def test_change_password(client, compte):
    client.force_login(compte)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "Un-mot-de-passe-solide-42", "password1": "Autre-phrase-secrete-2026!", "password2": "Autre-phrase-secrete-2026!"},
    )
    assert response.status_code == 302
    compte.refresh_from_db()
    assert compte.check_password("Autre-phrase-secrete-2026!")


def test_change_password_with_a_wrong_current_password_changes_nothing(client, compte):
    client.force_login(compte)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": "faux", "password1": "Autre-phrase-secrete-2026!", "password2": "Autre-phrase-secrete-2026!"},
    )
    compte.refresh_from_db()
    assert compte.check_password("Un-mot-de-passe-solide-42")


def test_delete_refused_while_en_instruction_then_allowed_after_the_decision(client, compte, procedure):
    dossier = factories.dossier_creer(procedure=procedure, user=compte, state=S.EN_INSTRUCTION)
    client.force_login(compte)
    client.post(reverse("dossiers:profil"), {"confirmation": "on"})
    compte.refresh_from_db()
    assert compte.is_active
    Dossier.objects.filter(pk=dossier.pk).update(state=S.ACCEPTE)
    client.post(reverse("dossiers:profil"), {"confirmation": "on"})
    compte.refresh_from_db()
    assert not compte.is_active
