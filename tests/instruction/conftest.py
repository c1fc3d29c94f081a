import pytest
from django.urls import reverse

from demarches.dossiers.models import Dossier
from tests import factories

S = Dossier.State


@pytest.fixture
def instructeur_client(client, instructeur):
    client.force_login(instructeur.user)
    return client


@pytest.fixture
def dossier(procedure):
    """A deposited dossier, en construction, that nobody follows."""
    return factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)


@pytest.fixture
def dossier_en_instruction(procedure):
    return factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)


def dossier_url(dossier, name="instruction:dossier", *extra):
    return reverse(name, args=[dossier.procedure_id, dossier.pk, *extra])


def creer_dossier(*, procedure, state=S.EN_CONSTRUCTION, **overrides):
    """factories.dossier_creer, with any field (identity, dates…) overridden afterwards."""
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    if overrides:
        for name, value in overrides.items():
            setattr(dossier, name, value)
        dossier.save()
    return dossier


def autre_procedure(**options):
    """A published démarche instructed by somebody else."""
    return factories.procedure_creer(instructeurs=[factories.InstructeurFactory()], **options)
