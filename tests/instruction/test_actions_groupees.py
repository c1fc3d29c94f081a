"""Bulk actions on selected dossiers: launched from the list, run by the background job (eager in
tests), per-dossier outcomes, refusal of foreign dossiers, and resumption after a worker crash."""

import pytest
from django.urls import reverse

from demarches.core.models import OutgoingEmail
from demarches.dossiers.models import Dossier, Follow, Traitement
from demarches.instruction.liste import actions_groupees
from demarches.instruction.models import ActionGroupee, ActionGroupeeDossier
from demarches.procedures.models import GroupeInstructeur
from tests import factories

S = Dossier.State
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client_instructeur(client, instructeur):
    client.force_login(instructeur.user)
    return client


def lancer(client, procedure, action, dossiers, motivation=""):
    return client.post(
        reverse("instruction:action_groupee_lancer", args=[procedure.pk]),
        {"action": action, "dossiers": [d.pk for d in dossiers], "motivation": motivation, "statut": "tous"},
    )


def emails_de_decision(dossier):
    return OutgoingEmail.objects.filter(dossier_id=dossier.pk, kind__in=["acceptation", "refus", "sans_suite"]).count()


def test_accepter_in_bulk_decides_each_dossier_and_reports_the_ones_that_cannot_be(
    client_instructeur, instructeur, procedure
):
    # given two dossiers en instruction and one still en construction
    prets = [factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION) for _ in range(2)]
    trop_tot = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    # when the instructeur accepts the three at once
    response = lancer(client_instructeur, procedure, "accepter", [*prets, trop_tot])
    action = ActionGroupee.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("instruction:action_groupee", args=[procedure.pk, action.pk])
    # then the job (eager here) accepted the two, with one decision e-mail each, and reports the third
    for dossier in prets:
        dossier.refresh_from_db()
        assert dossier.state == S.ACCEPTE
        assert emails_de_decision(dossier) == 1
    trop_tot.refresh_from_db()
    assert trop_tot.state == S.EN_CONSTRUCTION
    action.refresh_from_db()
    assert action.status == ActionGroupee.Status.TERMINEE
    outcomes = dict(ActionGroupeeDossier.objects.values_list("dossier_id", "outcome"))
    assert outcomes == {prets[0].pk: "reussi", prets[1].pk: "reussi", trop_tot.pk: "echoue"}
    # and the progress page says so, dossier by dossier
    html = client_instructeur.get(response.url).content.decode()
    assert "Terminé : 3 dossiers traités sur 3" in html
    assert f"Dossier n° {trop_tot.pk}" in html and "cette action n&#x27;est plus possible" in html


def test_refuser_requires_one_motivation_shared_by_all(client_instructeur, procedure):
    dossiers = [factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION) for _ in range(2)]
    response = lancer(client_instructeur, procedure, "refuser", dossiers)
    assert response.status_code == 302 and not ActionGroupee.objects.exists()
    lancer(client_instructeur, procedure, "refuser", dossiers, motivation="Pièces manquantes")
    motivations = set(
        Traitement.objects.filter(dossier__in=dossiers, state=S.REFUSE).values_list("motivation", flat=True)
    )
    assert motivations == {"Pièces manquantes"}


def test_suivre_archiver_and_passer_en_instruction(client_instructeur, instructeur, procedure):
    nouveau = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    traite = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE)
    lancer(client_instructeur, procedure, "suivre", [nouveau, traite])
    assert Follow.objects.filter(instructeur=instructeur).count() == 2
    lancer(client_instructeur, procedure, "passer_en_instruction", [nouveau])
    nouveau.refresh_from_db()
    assert nouveau.state == S.EN_INSTRUCTION
    lancer(client_instructeur, procedure, "archiver", [traite, nouveau])
    traite.refresh_from_db()
    nouveau.refresh_from_db()
    assert traite.archived and not nouveau.archived
    assert ActionGroupeeDossier.objects.get(dossier=nouveau, action_groupee__action="archiver").outcome == "echoue"


