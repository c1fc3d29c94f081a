"""Instructeur « Changer de groupe » and « Supprimer le message »: views, authorisation, effects."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demarches.dossiers import services as dossier_services
from demarches.dossiers.models import Commentaire, CorrectionDemande, Dossier, Follow
from demarches.procedures.models import GroupeInstructeur
from tests import factories

from .conftest import dossier_url

pytestmark = pytest.mark.django_db
S = Dossier.State


@pytest.fixture
def procedure(administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], cadre_juridique="Arrêté du 1er mars 2026",
    )


@pytest.fixture
def ain(procedure):
    return GroupeInstructeur.objects.create(procedure=procedure, label="Ain")


@pytest.fixture
def membre_ain(ain):
    membre = factories.InstructeurFactory()
    ain.instructeurs.add(membre)
    return membre


def test_button_shown_when_the_demarche_has_several_groupes(instructeur_client, dossier, ain):
    content = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert dossier_url(dossier, "instruction:changer_groupe") in content and "Changer de groupe" in content


def test_button_hidden_with_a_single_groupe(instructeur_client, dossier):
    assert "Changer de groupe" not in instructeur_client.get(dossier_url(dossier)).content.decode()


def test_changer_groupe(instructeur_client, instructeur, dossier, ain, membre_ain):
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    page = instructeur_client.get(dossier_url(dossier, "instruction:changer_groupe")).content.decode()
    assert f'value="{ain.pk}"' in page
    response = instructeur_client.post(dossier_url(dossier, "instruction:changer_groupe"), {"groupe": ain.pk})
    # He is not in « Ain »: back to the list, the dossier is gone from his reach
    assert response.status_code == 302 and response["Location"].endswith(f"/{dossier.procedure_id}/")
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == ain
    assert not Follow.objects.filter(dossier=dossier).exists()
    assert instructeur_client.get(dossier_url(dossier)).status_code == 404


def test_changer_groupe_requires_a_choice(instructeur_client, dossier, ain):
    response = instructeur_client.post(dossier_url(dossier, "instruction:changer_groupe"), {"groupe": ""})
    assert response.status_code == 200 and "Choisissez le groupe" in response.content.decode()


def test_closed_groupe_is_not_offered(instructeur_client, dossier, ain):
    ain.closed = True
    ain.save()
    response = instructeur_client.post(dossier_url(dossier, "instruction:changer_groupe"), {"groupe": ain.pk})
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur != ain


def test_instructeur_of_another_groupe_cannot_see_or_move(client, dossier, ain, membre_ain):
    client.force_login(membre_ain.user)
    assert client.get(dossier_url(dossier)).status_code == 404
    assert client.get(dossier_url(dossier, "instruction:changer_groupe")).status_code == 404
    assert client.post(dossier_url(dossier, "instruction:changer_groupe"), {"groupe": ain.pk}).status_code == 404
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur != ain


def test_terminated_dossier_cannot_change_groupe(instructeur_client, procedure, ain):
    dossier = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE)
    assert instructeur_client.get(dossier_url(dossier, "instruction:changer_groupe")).status_code == 404


# --- Supprimer le message -------------------------------------------------------------------------


def _message(dossier, instructeur, **extra):
    return dossier_services.message_envoyer(dossier=dossier, user=instructeur.user, body="Merci d'ajouter votre RIB.",
                                            instructeur=instructeur, **extra)


def test_supprimer_son_message(instructeur_client, instructeur, dossier):
    message = _message(dossier, instructeur, piece_jointe=SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"))
    page = instructeur_client.get(dossier_url(dossier, "instruction:messagerie")).content.decode()
    assert "Supprimer le message" in page
    response = instructeur_client.post(dossier_url(dossier, "instruction:message_supprimer", message.pk))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.body == "Message supprimé" and message.discarded_at is not None and not message.piece_jointe
    page = instructeur_client.get(dossier_url(dossier, "instruction:messagerie")).content.decode()
    assert "Message supprimé" in page and "Merci d'ajouter votre RIB." not in page


def test_cannot_delete_the_message_of_someone_else(client, procedure, instructeur, dossier):
    colleague = factories.InstructeurFactory()
    procedure.default_groupe.instructeurs.add(colleague)
    message = _message(dossier, instructeur)
    usager_message = Commentaire.objects.create(dossier=dossier, email=dossier.user.email, body="Bonjour")
    client.force_login(colleague.user)
    assert "Supprimer le message" not in client.get(dossier_url(dossier, "instruction:messagerie")).content.decode()
    for target in (message, usager_message):
        client.post(dossier_url(dossier, "instruction:message_supprimer", target.pk))
        target.refresh_from_db()
        assert target.discarded_at is None


def test_cannot_delete_a_pending_correction_request(instructeur_client, instructeur, dossier):
    message = _message(dossier, instructeur)
    CorrectionDemande.objects.create(dossier=dossier, commentaire=message)
    response = instructeur_client.post(dossier_url(dossier, "instruction:message_supprimer", message.pk), follow=True)
    assert "demande de correction en attente" in response.content.decode()
    message.refresh_from_db()
    assert message.discarded_at is None


def test_message_of_another_dossier_is_404(instructeur_client, instructeur, procedure, dossier):
    other = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    message = _message(other, instructeur)
    response = instructeur_client.post(dossier_url(dossier, "instruction:message_supprimer", message.pk))
    assert response.status_code == 404
