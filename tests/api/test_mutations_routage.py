"""groupeInstructeurCreer / Modifier, dossierChangerGroupeInstructeur, dossierSupprimerMessage, and the
groupeInstructeur*Instructeurs mutations on any groupe."""

import pytest

from demarches.api import services as api_services
from demarches.api.graphql.ids import global_id
from demarches.dossiers import services as dossier_services
from demarches.dossiers.models import CorrectionDemande, Dossier
from demarches.procedures.models import GroupeInstructeur
from tests import factories

from .test_mutations import mutate

GROUPE = "errors { message } warnings { message } groupeInstructeur { id label closed instructeurs { email } }"
MODIFIER = "errors { message } groupeInstructeur { id label closed }"
CHANGER = "errors { message } dossier { number groupeInstructeur { label } }"
MESSAGE = "errors { message } message { id body discardedAt attachment { filename } }"


@pytest.fixture
def demarche(administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], cadre_juridique="Arrêté du 1er mars 2026",
    )


@pytest.fixture
def dossier(demarche):
    return factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)


def gid(groupe):
    return global_id("GroupeInstructeur", groupe.pk)


def test_groupe_instructeur_creer(gql, jeton, demarche):
    colleague = factories.InstructeurFactory()
    body = mutate(gql, jeton[1], "groupeInstructeurCreer", "GroupeInstructeurCreerInput", {
        "demarche": {"number": demarche.pk},
        "groupeInstructeur": {"label": "Ain", "instructeurs": [{"email": colleague.user.email}, {"email": colleague.user.email}]},
    }, selection=GROUPE)
    payload = body["data"]["groupeInstructeurCreer"]
    assert payload["errors"] is None
    assert payload["groupeInstructeur"]["label"] == "Ain" and payload["groupeInstructeur"]["closed"] is False
    assert [i["email"] for i in payload["groupeInstructeur"]["instructeurs"]] == [colleague.user.email]
    assert [w["message"] for w in payload["warnings"]] == [f"{colleague.user.email} est déjà instructeur de ce groupe."]
    assert GroupeInstructeur.objects.get(procedure=demarche, label="Ain").instructeurs.get() == colleague


def test_groupe_instructeur_creer_duplicate_label(gql, jeton, demarche):
    body = mutate(gql, jeton[1], "groupeInstructeurCreer", "GroupeInstructeurCreerInput", {
        "demarche": {"number": demarche.pk}, "groupeInstructeur": {"label": demarche.default_groupe.label},
    }, selection=GROUPE)
    payload = body["data"]["groupeInstructeurCreer"]
    assert payload["groupeInstructeur"] is None and "existe déjà" in payload["errors"][0]["message"]


def test_groupe_instructeur_creer_outside_token_scope(gql, jeton, administrateur):
    autre = factories.procedure_creer(publier=False)
    body = mutate(gql, jeton[1], "groupeInstructeurCreer", "GroupeInstructeurCreerInput", {
        "demarche": {"number": autre.pk}, "groupeInstructeur": {"label": "Ain"},
    }, selection=GROUPE)
    assert body["data"]["groupeInstructeurCreer"] is None and body["errors"]
    assert not GroupeInstructeur.objects.filter(procedure=autre, label="Ain").exists()


def test_groupe_instructeur_modifier(gql, jeton, demarche):
    ain = GroupeInstructeur.objects.create(procedure=demarche, label="Ain")
    body = mutate(gql, jeton[1], "groupeInstructeurModifier", "GroupeInstructeurModifierInput", {
        "groupeInstructeurId": gid(ain), "label": "Département de l'Ain", "closed": True,
    }, selection=MODIFIER)
    payload = body["data"]["groupeInstructeurModifier"]
    assert payload["errors"] is None
    assert payload["groupeInstructeur"] == {"id": gid(ain), "label": "Département de l'Ain", "closed": True}
    # The last open groupe cannot be closed
    body = mutate(gql, jeton[1], "groupeInstructeurModifier", "GroupeInstructeurModifierInput", {
        "groupeInstructeurId": gid(demarche.default_groupe), "closed": True,
    }, selection=MODIFIER)
    assert "Au moins un groupe doit rester ouvert" in body["data"]["groupeInstructeurModifier"]["errors"][0]["message"]


def test_read_only_token_cannot_modify(gql, administrateur, demarche):
    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Lecture", write_access=False)
    body = mutate(gql, secret, "groupeInstructeurModifier", "GroupeInstructeurModifierInput", {
        "groupeInstructeurId": gid(demarche.default_groupe), "label": "Autre nom",
    }, selection=MODIFIER)
    assert body["data"]["groupeInstructeurModifier"] is None and body["errors"]
    assert demarche.default_groupe.label != "Autre nom"