def test_foreign_dossiers_refuse_the_whole_bulk_action(client_instructeur, instructeur, procedure):
    # given a dossier of another group of the démarche and one of another démarche
    mien = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    autre_groupe = GroupeInstructeur.objects.create(procedure=procedure, label="Sud")
    d_un_autre_groupe = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    Dossier.objects.filter(pk=d_un_autre_groupe.pk).update(groupe_instructeur=autre_groupe)
    autre_demarche = factories.procedure_creer(instructeurs=[instructeur], libelle="Autre")
    d_une_autre_demarche = factories.dossier_creer(procedure=autre_demarche, state=S.EN_INSTRUCTION)
    brouillon = factories.dossier_creer(procedure=procedure, state=S.BROUILLON)
    for intrus in (d_un_autre_groupe, d_une_autre_demarche, brouillon):
        # when one of them is slipped into the selection
        response = lancer(client_instructeur, procedure, "accepter", [mien, intrus])
        # then nothing at all is done
        assert response.status_code == 403
    assert not ActionGroupee.objects.exists()
    mien.refresh_from_db()
    assert mien.state == S.EN_INSTRUCTION


def test_at_most_500_dossiers(instructeur, procedure):
    with pytest.raises(actions_groupees.ValidationError, match="500 dossiers au plus"):
        actions_groupees.action_groupee_lancer(
            instructeur=instructeur, procedure=procedure, action="suivre", dossier_ids=range(1, 502)
        )


def test_the_progress_page_is_only_for_its_instructeur(client, instructeur, procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    action = actions_groupees.action_groupee_lancer(
        instructeur=instructeur, procedure=procedure, action="suivre", dossier_ids=[dossier.pk]
    )
    collegue = factories.InstructeurFactory()
    procedure.default_groupe.instructeurs.add(collegue)
    client.force_login(collegue.user)
    assert client.get(reverse("instruction:action_groupee", args=[procedure.pk, action.pk])).status_code == 404


class WorkerCrash(BaseException):
    """Not an Exception: like a killed worker, nothing in the job catches it."""


def test_a_job_interrupted_by_a_crash_resumes_without_acting_twice(
    instructeur, procedure, monkeypatch, django_capture_on_commit_callbacks
):
    # given a bulk acceptance of 5 dossiers whose worker dies while acting on the 3rd
    dossiers = [factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION) for _ in range(5)]
    original = actions_groupees._appliquer
    calls = []

    def crashing(action_groupee, dossier):
        calls.append(dossier.pk)
        if len(calls) == 3:
            original(action_groupee, dossier)  # the action is done… and the worker dies before the commit
            raise WorkerCrash
        return original(action_groupee, dossier)

    monkeypatch.setattr(actions_groupees, "_appliquer", crashing)
    with pytest.raises(WorkerCrash):
        actions_groupees.action_groupee_lancer(
            instructeur=instructeur, procedure=procedure, action="accepter", dossier_ids=[d.pk for d in dossiers]
        )
    action = ActionGroupee.objects.get()
    assert action.status == ActionGroupee.Status.EN_COURS
    assert ActionGroupeeDossier.objects.filter(outcome="reussi").count() == 2
    # when the job runs again (redelivery or take-over)
    monkeypatch.setattr(actions_groupees, "_appliquer", original)
    actions_groupees.action_groupee_executer(action_groupee_id=action.pk)
    # then every dossier was accepted exactly once, with exactly one e-mail
    for dossier in dossiers:
        assert Traitement.objects.filter(dossier=dossier, state=S.ACCEPTE).count() == 1
        assert emails_de_decision(dossier) == 1
    action.refresh_from_db()
    assert action.status == ActionGroupee.Status.TERMINEE
    assert actions_groupees.progression(action)["reussis"] == 5
    # and running it yet again does nothing
    actions_groupees.action_groupee_executer(action_groupee_id=action.pk)
    assert Traitement.objects.filter(dossier__in=dossiers, state=S.ACCEPTE).count() == 5


def test_stale_jobs_are_taken_over(instructeur, procedure, monkeypatch):
    from django.utils import timezone

    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    action = ActionGroupee.objects.create(
        procedure=procedure, instructeur=instructeur, action="suivre", total=1, status=ActionGroupee.Status.EN_COURS
    )
    ActionGroupeeDossier.objects.create(action_groupee=action, dossier=dossier)
    ActionGroupee.objects.filter(pk=action.pk).update(
        heartbeat_at=timezone.now() - actions_groupees.HEARTBEAT_TIMEOUT * 2
    )
    assert actions_groupees.actions_groupees_reprendre() == 1
    action.refresh_from_db()
    assert action.status == ActionGroupee.Status.TERMINEE
    assert Follow.objects.filter(instructeur=instructeur, dossier=dossier).exists()
