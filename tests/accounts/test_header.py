"""The header: « Se connecter » / « Créer un compte » when logged out, the profile switcher when logged in."""

import re

from django.test import RequestFactory
from django.urls import resolve, reverse

from demarches.accounts.context_processors import profiles
from tests import factories


def header(client, path=None):
    page = client.get(path or reverse("account_change_password")).content.decode()
    return page[page.index('<header role="banner"') : page.index("</header>")]


def menu_links(html):
    return re.findall(
        r'<a class="fr-translate__language fr-nav__link" href="([^"]+)"( aria-current="true")?>([^<]+)</a>', html
    )


def test_logged_out_header(client, db):
    html = header(client, reverse("account_login"))
    assert f'href="{reverse("account_login")}">Se connecter</a>' in html
    assert f'href="{reverse("account_signup")}">Créer un compte</a>' in html
    assert "Se déconnecter" not in html and "Changer de profil" not in html


def test_usager_only_has_no_switcher(client, usager):
    client.force_login(usager)
    html = header(client)
    assert "Changer de profil" not in html
    assert f'href="{reverse("dossiers:index")}">Mes dossiers</a>' in html
    assert usager.email in html and "Se déconnecter" in html and "Se connecter<" not in html


def test_switcher_lists_every_profile_of_the_account(client, db):
    # Given an account that is usager, instructeur, administrateur and expert
    user = factories.UserFactory()
    factories.InstructeurFactory(user=user)
    factories.AdministrateurFactory(user=user)
    factories.ExpertFactory(user=user)
    client.force_login(user)

    # When a page is shown
    html = header(client)

    # Then the labelled menu offers the four profiles, the current one marked
    assert '<nav class="fr-translate fr-nav" role="navigation" aria-label="Changer de profil">' in html
    assert 'aria-controls="menu-profils" aria-expanded="false"' in html and 'id="menu-profils"' in html
    assert menu_links(html) == [
        (reverse("dossiers:index"), ' aria-current="true"', "Usager"),
        (reverse("instruction:procedures"), "", "Instructeur"),
        (reverse("procedures:index"), "", "Administrateur"),
        (reverse("instruction:avis"), "", "Expert"),
    ]


def test_switcher_lists_only_the_profiles_the_account_has(client, instructeur):
    client.force_login(instructeur.user)
    labels = [label for _, _, label in menu_links(header(client))]
    assert labels == ["Usager", "Instructeur"]


def test_current_profile_follows_the_page(db):
    user = factories.UserFactory()
    factories.InstructeurFactory(user=user)
    factories.AdministrateurFactory(user=user)
    factories.ExpertFactory(user=user)
    for path, expected in [
        (reverse("instruction:procedures"), "instructeur"),
        (reverse("instruction:avis"), "expert"),
        (reverse("procedures:index"), "administrateur"),
        (reverse("dossiers:index"), "usager"),
    ]:
        request = RequestFactory().get(path)
        request.user = user
        request.resolver_match = resolve(path)
        assert profiles(request)["current_profile"]["key"] == expected


def test_super_admin_link_for_staff(client, db):
    user = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    assert f'href="{reverse("admin:index")}">Super-admin</a>' in header(client)
