"""Every mutation goes through the state machine and services: same guards, e-mails and audit as the UI."""

import pytest

from demarches.api import services as api_services
from demarches.api.graphql.ids import global_id
from demarches.audit.models import OperationLog
from demarches.dossiers import transitions
from demarches.dossiers.models import Commentaire, Dossier
from tests import factories

PAYLOAD = "clientMutationId errors { message } dossier { id number state motivation dateTraitement }"


def mutate(gql, secret, name, input_type, input, selection=PAYLOAD):
    query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} }} }}"
    status, body, _ = gql(secret, query, {"input": input})
    assert status == 200
    return body


def ids(dossier, instructeur):
    return {"dossierId": global_id("Dossier", dossier.pk), "instructeurId": global_id("Instructeur", instructeur.pk)}


@pytest.fixture
def en_instruction(dossier, instructeur):
    return transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)


def test_passer_en_instruction(gql, jeton, dossier, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], "dossierPasserEnInstruction", "DossierPasserEnInstructionInput",
                      {**ids(dossier, instructeur), "clientMutationId": "abc-1"})
    payload = body["data"]["dossierPasserEnInstruction"]
    assert payload["errors"] is None and payload["clientMutationId"] == "abc-1"
    assert payload["dossier"]["state"] == "en_instruction"
    dossier.refresh_from_db()
    assert dossier.state == "en_instruction" and dossier.follows.filter(instructeur=instructeur).exists()
    assert dossier.traitements.get().instructeur_email == instructeur.user.email
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation="passer_en_instruction", actor_email=instructeur.user.email).exists()
    assert [m.to for m in mailoutbox] == [[dossier.user.email]] and "va être examiné" in mailoutbox[0].subject


def test_repasser_en_construction(gql, jeton, en_instruction, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], "dossierRepasserEnConstruction", "DossierRepasserEnConstructionInput",
                      {**ids(en_instruction, instructeur), "disableNotification": True})
    assert body["data"]["dossierRepasserEnConstruction"]["dossier"]["state"] == "en_construction"
    assert Dossier.objects.get(pk=en_instruction.pk).state == "en_construction"
    assert OperationLog.objects.filter(dossier_id=en_instruction.pk, operation="repasser_en_construction").exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "name, input_type, state, operation, subject",
    [
        ("dossierAccepter", "DossierAccepterInput", "accepte", "accepter", "a été accepté"),
        ("dossierRefuser", "DossierRefuserInput", "refuse", "refuser", "a été refusé"),
        ("dossierClasserSansSuite", "DossierClasserSansSuiteInput", "sans_suite", "classer_sans_suite", "classé sans suite"),
    ],
)
def test_decisions(
    gql, jeton, en_instruction, instructeur, mailoutbox, django_capture_on_commit_callbacks, name, input_type, state, operation, subject
):
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], name, input_type, {**ids(en_instruction, instructeur), "motivation": "Dossier examiné."})
    payload = body["data"][name]
    assert payload["errors"] is None
    assert payload["dossier"]["state"] == state and payload["dossier"]["motivation"] == "Dossier examiné."
    dossier = Dossier.objects.get(pk=en_instruction.pk)
    assert dossier.state == state and dossier.processed_at is not None
    assert payload["dossier"]["dateTraitement"] is not None
    assert dossier.traitements.order_by("-processed_at", "-id").first().motivation == "Dossier examiné."
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation=operation, actor_email=instructeur.user.email).exists()
    assert len(mailoutbox) == 1 and subject in mailoutbox[0].subject


def test_accepter_without_motivation(gql, jeton, en_instruction, instructeur):
    body = mutate(gql, jeton[1], "dossierAccepter", "DossierAccepterInput", ids(en_instruction, instructeur))
    assert body["data"]["dossierAccepter"]["dossier"]["state"] == "accepte"


def test_refuser_requires_a_motivation(gql, jeton, en_instruction, instructeur):
    # motivation is String! in the schema: a blank one is refused by the state machine
    body = mutate(gql, jeton[1], "dossierRefuser", "DossierRefuserInput", {**ids(en_instruction, instructeur), "motivation": "  "})
    payload = body["data"]["dossierRefuser"]
    assert payload["dossier"] is None
    assert payload["errors"] == [{"message": "La motivation est obligatoire pour un refus ou un classement sans suite."}]
    assert Dossier.objects.get(pk=en_instruction.pk).state == "en_instruction"
    missing = mutate(gql, jeton[1], "dossierRefuser", "DossierRefuserInput", ids(en_instruction, instructeur))
    assert "motivation" in missing["errors"][0]["message"]


def test_repasser_en_instruction(gql, jeton, en_instruction, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    transitions.accepter(dossier=en_instruction, instructeur=instructeur, motivation="")
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], "dossierRepasserEnInstruction", "DossierRepasserEnInstructionInput", ids(en_instruction, instructeur))
    assert body["data"]["dossierRepasserEnInstruction"]["dossier"]["state"] == "en_instruction"
    assert Dossier.objects.get(pk=en_instruction.pk).processed_at is None
    assert OperationLog.objects.filter(dossier_id=en_instruction.pk, operation="repasser_en_instruction").exists()
    assert any("à nouveau en cours d'examen" in m.subject for m in mailoutbox)


def test_envoyer_message(gql, jeton, dossier, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], "dossierEnvoyerMessage", "DossierEnvoyerMessageInput",
                      {**ids(dossier, instructeur), "body": "Pouvez-vous préciser votre budget ?"},
                      selection="errors { message } message { id email body createdAt }")
    payload = body["data"]["dossierEnvoyerMessage"]
    commentaire = Commentaire.objects.get(dossier=dossier, is_automatic=False)
    assert payload == {"errors": None, "message": {
        "id": global_id("Commentaire", commentaire.pk), "email": instructeur.user.email,
        "body": "Pouvez-vous préciser votre budget ?", "createdAt": payload["message"]["createdAt"],
    }}
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation="message_envoyer").exists()
    assert [m.to for m in mailoutbox] == [[dossier.user.email]]


