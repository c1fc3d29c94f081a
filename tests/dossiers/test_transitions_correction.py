"""The « demander une correction » transition: en construction or en instruction → en construction,
with a pending CorrectionDemande, a message in the messagerie and an e-mail to the usager."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.dossiers import transitions
from demarches.dossiers.models import Commentaire, CorrectionDemande, Dossier
from tests import factories

S = Dossier.State
NAME = "repasser_en_construction_avec_correction"
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", [S.EN_CONSTRUCTION, S.EN_INSTRUCTION])
def test_a_correction_sends_the_dossier_back_to_the_usager(procedure, instructeur, state, django_capture_on_commit_callbacks, mailoutbox):
    # given a deposited dossier
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    # when the instructeur asks for a correction
    with django_capture_on_commit_callbacks(execute=True):
        dossier = transitions.repasser_en_construction_avec_correction(
            dossier=dossier, instructeur=instructeur, message="Le RIB est illisible.", reason="incorrect"
        )
    # then the dossier is en construction with a pending correction carrying the message
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION and dossier.en_instruction_at is None
    correction = CorrectionDemande.objects.get(dossier=dossier)
    assert correction.is_pending and correction.reason == "incorrect"
    assert correction.commentaire.body == "Le RIB est illisible."
    assert correction.commentaire.instructeur == instructeur
    assert dossier.last_commentaire_at == correction.commentaire.created_at
    # recorded like every transition
    assert dossier.traitements.last().state == S.EN_CONSTRUCTION
    assert dossier.traitements.last().motivation == "Le RIB est illisible."
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation=NAME).exists()
    # and the usager is told by e-mail
    emails = OutgoingEmail.objects.filter(dossier_id=dossier.pk, kind="nouveau_message")
    assert [e.to for e in emails] == [dossier.user.email]
    assert [m.to for m in mailoutbox] == [[dossier.user.email]]


@pytest.mark.parametrize("state", [S.BROUILLON, S.ACCEPTE, S.REFUSE, S.SANS_SUITE])
def test_no_correction_from_other_states(procedure, instructeur, state):
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    assert not transitions.can_demander_correction(dossier, instructeur.user)
    with pytest.raises(ValidationError):
        transitions.repasser_en_construction_avec_correction(dossier=dossier, instructeur=instructeur, message="?")
    assert not CorrectionDemande.objects.filter(dossier=dossier).exists()
    assert not Commentaire.objects.filter(dossier=dossier).exists()


def test_message_and_reason_are_checked(procedure, instructeur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    with pytest.raises(ValidationError) as error:
        transitions.repasser_en_construction_avec_correction(dossier=dossier, instructeur=instructeur, message=" ", reason="autre")
    assert error.value.message_dict == {
        "message": ["Expliquez au demandeur ce qu'il doit corriger."], "reason": ["Choisissez le motif de la correction."]
    }
    dossier.refresh_from_db()
    assert dossier.state == S.EN_INSTRUCTION


def test_one_pending_correction_at_a_time(procedure, instructeur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    transitions.repasser_en_construction_avec_correction(dossier=dossier, instructeur=instructeur, message="Un")
    assert not transitions.can_demander_correction(dossier, instructeur.user)
    with pytest.raises(ValidationError):
        transitions.repasser_en_construction_avec_correction(dossier=dossier, instructeur=instructeur, message="Deux")
    assert CorrectionDemande.objects.filter(dossier=dossier).count() == 1
    # the database refuses a second pending one as well
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectionDemande.objects.create(dossier=dossier, commentaire=Commentaire.objects.create(dossier=dossier, email="x@y.fr", body="?"))


def test_passer_en_instruction_resolves_the_pending_correction(procedure, instructeur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    transitions.repasser_en_construction_avec_correction(dossier=dossier, instructeur=instructeur, message="Un")
    transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    assert CorrectionDemande.objects.get(dossier=dossier).resolved_at is not None
    assert transitions.can_demander_correction(dossier, instructeur.user)


def test_only_an_instructeur_of_the_dossier_asks_for_a_correction(procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    intrus = factories.InstructeurFactory()
    assert not transitions.can_demander_correction(dossier, intrus.user)
    assert not transitions.can_demander_correction(dossier, dossier.user)
    with pytest.raises(PermissionDenied):
        transitions.repasser_en_construction_avec_correction(dossier=dossier, instructeur=intrus, message="?")
    dossier.refresh_from_db()
    assert dossier.state == S.EN_INSTRUCTION
