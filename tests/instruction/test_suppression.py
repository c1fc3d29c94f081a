"""« Supprimer le dossier » for the administration and « Restaurer » (« supprimés récemment »): services,
views and their authorisation, exclusion from the lists, counters and exports, the purge, the API."""

import html
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from demarches.audit.models import OperationLog
from demarches.dossiers import services_usager
from demarches.dossiers.models import Dossier, DossierSupprime, Follow
from demarches.instruction import selectors, services
from demarches.instruction.models import SUPPRESSION_RESTAURABLE_DELAI, SuppressionAdministration
from tests import factories

from .conftest import autre_procedure, dossier_url

S = Dossier.State


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def accepte(procedure):
    return factories.dossier_creer(procedure=procedure, state=S.ACCEPTE, processed_at=timezone.now())


def _vieillir(dossier, jours):
    SuppressionAdministration.objects.filter(dossier=dossier).update(
        created_at=timezone.now() - timedelta(days=jours)
    )


# --- services ------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.ACCEPTE, S.REFUSE, S.SANS_SUITE])
def test_a_terminated_dossier_is_deleted_for_the_administration_with_an_audit_entry(procedure, instructeur, state):
    # given a terminated dossier
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    # when an instructeur of the démarche deletes it
    suppression = services.dossier_supprimer_pour_administration(dossier=dossier, instructeur=instructeur)
    # then it is marked deleted, by him, and the audit log says so
    assert suppression.instructeur == instructeur
    dossier.refresh_from_db()
    assert services.est_supprime_pour_administration(dossier)
    log = OperationLog.objects.get(operation="dossier_supprimer_administration", dossier_id=dossier.pk)
    assert log.actor_email == instructeur.user.email and log.data == {"state": state}
    # and the usager still has it, untouched
    assert dossier.hidden_by_user_at is None and dossier.state == state


@pytest.mark.parametrize("state", [S.EN_CONSTRUCTION, S.EN_INSTRUCTION])
def test_a_dossier_not_terminated_cannot_be_deleted(procedure, instructeur, state):
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    assert not services.can_supprimer_pour_administration(instructeur, dossier)
    with pytest.raises(ValidationError):
        services.dossier_supprimer_pour_administration(dossier=dossier, instructeur=instructeur)
    assert not SuppressionAdministration.objects.exists()


def test_another_demarches_instructeur_can_neither_delete_nor_restore(accepte, instructeur):
    # given an instructeur of another démarche
    autre = autre_procedure().default_groupe.instructeurs.first()
    assert not services.can_supprimer_pour_administration(autre, accepte)
    with pytest.raises(PermissionDenied):
        services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=autre)
    # and once deleted by the right one, he cannot restore it either
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    accepte.refresh_from_db()
    assert not services.can_restaurer_pour_administration(autre, accepte)
    with pytest.raises(PermissionDenied):
        services.dossier_restaurer_pour_administration(dossier=accepte, instructeur=autre)
    assert SuppressionAdministration.objects.filter(dossier=accepte).exists()


def test_deleting_twice_logs_once_and_restoring_brings_it_back(accepte, instructeur):
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    assert OperationLog.objects.filter(operation="dossier_supprimer_administration").count() == 1
    # when he restores it
    services.dossier_restaurer_pour_administration(dossier=accepte, instructeur=instructeur)
    # then it is back, and the restoration is in the audit log
    assert not SuppressionAdministration.objects.filter(dossier=accepte).exists()
    assert OperationLog.objects.filter(operation="dossier_restaurer_administration", dossier_id=accepte.pk).count() == 1
    # and restoring again changes nothing
    services.dossier_restaurer_pour_administration(dossier=accepte, instructeur=instructeur)
    assert OperationLog.objects.filter(operation="dossier_restaurer_administration").count() == 1


def test_restoration_is_possible_only_during_the_retention_period(accepte, instructeur):
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    _vieillir(accepte, SUPPRESSION_RESTAURABLE_DELAI.days + 1)
    accepte = Dossier.objects.get(pk=accepte.pk)
    assert not services.can_restaurer_pour_administration(instructeur, accepte)
    with pytest.raises(ValidationError):
        services.dossier_restaurer_pour_administration(dossier=accepte, instructeur=instructeur)
    # and the dossier has left the « supprimés récemment » tab too
    assert selectors.compteurs(instructeur, accepte.procedure)["supprimes"] == 0


# --- lists, counters, exports ----------------------------------------------------------------------


