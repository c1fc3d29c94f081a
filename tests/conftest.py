import os

import pytest

from tests import factories
from tests.browser import CHROMIUM, CHROMIUM_ARGS, Checker

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (reading the confirmation e-mail, checking states) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _cache_vide():
    """Each test starts with an empty cache: the database is rolled back between tests and its
    numbers are given again, so what a test remembered (the list's counters) would name another
    test's rows."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run after-commit callbacks (e-mails, jobs) at the end of the test, inside its transaction."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        yield callbacks


@pytest.fixture
def instructeur(db):
    return factories.InstructeurFactory()


@pytest.fixture
def administrateur(db):
    return factories.AdministrateurFactory()


@pytest.fixture
def usager(db):
    return factories.UserFactory()


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur])


# Browser journeys (Playwright driving Debian's Chromium).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def check_page(page, request):
    return Checker(page, request.node.name)


@pytest.fixture
def live_url(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url
