import pytest

from tests import factories


@pytest.fixture
def admin_client(client, administrateur):
    client.force_login(administrateur.user)
    return client


@pytest.fixture
def procedure_en_test(db, administrateur, instructeur):
    """A démarche in test with a service, one instructeur and one champ: ready to publish."""
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False, libelle="Demande de subvention vélo"
    )