def test_a_deleted_dossier_leaves_every_tab_and_counter_but_supprimes(procedure, instructeur, accepte):
    archive = factories.dossier_creer(procedure=procedure, state=S.REFUSE, archived=True)
    Follow.objects.create(instructeur=instructeur, dossier=accepte)
    avant = selectors.compteurs(instructeur, procedure)
    assert avant["traites"] == 1 and avant["tous"] == 2 - 1 and avant["archives"] == 1 and avant["supprimes"] == 0
    # when both are deleted
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    services.dossier_supprimer_pour_administration(dossier=archive, instructeur=instructeur)
    # then the counters of the list and of the démarches dashboard leave them out
    apres = selectors.compteurs(instructeur, procedure)
    assert apres == {**avant, "traites": 0, "tous": 0, "archives": 0, "supprimes": 2}
    ligne = selectors.procedures_avec_compteurs(instructeur).get(pk=procedure.pk)
    assert (ligne.traites, ligne.total, ligne.nb_archives, ligne.nb_supprimes) == (0, 0, 0, 2)
    # and the rows too
    for tab in ("traites", "tous", "archives", "expirant"):
        assert not selectors.dossiers_de_la_liste(instructeur, procedure, tab).exists()
    assert set(selectors.dossiers_de_la_liste(instructeur, procedure, "supprimes")) == {accepte, archive}


def test_exports_leave_deleted_dossiers_out(procedure, instructeur, accepte):
    from demarches.exports.selectors import dossiers_a_exporter

    garde = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE)
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    for statut in ("traites", "tous"):
        for include_archived in (False, True):
            exportes = set(
                dossiers_a_exporter(instructeur, procedure, statut=statut, include_archived=include_archived)
            )
            assert exportes == {garde}
    # while the « supprimés récemment » tab exports them, like it lists them
    assert set(dossiers_a_exporter(instructeur, procedure, statut="supprimes", include_archived=False)) == {accepte}


def test_monthly_archives_leave_deleted_dossiers_out(procedure, instructeur, accepte):
    from demarches.exports.archives import dossiers_archivables

    garde = factories.dossier_creer(procedure=procedure, state=S.REFUSE, processed_at=timezone.now())
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    assert set(dossiers_archivables(instructeur.user, procedure)) == {garde}


# --- purge ---------------------------------------------------------------------------------------


def test_purge_only_when_the_usager_deleted_it_too_and_both_periods_are_over(accepte, instructeur):
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    _vieillir(accepte, SUPPRESSION_RESTAURABLE_DELAI.days + 1)
    # given the administration's period is over but the usager kept it: it stays for him
    assert services.dossiers_supprimes_purger() == 0
    assert Dossier.objects.filter(pk=accepte.pk).exists()
    # when the usager deletes it too: his own period runs first
    services_usager.dossier_supprimer(dossier=accepte, user=accepte.user)
    assert services.dossiers_supprimes_purger() == 0
    # then, once over, the dossier is deleted for good, leaving its trace
    later = timezone.now() + services_usager.CORBEILLE_PURGE_DELAY + timedelta(minutes=1)
    assert services.dossiers_supprimes_purger(now=later) == 1
    assert not Dossier.objects.filter(pk=accepte.pk).exists()
    trace = DossierSupprime.objects.get(dossier_number=accepte.pk)
    assert trace.state == S.ACCEPTE and trace.reason == DossierSupprime.Reason.CORBEILLE
    assert services.dossiers_supprimes_purger(now=later) == 0


def test_purge_never_touches_a_dossier_only_the_usager_deleted(accepte):
    services_usager.dossier_supprimer(dossier=accepte, user=accepte.user)
    later = timezone.now() + timedelta(days=60)
    assert services.dossiers_supprimes_purger(now=later) == 0
    assert Dossier.objects.filter(pk=accepte.pk).exists()


# --- views ---------------------------------------------------------------------------------------


