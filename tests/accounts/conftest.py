import re

import pytest
from django.core.cache import cache

from tests import factories

LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps its rate limits in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def send_mails(django_capture_on_commit_callbacks):
    """Run the after-commit e-mail jobs of what happens inside the block: `with send_mails(): client.post(...)`."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


def link_in(mail, *, path_contains: str = "") -> str:
    """The first link of an e-mail (whose path contains `path_contains`), as a path for the test client."""
    for url in LINK.findall(mail.body):
        path = re.sub(r"^https?://[^/]+", "", url)
        if path_contains in path:
            return path
    raise AssertionError(f"no link containing {path_contains!r} in:\n{mail.body}")


def is_logged_in(client, user=None) -> bool:
    user_id = client.session.get("_auth_user_id")
    return user_id is not None and (user is None or str(user.pk) == str(user_id))


@pytest.fixture
def password():
    return factories.PASSWORD