def test_envoyer_message_empty_body(gql, jeton, dossier, instructeur):
    body = mutate(gql, jeton[1], "dossierEnvoyerMessage", "DossierEnvoyerMessageInput",
                  {**ids(dossier, instructeur), "body": " "}, selection="errors { message } message { id }")
    assert body["data"]["dossierEnvoyerMessage"]["message"] is None
    assert "message est vide" in body["data"]["dossierEnvoyerMessage"]["errors"][0]["message"]


def test_wrong_state_is_reported_in_errors(gql, jeton, dossier, instructeur):
    body = mutate(gql, jeton[1], "dossierAccepter", "DossierAccepterInput", ids(dossier, instructeur))
    assert body["data"]["dossierAccepter"] == {
        "clientMutationId": None, "dossier": None, "errors": [{"message": "Le dossier est déjà en construction."}]
    }
    assert Dossier.objects.get(pk=dossier.pk).state == "en_construction"


def test_instructeur_outside_the_groupe_is_refused(gql, jeton, dossier):
    stranger = factories.InstructeurFactory()
    body = mutate(gql, jeton[1], "dossierPasserEnInstruction", "DossierPasserEnInstructionInput", ids(dossier, stranger))
    assert "n'a pas accès à ce dossier" in body["data"]["dossierPasserEnInstruction"]["errors"][0]["message"]
    assert Dossier.objects.get(pk=dossier.pk).state == "en_construction"


def test_unknown_ids_are_top_level_errors(gql, jeton, dossier, instructeur):
    body = mutate(gql, jeton[1], "dossierPasserEnInstruction", "DossierPasserEnInstructionInput",
                  {"dossierId": global_id("Dossier", 999999), "instructeurId": global_id("Instructeur", instructeur.pk)})
    assert body["data"]["dossierPasserEnInstruction"] is None
    assert body["errors"][0]["extensions"]["code"] == "not_found"
    body = mutate(gql, jeton[1], "dossierPasserEnInstruction", "DossierPasserEnInstructionInput",
                  {"dossierId": global_id("Dossier", dossier.pk), "instructeurId": "pas-un-id"})
    assert body["errors"][0]["extensions"]["code"] == "not_found"


def test_disable_notification(gql, jeton, en_instruction, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], "dossierAccepter", "DossierAccepterInput",
                      {**ids(en_instruction, instructeur), "disableNotification": True})
    payload = body["data"]["dossierAccepter"]
    # The decision is taken through the state machine, the usager is not e-mailed.
    assert payload["errors"] is None and payload["dossier"]["state"] == "accepte"
    assert Dossier.objects.get(pk=en_instruction.pk).state == "accepte"
    assert OperationLog.objects.filter(dossier_id=en_instruction.pk, operation="accepter").exists()
    assert mailoutbox == []


def test_justificatif_must_be_an_uploaded_blob(gql, jeton, en_instruction, instructeur):
    # Uploads themselves: tests/api/test_mutations_direct_upload.py
    body = mutate(gql, jeton[1], "dossierAccepter", "DossierAccepterInput", {**ids(en_instruction, instructeur), "justificatif": "blob"})
    assert "signedBlobId" in body["data"]["dossierAccepter"]["errors"][0]["message"]
    assert Dossier.objects.get(pk=en_instruction.pk).state == "en_instruction"


def test_read_only_token_cannot_mutate(gql, administrateur, dossier, instructeur):
    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Tableau de bord", write_access=False)
    body = mutate(gql, secret, "dossierPasserEnInstruction", "DossierPasserEnInstructionInput", ids(dossier, instructeur))
    assert body["data"]["dossierPasserEnInstruction"] is None
    assert body["errors"][0]["extensions"]["code"] == "forbidden"
    assert Dossier.objects.get(pk=dossier.pk).state == "en_construction"


def test_dossier_outside_the_scope_cannot_be_changed(gql, jeton, instructeur):
    other = factories.procedure_creer(instructeurs=[instructeur])
    foreign = factories.dossier_creer(procedure=other, state=Dossier.State.EN_CONSTRUCTION)
    body = mutate(gql, jeton[1], "dossierPasserEnInstruction", "DossierPasserEnInstructionInput", ids(foreign, instructeur))
    assert body["data"]["dossierPasserEnInstruction"] is None
    assert body["errors"][0]["extensions"]["code"] == "unauthorized"
    assert Dossier.objects.get(pk=foreign.pk).state == "en_construction"


def test_bascule_suivi(gql, jeton, dossier, instructeur):
    selection = "errors { message } instructeur { email } dossier { instructeurs { email } }"
    body = mutate(gql, jeton[1], "dossierBasculeSuivi", "DossierBasculeSuiviInput", ids(dossier, instructeur), selection=selection)
    assert body["data"]["dossierBasculeSuivi"] == {
        "errors": None, "instructeur": {"email": instructeur.user.email}, "dossier": {"instructeurs": [{"email": instructeur.user.email}]}
    }
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation="suivre").exists()
    body = mutate(gql, jeton[1], "dossierBasculeSuivi", "DossierBasculeSuiviInput", {**ids(dossier, instructeur), "follow": False},
                  selection=selection)
    assert body["data"]["dossierBasculeSuivi"]["dossier"]["instructeurs"] == []
    assert not dossier.follows.exists()