def test_delete_from_the_dossier_page_then_restore_from_the_tab(instructeur_client, accepte, procedure):
    # the dossier page offers « Supprimer le dossier » with its confirmation dialog
    content = page(instructeur_client.get(dossier_url(accepte)))
    assert "Supprimer le dossier" in content and 'id="modale-supprimer"' in content
    # without JavaScript, the confirmation is a page of its own
    confirmation = page(instructeur_client.get(dossier_url(accepte, "instruction:supprimer")))
    assert f"Supprimer le dossier n° {accepte.pk} ?" in confirmation
    assert not SuppressionAdministration.objects.exists()
    # when he confirms
    response = instructeur_client.post(dossier_url(accepte, "instruction:supprimer"), follow=True)
    content = page(response)
    assert f"Le dossier n° {accepte.pk} a été supprimé pour l'administration" in content
    assert f"Dossier n° {accepte.pk}</a>" not in content  # out of « traités »
    # then it is in « supprimés récemment », with « Restaurer »
    liste = reverse("instruction:procedure", args=[procedure.pk])
    content = page(instructeur_client.get(liste, {"statut": "supprimes"}))
    assert f"Dossier n° {accepte.pk}</a>" in content and "Restaurer" in content
    # its page says it is deleted and offers nothing but « Restaurer »
    content = page(instructeur_client.get(dossier_url(accepte)))
    assert "supprimé pour l'administration" in content and "Restaurer" in content
    assert "Archiver le dossier" not in content and "Repasser en instruction" not in content
    # when he restores it from the tab, he comes back to the tab
    response = instructeur_client.post(
        dossier_url(accepte, "instruction:restaurer"), {"next": f"{liste}?statut=supprimes"}
    )
    assert response.url == f"{liste}?statut=supprimes"
    assert not SuppressionAdministration.objects.exists()
    assert f"Dossier n° {accepte.pk}</a>" in page(instructeur_client.get(liste, {"statut": "traites"}))


def test_views_refuse_a_dossier_not_terminated(instructeur_client, dossier_en_instruction):
    content = page(instructeur_client.get(dossier_url(dossier_en_instruction)))
    assert "Supprimer le dossier" not in content
    response = instructeur_client.post(dossier_url(dossier_en_instruction, "instruction:supprimer"), follow=True)
    assert "seul un dossier traité" in page(response)
    assert not SuppressionAdministration.objects.exists()


def test_views_of_another_demarches_instructeur_answer_404(client, accepte, instructeur):
    autre = autre_procedure().default_groupe.instructeurs.first()
    client.force_login(autre.user)
    assert client.get(dossier_url(accepte, "instruction:supprimer")).status_code == 404
    assert client.post(dossier_url(accepte, "instruction:supprimer")).status_code == 404
    assert not SuppressionAdministration.objects.exists()
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    assert client.post(dossier_url(accepte, "instruction:restaurer")).status_code == 404
    assert SuppressionAdministration.objects.filter(dossier=accepte).exists()


def test_the_usager_keeps_seeing_it_and_may_delete_it(client, accepte, instructeur):
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    client.force_login(accepte.user)
    assert client.get(reverse("dossiers:show", args=[accepte.pk])).status_code == 200
    assert f"{accepte.pk}" in page(client.get(reverse("dossiers:index"), {"statut": "traites"}))
    services_usager.dossier_supprimer(dossier=accepte, user=accepte.user)
    accepte.refresh_from_db()
    assert accepte.is_hidden_by_user


def test_the_messagerie_of_a_deleted_dossier_is_closed(instructeur_client, accepte, instructeur):
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    response = instructeur_client.post(dossier_url(accepte, "instruction:messagerie"), {"body": "Bonjour"}, follow=True)
    assert "restaurez-le pour écrire" in page(response)
    assert not accepte.commentaires.filter(body="Bonjour").exists()


def test_the_purge_is_a_periodic_job(accepte, instructeur, settings):
    from demarches.instruction import tasks

    assert any(
        entry["task"] == "demarches.instruction.tasks.dossiers_supprimes_purger"
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    services_usager.dossier_supprimer(dossier=accepte, user=accepte.user)
    ancien = timezone.now() - timedelta(days=30)
    SuppressionAdministration.objects.filter(dossier=accepte).update(created_at=ancien)
    Dossier.objects.filter(pk=accepte.pk).update(hidden_by_user_at=ancien)
    assert tasks.dossiers_supprimes_purger() == 1
    assert not Dossier.objects.filter(pk=accepte.pk).exists()


@pytest.mark.parametrize("action", ["instruction:repasser_en_instruction", "instruction:archiver", "instruction:suivre"])
def test_a_deleted_dossier_is_read_only_until_restored(instructeur_client, accepte, instructeur, action):
    services.dossier_supprimer_pour_administration(dossier=accepte, instructeur=instructeur)
    assert instructeur_client.post(dossier_url(accepte, action)).status_code == 403
    accepte.refresh_from_db()
    assert accepte.state == Dossier.State.ACCEPTE and not accepte.archived
    assert not Follow.objects.filter(dossier=accepte).exists()
