"""groupeInstructeurAjouterInstructeurs / SupprimerInstructeurs and demarcheCloner, through the administrateur's services."""

from demarches.accounts.models import Instructeur
from demarches.api import services as api_services
from demarches.api.graphql.ids import global_id
from demarches.audit.models import OperationLog
from demarches.procedures.models import InstructeurInvitation, Procedure
from tests import factories

from .test_mutations import mutate

GROUPE = "errors { message } warnings { message } groupeInstructeur { number instructeurs { email } }"
CLONE = "errors { message } demarche { number title state service { nom } revision { champDescriptors { label } } }"


def groupe_id(demarche):
    return global_id("GroupeInstructeur", demarche.default_groupe.pk)


def test_ajouter_instructeurs(gql, jeton, demarche, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    colleague = factories.InstructeurFactory()
    with django_capture_on_commit_callbacks(execute=True):
        body = mutate(gql, jeton[1], "groupeInstructeurAjouterInstructeurs", "GroupeInstructeurAjouterInstructeursInput", {
            "groupeInstructeurId": groupe_id(demarche),
            "instructeurs": [
                {"email": colleague.user.email},
                {"email": "nouvelle.recrue@exemple.fr"},
                {"id": global_id("Instructeur", instructeur.pk)},  # already there: a warning, not an error
            ],
        }, selection=GROUPE)
    payload = body["data"]["groupeInstructeurAjouterInstructeurs"]
    assert payload["errors"] is None
    assert [w["message"] for w in payload["warnings"]] == [f"{instructeur.user.email} est déjà instructeur de cette démarche."]
    assert {i["email"] for i in payload["groupeInstructeur"]["instructeurs"]} == {instructeur.user.email, colleague.user.email}
    assert demarche.default_groupe.instructeurs.filter(pk=colleague.pk).exists()
    assert InstructeurInvitation.objects.filter(email="nouvelle.recrue@exemple.fr", groupe=demarche.default_groupe).exists()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([colleague.user.email, "nouvelle.recrue@exemple.fr"])
    assert OperationLog.objects.filter(procedure_id=demarche.pk, operation="instructeur_affecter").count() == 2


def test_supprimer_instructeurs(gql, jeton, demarche, instructeur):
    colleague = factories.InstructeurFactory()
    demarche.default_groupe.instructeurs.add(colleague)
    variables = {"groupeInstructeurId": groupe_id(demarche), "instructeurs": [{"email": colleague.user.email.upper()}]}
    body = mutate(gql, jeton[1], "groupeInstructeurSupprimerInstructeurs", "GroupeInstructeurSupprimerInstructeursInput",
                  variables, selection=GROUPE.replace("warnings { message } ", ""))
    payload = body["data"]["groupeInstructeurSupprimerInstructeurs"]
    assert payload["errors"] is None
    assert payload["groupeInstructeur"]["instructeurs"] == [{"email": instructeur.user.email}]
    assert OperationLog.objects.filter(procedure_id=demarche.pk, operation="procedure_modifier", data__action="instructeur_retirer").exists()
    # Someone who is not in the groupe: refused, nobody removed
    body = mutate(gql, jeton[1], "groupeInstructeurSupprimerInstructeurs", "GroupeInstructeurSupprimerInstructeursInput", {
        "groupeInstructeurId": groupe_id(demarche),
        "instructeurs": [{"email": instructeur.user.email}, {"email": "inconnu@exemple.fr"}],
    }, selection="errors { message }")
    assert "inconnu@exemple.fr" in body["data"]["groupeInstructeurSupprimerInstructeurs"]["errors"][0]["message"]
    assert demarche.default_groupe.instructeurs.filter(pk=instructeur.pk).exists()


def test_groupe_authorisation(gql, administrateur, jeton, demarche):
    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Lecture", write_access=False)
    variables = {"groupeInstructeurId": groupe_id(demarche), "instructeurs": [{"email": "x@exemple.fr"}]}
    body = mutate(gql, secret, "groupeInstructeurAjouterInstructeurs", "GroupeInstructeurAjouterInstructeursInput",
                  variables, selection="errors { message }")
    assert body["errors"][0]["extensions"]["code"] == "forbidden"
    other = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    body = mutate(gql, jeton[1], "groupeInstructeurAjouterInstructeurs", "GroupeInstructeurAjouterInstructeursInput",
                  {**variables, "groupeInstructeurId": groupe_id(other)}, selection="errors { message }")
    assert body["errors"][0]["extensions"]["code"] == "unauthorized"
    assert not InstructeurInvitation.objects.filter(email="x@exemple.fr").exists()
    assert not Instructeur.objects.filter(user__email="x@exemple.fr").exists()


def test_demarche_cloner(gql, jeton, demarche, administrateur):
    before = Procedure.objects.count()
    body = mutate(gql, jeton[1], "demarcheCloner", "DemarcheClonerInput",
                  {"demarche": {"number": demarche.pk}, "title": "Subvention 2027", "clientMutationId": "c"}, selection=CLONE)
    payload = body["data"]["demarcheCloner"]
    assert payload["errors"] is None
    clone = Procedure.objects.get(pk=payload["demarche"]["number"])
    assert Procedure.objects.count() == before + 1 and clone.pk != demarche.pk
    assert payload["demarche"]["title"] == "Subvention 2027" == clone.libelle
    assert payload["demarche"]["state"] == "brouillon"
    assert clone.administrateurs.filter(pk=administrateur.pk).exists()
    labels = [d["label"] for d in payload["demarche"]["revision"]["champDescriptors"]]
    assert labels[:2] == ["Nom du projet", "Description du projet"]
    assert not clone.dossiers.exists()
    # his own démarche: its groupes keep their instructeurs (procedure_cloner, like the reference platform)
    assert set(clone.default_groupe.instructeurs.all()) == set(demarche.default_groupe.instructeurs.all())
    assert OperationLog.objects.filter(procedure_id=clone.pk, data__action="procedure_cloner").exists()


def test_demarche_cloner_without_service_and_by_id(gql, jeton, demarche):
    body = mutate(gql, jeton[1], "demarcheCloner", "DemarcheClonerInput",
                  {"demarche": {"id": global_id("Procedure", demarche.pk)}, "cloneService": False}, selection=CLONE)
    payload = body["data"]["demarcheCloner"]
    assert payload["errors"] is None and payload["demarche"]["service"] is None
    assert payload["demarche"]["title"] == demarche.libelle


def test_demarche_cloner_outside_the_scope(gql, jeton, administrateur):
    other = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    before = Procedure.objects.count()
    body = mutate(gql, jeton[1], "demarcheCloner", "DemarcheClonerInput", {"demarche": {"number": other.pk}}, selection=CLONE)
    assert body["errors"][0]["extensions"]["code"] == "unauthorized"
    assert Procedure.objects.count() == before
    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Lecture", write_access=False)
    body = mutate(gql, secret, "demarcheCloner", "DemarcheClonerInput", {"demarche": {"number": other.pk}}, selection=CLONE)
    assert body["errors"][0]["extensions"]["code"] == "forbidden"
