"""Archiver / désarchiver a terminated dossier: the « archivés » tab, the closed messagerie."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from demarches.accounts.models import Expert
from demarches.audit.models import OperationLog
from demarches.dossiers import policies
from demarches.dossiers import transitions
from demarches.dossiers.models import Commentaire, Dossier
from demarches.instruction import selectors, services
from demarches.instruction.models import Avis
from tests import factories
from tests.instruction.conftest import autre_procedure, dossier_url

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def accepte(procedure):
    return factories.dossier_creer(procedure=procedure, state=S.ACCEPTE)


def test_archiving_moves_the_dossier_to_the_archives_tab(instructeur, procedure, accepte):
    # given a dossier en construction and an accepted one
    en_cours = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    assert selectors.compteurs(instructeur, procedure) == {"a-suivre": 1, "suivis": 0, "traites": 1, "tous": 2, "expirant": 0, "archives": 0, "supprimes": 0}
    # when the accepted one is archived
    services.dossier_archiver(dossier=accepte, instructeur=instructeur)
    # then it only appears in « archivés »
    assert selectors.compteurs(instructeur, procedure) == {"a-suivre": 1, "suivis": 0, "traites": 0, "tous": 1, "expirant": 0, "archives": 1, "supprimes": 0}
    assert list(selectors.dossiers_du_tableau(instructeur, procedure, "archives")) == [accepte]
    assert list(selectors.dossiers_du_tableau(instructeur, procedure, "tous")) == [en_cours]
    assert set(selectors.dossiers_du_tableau(instructeur, procedure, "tous", include_archived=True)) == {en_cours, accepte}
    listed = selectors.procedures_avec_compteurs(instructeur).get(pk=procedure.pk)
    assert (listed.traites, listed.total, listed.nb_archives) == (0, 1, 1)


def test_the_dashboard_shows_the_archives_tab_with_its_counter(instructeur_client, instructeur, procedure, accepte):
    services.dossier_archiver(dossier=accepte, instructeur=instructeur)
    response = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]) + "?statut=archives")
    html = response.content.decode()
    assert [d.pk for d in response.context["page"]] == [accepte.pk]
    assert "Archivés" in html and 'aria-current="page"' in html
    mes_demarches = instructeur_client.get(reverse("instruction:procedures")).content.decode()
    assert "1 dossier archivé sur" in mes_demarches


def test_archive_and_unarchive_from_the_dossier_page(instructeur_client, accepte):
    page = instructeur_client.get(dossier_url(accepte)).content.decode()
    assert "Archiver le dossier" in page
    response = instructeur_client.post(dossier_url(accepte, "instruction:archiver"))
    assert response.status_code == 302
    accepte.refresh_from_db()
    assert accepte.archived
    page = instructeur_client.get(dossier_url(accepte)).content.decode()
    assert "Désarchiver le dossier" in page and "Archiver le dossier" not in page
    instructeur_client.post(dossier_url(accepte, "instruction:desarchiver"))
    accepte.refresh_from_db()
    assert not accepte.archived
    operations = list(OperationLog.objects.filter(dossier_id=accepte.pk).values_list("operation", flat=True))
    assert operations[-2:] == [services.DOSSIER_ARCHIVER, services.DOSSIER_DESARCHIVER]


@pytest.mark.parametrize("state", [S.EN_CONSTRUCTION, S.EN_INSTRUCTION])
def test_only_a_terminated_dossier_can_be_archived(instructeur, instructeur_client, procedure, state):
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    with pytest.raises(ValidationError):
        services.dossier_archiver(dossier=dossier, instructeur=instructeur)
    assert "Archiver le dossier" not in instructeur_client.get(dossier_url(dossier)).content.decode()
    instructeur_client.post(dossier_url(dossier, "instruction:archiver"))
    dossier.refresh_from_db()
    assert not dossier.archived


def test_archiving_twice_logs_once(instructeur, accepte):
    services.dossier_archiver(dossier=accepte, instructeur=instructeur)
    services.dossier_archiver(dossier=accepte, instructeur=instructeur)
    assert OperationLog.objects.filter(dossier_id=accepte.pk, operation=services.DOSSIER_ARCHIVER).count() == 1


def test_archiving_closes_the_messagerie_on_both_sides(client, instructeur_client, instructeur, accepte):
    services.dossier_archiver(dossier=accepte, instructeur=instructeur)
    accepte.refresh_from_db()
    # the usager can no longer write
    assert not policies.can_write_as_usager(accepte.user, accepte)
    # nor the instructeur, whose page says why
    page = instructeur_client.get(dossier_url(accepte, "instruction:messagerie")).content.decode()
    assert "sa messagerie est fermée" in page and "Envoyer le message" not in page
    instructeur_client.post(dossier_url(accepte, "instruction:messagerie"), {"body": "Bonjour"})
    assert not Commentaire.objects.filter(dossier=accepte, body="Bonjour").exists()


def test_repasser_en_instruction_unarchives(instructeur, accepte):
    services.dossier_archiver(dossier=accepte, instructeur=instructeur)
    transitions.repasser_en_instruction(dossier=accepte, instructeur=instructeur)
    accepte.refresh_from_db()
    assert not accepte.archived and accepte.state == S.EN_INSTRUCTION


ROLES = ("instructeur d'une autre démarche", "usager", "expert du dossier")


def _login(client, role, dossier):
    if role == "instructeur d'une autre démarche":
        other = factories.InstructeurFactory()
        autre_procedure().default_groupe.instructeurs.add(other)
        client.force_login(other.user)
    elif role == "usager":
        client.force_login(dossier.user)
    else:
        avis = Avis.objects.create(dossier=dossier, expert=Expert.objects.create(user=factories.UserFactory()), introduction="?")
        client.force_login(avis.expert.user)


@pytest.mark.parametrize("role", ROLES)
def test_archive_actions_are_refused_to_everybody_else(client, instructeur, accepte, role):
    _login(client, role, accepte)
    assert client.post(dossier_url(accepte, "instruction:archiver")).status_code == 404
    accepte.refresh_from_db()
    assert not accepte.archived
    services.dossier_archiver(dossier=accepte, instructeur=instructeur)
    assert client.post(dossier_url(accepte, "instruction:desarchiver")).status_code == 404
    accepte.refresh_from_db()
    assert accepte.archived


def test_expirant_bientot_lists_the_dossiers_whose_conservation_ends_within_two_weeks(instructeur_client, instructeur, procedure):
    soon, later = timezone.now() + timezone.timedelta(days=10), timezone.now() + timezone.timedelta(days=60)
    proche = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE, expire_at=soon)
    factories.dossier_creer(procedure=procedure, state=S.REFUSE, expire_at=later)
    factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION, expire_at=soon)  # never expires en instruction
    archive = factories.dossier_creer(procedure=procedure, state=S.SANS_SUITE, expire_at=soon)
    services.dossier_archiver(dossier=archive, instructeur=instructeur)
    assert list(selectors.dossiers_du_tableau(instructeur, procedure, "expirant")) == [proche]
    assert selectors.compteurs(instructeur, procedure)["expirant"] == 1
    response = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]) + "?statut=expirant")
    assert [d.pk for d in response.context["page"]] == [proche.pk]
    assert "Expirant bientôt" in response.content.decode()
