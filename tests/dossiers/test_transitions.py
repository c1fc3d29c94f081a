import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from demarches.audit.models import OperationLog
from demarches.audit.services import chain_verifier
from demarches.core.models import OutgoingEmail
from demarches.dossiers import transitions
from demarches.dossiers.models import Commentaire, Dossier, Follow
from tests import factories

S = Dossier.State
ALL_STATES = list(S.values)

EXPECTED_SOURCES = {
    "passer_en_construction": {S.BROUILLON},
    "passer_en_instruction": {S.EN_CONSTRUCTION},
    "passer_automatiquement_en_instruction": {S.EN_CONSTRUCTION},
    "repasser_en_construction": {S.EN_INSTRUCTION},
    "accepter": {S.EN_INSTRUCTION},
    "accepter_automatiquement": {S.EN_CONSTRUCTION, S.EN_INSTRUCTION},
    "refuser": {S.EN_INSTRUCTION},
    "classer_sans_suite": {S.EN_INSTRUCTION},
    "repasser_en_instruction": {S.ACCEPTE, S.REFUSE, S.SANS_SUITE},
    "repasser_en_construction_avec_correction": {S.EN_CONSTRUCTION, S.EN_INSTRUCTION},
}


def _call(name, dossier, instructeur):
    fn = getattr(transitions, name)
    if name == "passer_en_construction":
        return fn(dossier=dossier, user=dossier.user)
    if name.endswith("automatiquement") or name == "passer_automatiquement_en_instruction":
        return fn(dossier=dossier)
    if name == "repasser_en_construction_avec_correction":
        return fn(dossier=dossier, instructeur=instructeur, message="Le plan des locaux est illisible.")
    if name in ("refuser", "classer_sans_suite"):
        return fn(dossier=dossier, instructeur=instructeur, motivation="Pièces manquantes")
    return fn(dossier=dossier, instructeur=instructeur)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED_SOURCES))
@pytest.mark.parametrize("state", ALL_STATES)
def test_every_transition_is_allowed_only_from_its_sources(name, state, procedure, instructeur, run_on_commit):
    # given a dossier in a state
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    # when the transition is attempted
    if state in EXPECTED_SOURCES[name]:
        dossier = _call(name, dossier, instructeur)
        # then the dossier reaches the target and a traitement is recorded
        assert dossier.state == transitions.TRANSITIONS[name].target
        assert dossier.traitements.last().state == dossier.state
        assert OperationLog.objects.filter(dossier_id=dossier.pk, operation=name).exists()
    else:
        with pytest.raises(ValidationError):
            _call(name, dossier, instructeur)
        dossier.refresh_from_db()
        assert dossier.state == state
        assert not dossier.traitements.exists()


def test_transition_table_matches_the_design():
    assert {name: set(t.sources) for name, t in transitions.TRANSITIONS.items()} == EXPECTED_SOURCES


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["refuser", "classer_sans_suite"])
def test_refusal_and_sans_suite_require_a_motivation(name, procedure, instructeur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    with pytest.raises(ValidationError) as error:
        getattr(transitions, name)(dossier=dossier, instructeur=instructeur, motivation="  ")
    assert "motivation" in error.value.message_dict
    dossier.refresh_from_db()
    assert dossier.state == S.EN_INSTRUCTION


@pytest.mark.django_db
def test_acceptance_without_motivation_sends_the_email_and_copies_it(
    procedure, instructeur, django_capture_on_commit_callbacks, mailoutbox
):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur)
    email = OutgoingEmail.objects.get(dossier_id=dossier.pk, kind="acceptation")
    assert email.status == OutgoingEmail.Status.SENT
    assert f"n° {dossier.pk}" in email.subject
    assert Commentaire.objects.filter(dossier=dossier, is_automatic=True, body=email.body).exists()
    assert [m.to for m in mailoutbox] == [[dossier.user.email]]


@pytest.mark.django_db
def test_an_instructeur_outside_the_group_cannot_act(procedure):
    outsider = factories.InstructeurFactory()
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    assert not transitions.can_passer_en_instruction(dossier, outsider.user)
    with pytest.raises(PermissionDenied):
        transitions.passer_en_instruction(dossier=dossier, instructeur=outsider)


@pytest.mark.django_db
def test_only_the_owner_can_deposit(procedure):
    dossier = factories.dossier_creer(procedure=procedure)
    other = factories.UserFactory()
    assert not transitions.can_passer_en_construction(dossier, other)
    with pytest.raises(PermissionDenied):
        transitions.passer_en_construction(dossier=dossier, user=other)


@pytest.mark.django_db
def test_deposit_is_refused_on_a_closed_procedure(procedure, administrateur):
    from demarches.procedures.services import procedure_clore

    dossier = factories.dossier_creer(procedure=procedure)
    procedure_clore(procedure=procedure, administrateur=administrateur)
    dossier.refresh_from_db()
    assert not transitions.can_passer_en_construction(dossier, dossier.user)
    with pytest.raises(ValidationError):
        transitions.passer_en_construction(dossier=dossier, user=dossier.user)


@pytest.mark.django_db
def test_passer_en_instruction_follows_the_dossier_and_mails_the_usager(procedure, instructeur, run_on_commit):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    assert Follow.objects.filter(dossier=dossier, instructeur=instructeur).exists()
    assert OutgoingEmail.objects.filter(to=dossier.user.email, kind="passage_en_instruction").exists()


@pytest.mark.django_db
def test_repasser_en_instruction_clears_the_decision(procedure, instructeur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    transitions.refuser(dossier=dossier, instructeur=instructeur, motivation="Incomplet")
    dossier = transitions.repasser_en_instruction(dossier=dossier, instructeur=instructeur)
    assert (dossier.state, dossier.motivation, dossier.processed_at) == (S.EN_INSTRUCTION, "", None)
    assert [t.state for t in dossier.traitements.all()] == [S.REFUSE, S.EN_INSTRUCTION]


@pytest.mark.django_db
@pytest.mark.parametrize("declarative,expected", [("en_instruction", S.EN_INSTRUCTION), ("accepte", S.ACCEPTE)])
def test_declarative_procedures_jump_on_deposit(declarative, expected, instructeur):
    procedure = factories.procedure_creer(instructeurs=[instructeur], declarative_with_state=declarative)
    dossier = factories.dossier_creer(procedure=procedure)
    dossier = transitions.passer_en_construction(dossier=dossier, user=dossier.user)
    dossier.refresh_from_db()
    assert dossier.state == expected
    assert OperationLog.objects.filter(dossier_id=dossier.pk, automatic=True).exists()


@pytest.mark.django_db
def test_operation_log_chain_detects_tampering(procedure, instructeur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    assert chain_verifier() == []
    entry = OperationLog.objects.filter(dossier_id=dossier.pk).last()
    OperationLog.objects.filter(pk=entry.pk).update(actor_email="intrus@exemple.fr")
    assert chain_verifier() == [entry.pk]
