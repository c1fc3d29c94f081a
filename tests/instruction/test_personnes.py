"""« Personnes impliquées »: followers, experts asked, and « Envoyer à un instructeur »."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from demarches.accounts.models import Expert
from demarches.audit.models import OperationLog
from demarches.dossiers.models import Dossier, Follow
from demarches.instruction import services
from demarches.instruction.models import Avis
from tests import factories
from tests.instruction.conftest import autre_procedure, dossier_url

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def collegue(procedure):
    collegue = factories.InstructeurFactory()
    procedure.default_groupe.instructeurs.add(collegue)
    return collegue


def test_the_tab_lists_followers_and_experts(instructeur_client, instructeur, dossier):
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    expert = Expert.objects.create(user=factories.UserFactory(email="expert@exemple.fr"))
    Avis.objects.create(dossier=dossier, expert=expert, claimant=instructeur, introduction="?")
    response = instructeur_client.get(dossier_url(dossier, "instruction:personnes"))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="onglet-personnes"' in html
    assert f"{instructeur.user.email} (vous)" in html
    assert "expert@exemple.fr" in html and "en attente de réponse" in html


def test_sending_to_a_colleague_makes_him_follow_and_emails_him(
    instructeur_client, instructeur, collegue, dossier, mailoutbox, django_capture_on_commit_callbacks
):
    page = instructeur_client.get(dossier_url(dossier, "instruction:personnes")).content.decode()
    assert f'<option value="{collegue.pk}">{collegue.user.email}</option>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(dossier_url(dossier, "instruction:personnes"), {"destinataire": collegue.pk})
    assert response.status_code == 302
    assert Follow.objects.filter(instructeur=collegue, dossier=dossier).exists()
    assert [m.to for m in mailoutbox] == [[collegue.user.email]]
    assert f"/procedures/{dossier.procedure_id}/dossiers/{dossier.pk}/" in mailoutbox[0].body
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation=services.DOSSIER_ENVOYER).count() == 1
    # he is no longer proposed
    page = instructeur_client.get(dossier_url(dossier, "instruction:personnes")).content.decode()
    assert f'<option value="{collegue.pk}">' not in page


def test_only_a_colleague_of_the_group_who_does_not_follow_yet(instructeur, collegue, dossier):
    etranger = factories.InstructeurFactory()
    autre_procedure().default_groupe.instructeurs.add(etranger)
    for destinataire in (etranger.pk, instructeur.pk, "", "abc"):
        with pytest.raises(ValidationError):
            services.dossier_envoyer_a_instructeur(dossier=dossier, instructeur=instructeur, destinataire_id=destinataire)
    services.dossier_envoyer_a_instructeur(dossier=dossier, instructeur=instructeur, destinataire_id=collegue.pk)
    with pytest.raises(ValidationError) as error:
        services.dossier_envoyer_a_instructeur(dossier=dossier, instructeur=instructeur, destinataire_id=collegue.pk)
    assert "suit déjà ce dossier" in error.value.messages[0]
    assert not Follow.objects.filter(instructeur=etranger).exists()


def test_an_error_is_shown_next_to_the_select(instructeur_client, collegue, dossier):
    response = instructeur_client.post(dossier_url(dossier, "instruction:personnes"), {"destinataire": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez un instructeur du groupe qui instruit ce dossier." in html
    assert 'aria-describedby="destinataire-messages"' in html


def test_the_service_checks_the_sender(collegue, dossier):
    with pytest.raises(PermissionDenied):
        services.dossier_envoyer_a_instructeur(dossier=dossier, instructeur=factories.InstructeurFactory(), destinataire_id=collegue.pk)


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
def test_personnes_is_refused_to_everybody_else(client, collegue, dossier, role, mailoutbox):
    _login(client, role, dossier)
    url = dossier_url(dossier, "instruction:personnes")
    assert client.get(url).status_code == 404
    assert client.post(url, {"destinataire": collegue.pk}).status_code == 404
    assert not Follow.objects.filter(dossier=dossier).exists()
    assert mailoutbox == []