def test_ajouter_supprimer_instructeurs_on_any_groupe(gql, jeton, demarche):
    ain = GroupeInstructeur.objects.create(procedure=demarche, label="Ain")
    colleague = factories.InstructeurFactory()
    body = mutate(gql, jeton[1], "groupeInstructeurAjouterInstructeurs", "GroupeInstructeurAjouterInstructeursInput", {
        "groupeInstructeurId": gid(ain), "instructeurs": [{"email": colleague.user.email}],
    }, selection=GROUPE)
    assert body["data"]["groupeInstructeurAjouterInstructeurs"]["errors"] is None
    assert list(ain.instructeurs.all()) == [colleague]
    assert not demarche.default_groupe.instructeurs.filter(pk=colleague.pk).exists()
    body = mutate(gql, jeton[1], "groupeInstructeurSupprimerInstructeurs", "GroupeInstructeurSupprimerInstructeursInput", {
        "groupeInstructeurId": gid(ain), "instructeurs": [{"email": colleague.user.email}],
    }, selection="errors { message } groupeInstructeur { instructeurs { email } }")
    assert body["data"]["groupeInstructeurSupprimerInstructeurs"] == {"errors": None, "groupeInstructeur": {"instructeurs": []}}


def test_dossier_changer_groupe_instructeur(gql, jeton, demarche, dossier):
    ain = GroupeInstructeur.objects.create(procedure=demarche, label="Ain")
    body = mutate(gql, jeton[1], "dossierChangerGroupeInstructeur", "DossierChangerGroupeInstructeurInput", {
        "dossierId": global_id("Dossier", dossier.pk), "groupeInstructeurId": gid(ain),
    }, selection=CHANGER)
    assert body["data"]["dossierChangerGroupeInstructeur"] == {
        "errors": None, "dossier": {"number": dossier.pk, "groupeInstructeur": {"label": "Ain"}},
    }
    # Same groupe again: an error in the payload
    body = mutate(gql, jeton[1], "dossierChangerGroupeInstructeur", "DossierChangerGroupeInstructeurInput", {
        "dossierId": global_id("Dossier", dossier.pk), "groupeInstructeurId": gid(ain),
    }, selection=CHANGER)
    assert "déjà dans le groupe" in body["data"]["dossierChangerGroupeInstructeur"]["errors"][0]["message"]


def test_dossier_changer_groupe_of_another_demarche(gql, jeton, administrateur, demarche, dossier):
    autre = factories.procedure_creer(administrateur=administrateur, publier=False)
    body = mutate(gql, jeton[1], "dossierChangerGroupeInstructeur", "DossierChangerGroupeInstructeurInput", {
        "dossierId": global_id("Dossier", dossier.pk), "groupeInstructeurId": gid(autre.default_groupe),
    }, selection=CHANGER)
    assert "même démarche" in body["data"]["dossierChangerGroupeInstructeur"]["errors"][0]["message"]
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == demarche.default_groupe


def test_dossier_supprimer_message(gql, jeton, dossier, instructeur):
    message = dossier_services.message_envoyer(dossier=dossier, user=instructeur.user, body="Pièce manquante.", instructeur=instructeur)
    body = mutate(gql, jeton[1], "dossierSupprimerMessage", "DossierSupprimerMessageInput", {
        "messageId": global_id("Commentaire", message.pk), "instructeurId": global_id("Instructeur", instructeur.pk),
    }, selection=MESSAGE)
    payload = body["data"]["dossierSupprimerMessage"]
    assert payload["errors"] is None
    assert payload["message"]["body"] == "Message supprimé" and payload["message"]["discardedAt"] is not None
    message.refresh_from_db()
    assert message.discarded_at is not None


def test_dossier_supprimer_message_refusals(gql, jeton, demarche, dossier, instructeur):
    colleague = factories.InstructeurFactory()
    demarche.default_groupe.instructeurs.add(colleague)
    message = dossier_services.message_envoyer(dossier=dossier, user=instructeur.user, body="Corrigez.", instructeur=instructeur)
    variables = {"messageId": global_id("Commentaire", message.pk), "instructeurId": global_id("Instructeur", colleague.pk)}
    body = mutate(gql, jeton[1], "dossierSupprimerMessage", "DossierSupprimerMessageInput", variables, selection=MESSAGE)
    assert "propres messages" in body["data"]["dossierSupprimerMessage"]["errors"][0]["message"]
    CorrectionDemande.objects.create(dossier=dossier, commentaire=message)
    variables["instructeurId"] = global_id("Instructeur", instructeur.pk)
    body = mutate(gql, jeton[1], "dossierSupprimerMessage", "DossierSupprimerMessageInput", variables, selection=MESSAGE)
    assert "correction en attente" in body["data"]["dossierSupprimerMessage"]["errors"][0]["message"]
    message.refresh_from_db()
    assert message.discarded_at is None and message.body == "Corrigez."
