"""« Demander une correction » from the dossier page; the usager's banner and « Correction effectuée »."""

import pytest
from django.urls import reverse

from demarches.accounts.models import Expert
from demarches.audit.models import OperationLog
from demarches.dossiers import transitions
from demarches.dossiers.models import CorrectionDemande, Dossier
from demarches.instruction import services
from demarches.instruction.models import Avis
from tests import factories
from tests.instruction.conftest import autre_procedure, dossier_url

S = Dossier.State
pytestmark = pytest.mark.django_db


def test_the_instructeur_asks_for_a_correction_from_the_dossier_page(instructeur_client, dossier_en_instruction, mailoutbox, django_capture_on_commit_callbacks):
    dossier = dossier_en_instruction
    page = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert "Demander une correction" in page
    form_page = instructeur_client.get(dossier_url(dossier, "instruction:demander_correction"))
    assert form_page.status_code == 200 and "Motif" in form_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(
            dossier_url(dossier, "instruction:demander_correction"), {"reason": "incomplete", "message": "Il manque le devis."}
        )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION
    assert CorrectionDemande.objects.get(dossier=dossier).reason == "incomplete"
    assert [m.to for m in mailoutbox] == [[dossier.user.email]]
    page = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert "en attente de correction" in page and "Demander une correction" not in page
    messagerie = instructeur_client.get(dossier_url(dossier, "instruction:messagerie")).content.decode()
    assert "Il manque le devis." in messagerie


def test_an_empty_message_is_refused_next_to_the_field(instructeur_client, dossier_en_instruction):
    response = instructeur_client.post(dossier_url(dossier_en_instruction, "instruction:demander_correction"), {"reason": "incorrect"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Expliquez au demandeur ce qu&#x27;il doit corriger." in html
    assert 'aria-invalid="true"' in html and "<title>Erreur : Demander une correction" in html
    dossier_en_instruction.refresh_from_db()
    assert dossier_en_instruction.state == S.EN_INSTRUCTION


def test_the_usager_sees_the_banner_and_signals_the_correction(client, instructeur, dossier_en_instruction):
    dossier = dossier_en_instruction
    transitions.repasser_en_construction_avec_correction(dossier=dossier, instructeur=instructeur, message="Joignez le devis signé.")
    client.force_login(dossier.user)
    page = client.get(reverse("dossiers:show", args=[dossier.pk])).content.decode()
    assert "L'administration vous demande de corriger votre dossier" in page or "L&#x27;administration vous demande" in page
    assert 'id="correction-demandee"' in page
    assert "Joignez le devis signé." in page and "Correction effectuée" in page
    url = reverse("instruction:correction_effectuee", args=[dossier.pk])
    # without ticking the box nothing happens
    client.post(url, {})
    assert CorrectionDemande.objects.get(dossier=dossier).is_pending
    response = client.post(url, {"correction_effectuee": "1"})
    assert response.status_code == 302 and response.url == reverse("dossiers:show", args=[dossier.pk])
    correction = CorrectionDemande.objects.get(dossier=dossier)
    assert not correction.is_pending
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation=services.CORRECTION_EFFECTUER).count() == 1
    # the banner is gone, and the instructeur sees « correction effectuée »
    assert 'id="correction-demandee"' not in client.get(reverse("dossiers:show", args=[dossier.pk])).content.decode()
    client.force_login(instructeur.user)
    page = client.get(dossier_url(dossier)).content.decode()
    assert "correction effectuée le " in page and "en attente de correction" not in page


def test_nobody_else_resolves_the_correction(client, instructeur, dossier_en_instruction):
    dossier = dossier_en_instruction
    transitions.repasser_en_construction_avec_correction(dossier=dossier, instructeur=instructeur, message="?")
    url = reverse("instruction:correction_effectuee", args=[dossier.pk])
    for user in (factories.UserFactory(), instructeur.user):
        client.force_login(user)
        assert client.post(url, {"correction_effectuee": "1"}).status_code == 404
    assert CorrectionDemande.objects.get(dossier=dossier).is_pending


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
def test_demander_une_correction_is_refused_to_everybody_else(client, dossier_en_instruction, role):
    _login(client, role, dossier_en_instruction)
    url = dossier_url(dossier_en_instruction, "instruction:demander_correction")
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "incorrect", "message": "Intrusion"}).status_code == 404
    dossier_en_instruction.refresh_from_db()
    assert dossier_en_instruction.state == S.EN_INSTRUCTION
    assert not CorrectionDemande.objects.exists()
