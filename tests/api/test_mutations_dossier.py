"""dossierArchiver, dossierDesarchiver, dossierAjouterLabel, dossierSupprimerLabel: same services as the instructeur's UI."""

import pytest

from demarches.accounts.models import Instructeur
from demarches.api import services as api_services
from demarches.api.graphql.ids import global_id
from demarches.audit.models import OperationLog
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from demarches.instruction import services as instruction_services
from demarches.instruction.models import DossierLabel
from tests import factories

from .test_mutations import ids, mutate

SELECTION = "clientMutationId errors { message } dossier { number archived }"
LABEL_SELECTION = "errors { message } label { id name color } dossier { number labels { name } }"


@pytest.fixture
def accepte(dossier, instructeur):
    transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    return transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Complet.")


def test_archiver_then_desarchiver(gql, jeton, accepte, instructeur):
    # Given a terminated dossier, when the API archives it
    body = mutate(gql, jeton[1], "dossierArchiver", "DossierArchiverInput", {**ids(accepte, instructeur), "clientMutationId": "a1"},
                  selection=SELECTION)
    # Then it is archived, through the instruction service (audit entry)
    assert body["data"]["dossierArchiver"] == {"clientMutationId": "a1", "errors": None, "dossier": {"number": accepte.pk, "archived": True}}
    assert Dossier.objects.get(pk=accepte.pk).archived is True
    assert OperationLog.objects.filter(dossier_id=accepte.pk, operation="dossier_archiver", actor_email=instructeur.user.email).exists()
    # And archiving again is refused in errors
    again = mutate(gql, jeton[1], "dossierArchiver", "DossierArchiverInput", ids(accepte, instructeur), selection=SELECTION)
    assert again["data"]["dossierArchiver"]["dossier"] is None
    assert "archivé" in again["data"]["dossierArchiver"]["errors"][0]["message"]
    # When it is unarchived
    body = mutate(gql, jeton[1], "dossierDesarchiver", "DossierDesarchiverInput", ids(accepte, instructeur), selection=SELECTION)
    assert body["data"]["dossierDesarchiver"]["dossier"] == {"number": accepte.pk, "archived": False}
    assert Dossier.objects.get(pk=accepte.pk).archived is False
    assert OperationLog.objects.filter(dossier_id=accepte.pk, operation="dossier_desarchiver").exists()


def test_archiver_refuses_a_dossier_not_terminated(gql, jeton, dossier, instructeur):
    body = mutate(gql, jeton[1], "dossierArchiver", "DossierArchiverInput", ids(dossier, instructeur), selection=SELECTION)
    payload = body["data"]["dossierArchiver"]
    assert payload["dossier"] is None and "traité" in payload["errors"][0]["message"]
    assert Dossier.objects.get(pk=dossier.pk).archived is False


def test_archiver_instructeur_outside_the_groupe(gql, jeton, accepte):
    stranger = factories.InstructeurFactory()
    body = mutate(gql, jeton[1], "dossierArchiver", "DossierArchiverInput", ids(accepte, stranger), selection=SELECTION)
    assert "groupe instructeur" in body["data"]["dossierArchiver"]["errors"][0]["message"]
    assert Dossier.objects.get(pk=accepte.pk).archived is False


def test_archiver_read_only_token_and_other_demarche(gql, administrateur, accepte, instructeur, jeton):
    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Lecture", write_access=False)
    body = mutate(gql, secret, "dossierArchiver", "DossierArchiverInput", ids(accepte, instructeur), selection=SELECTION)
    assert body["data"]["dossierArchiver"] is None and body["errors"][0]["extensions"]["code"] == "forbidden"
    other = factories.procedure_creer(instructeurs=[instructeur])
    foreign = factories.dossier_creer(procedure=other, state=Dossier.State.ACCEPTE)
    body = mutate(gql, jeton[1], "dossierArchiver", "DossierArchiverInput", ids(foreign, instructeur), selection=SELECTION)
    assert body["errors"][0]["extensions"]["code"] == "unauthorized"
    assert not Dossier.objects.filter(archived=True).exists()


@pytest.fixture
def admin_instructeur(administrateur, demarche):
    """The token's administrateur also instructs the démarche (labels are changed in his name)."""
    instructeur, _ = Instructeur.objects.get_or_create(user=administrateur.user)
    demarche.default_groupe.instructeurs.add(instructeur)
    return instructeur


def test_ajouter_puis_supprimer_label(gql, jeton, dossier, admin_instructeur):
    label = instruction_services.labels_de_la_procedure(dossier.procedure)[1]  # « À relancer »
    variables = {"dossierId": global_id("Dossier", dossier.pk), "labelId": global_id("Label", label.pk)}
    body = mutate(gql, jeton[1], "dossierAjouterLabel", "DossierAjouterLabelInput", variables, selection=LABEL_SELECTION)
    assert body["data"]["dossierAjouterLabel"] == {
        "errors": None, "dossier": {"number": dossier.pk, "labels": [{"name": "À relancer"}]},
        "label": {"id": global_id("Label", label.pk), "name": "À relancer", "color": "orange_terre_battue"},
    }
    assert list(DossierLabel.objects.filter(dossier=dossier).values_list("label_id", flat=True)) == [label.pk]
    log = OperationLog.objects.get(dossier_id=dossier.pk, operation="labels_modifier")
    assert log.actor_email == admin_instructeur.user.email
    # Twice: refused in errors
    again = mutate(gql, jeton[1], "dossierAjouterLabel", "DossierAjouterLabelInput", variables, selection=LABEL_SELECTION)
    assert "déjà" in again["data"]["dossierAjouterLabel"]["errors"][0]["message"]
    # Removed
    body = mutate(gql, jeton[1], "dossierSupprimerLabel", "DossierSupprimerLabelInput", variables, selection=LABEL_SELECTION)
    assert body["data"]["dossierSupprimerLabel"]["errors"] is None
    assert body["data"]["dossierSupprimerLabel"]["dossier"]["labels"] == []
    assert not DossierLabel.objects.filter(dossier=dossier).exists()
    again = mutate(gql, jeton[1], "dossierSupprimerLabel", "DossierSupprimerLabelInput", variables, selection=LABEL_SELECTION)
    assert "ne porte pas" in again["data"]["dossierSupprimerLabel"]["errors"][0]["message"]


def test_label_requires_the_administrateur_to_instruct(gql, jeton, dossier):
    label = instruction_services.labels_de_la_procedure(dossier.procedure)[0]
    variables = {"dossierId": global_id("Dossier", dossier.pk), "labelId": global_id("Label", label.pk)}
    body = mutate(gql, jeton[1], "dossierAjouterLabel", "DossierAjouterLabelInput", variables, selection=LABEL_SELECTION)
    assert "instructeur" in body["data"]["dossierAjouterLabel"]["errors"][0]["message"]
    assert not DossierLabel.objects.exists()


def test_label_of_another_demarche_is_not_found(gql, jeton, dossier, admin_instructeur):
    other = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    foreign_label = instruction_services.labels_de_la_procedure(other)[0]
    variables = {"dossierId": global_id("Dossier", dossier.pk), "labelId": global_id("Label", foreign_label.pk)}
    body = mutate(gql, jeton[1], "dossierAjouterLabel", "DossierAjouterLabelInput", variables, selection=LABEL_SELECTION)
    assert body["errors"][0]["extensions"]["code"] == "not_found"
    assert not DossierLabel.objects.exists()
