import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run after-commit callbacks (e-mails, jobs) inside a test transaction."""
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
