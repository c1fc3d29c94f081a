"""Super-admin (/super-admin/): accounts, lock state and the unlock action, profiles."""

import pytest
from django.urls import reverse

from demarches.accounts import services
from demarches.accounts.models import Administrateur, Instructeur, User
from tests import factories


@pytest.fixture
def super_admin(client, db):
    user = factories.UserFactory(email="super@exemple.fr", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_admin_lives_at_super_admin():
    assert reverse("admin:index") == "/super-admin/"


def test_user_list_search_and_lock_state(client, super_admin):
    # Given a locked account and another one
    locked = factories.UserFactory(email="bloque@exemple.fr")
    services.compte_verrouiller(user=locked)
    factories.UserFactory(email="libre@exemple.fr")

    # When the super-admin searches by e-mail and filters the locked accounts
    page = client.get(reverse("admin:accounts_user_changelist"), {"q": "bloque"}).content.decode()
    assert "bloque@exemple.fr" in page and "libre@exemple.fr" not in page
    page = client.get(reverse("admin:accounts_user_changelist"), {"verrouille": "oui"}).content.decode()

    # Then only the locked account is listed
    assert "bloque@exemple.fr" in page and "libre@exemple.fr" not in page


def test_unlock_action(client, super_admin):
    # Given a locked account
    locked = factories.UserFactory(email="bloque@exemple.fr")
    services.compte_verrouiller(user=locked)

    # When the super-admin runs « Déverrouiller les comptes sélectionnés »
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deverrouiller", "_selected_action": [locked.pk]},
        follow=True,
    )

    # Then the account is unlocked
    assert "1 compte(s) déverrouillé(s)." in response.content.decode()
    locked.refresh_from_db()
    assert locked.locked_at is None and locked.failed_login_attempts == 0


def test_change_page_shows_profiles_inline(client, super_admin, instructeur):
    page = client.get(reverse("admin:accounts_user_change", args=[instructeur.user.pk])).content.decode()
    assert "Profil instructeur" in page and "Profil administrateur" in page and "Profil expert" in page


def test_super_admin_creates_an_account(client, super_admin):
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "agent@exemple.fr",
            "password1": "Jardin-Tulipe-Orage-58",
            "password2": "Jardin-Tulipe-Orage-58",
            "usable_password": "true",
            "instructeur-TOTAL_FORMS": "0",
            "instructeur-INITIAL_FORMS": "0",
            "administrateur-TOTAL_FORMS": "0",
            "administrateur-INITIAL_FORMS": "0",
            "expert-TOTAL_FORMS": "0",
            "expert-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(email="agent@exemple.fr").check_password("Jardin-Tulipe-Orage-58")


@pytest.mark.parametrize("model", ["instructeur", "administrateur", "expert"])
def test_profile_lists(client, super_admin, model, instructeur, administrateur):
    factories.ExpertFactory()
    response = client.get(reverse(f"admin:accounts_{model}_changelist"), {"q": "exemple.fr"})
    assert response.status_code == 200


def test_super_admin_adds_a_profile(client, super_admin, usager):
    response = client.post(reverse("admin:accounts_administrateur_add"), {"user": usager.pk})
    assert response.status_code == 302
    assert Administrateur.objects.filter(user=usager).exists() and not Instructeur.objects.filter(user=usager).exists()


def test_admin_is_for_staff_only(client, usager):
    client.force_login(usager)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302 and "/super-admin/login/" in response["Location"]
