"""Asking, building, reusing, purging and taking over exports."""

import datetime
import os
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from demarches.core.models import OutgoingEmail
from demarches.dossiers.models import Dossier
from demarches.exports import services
from demarches.exports.models import Export
from tests import factories

from .conftest import deposer
from .readers import read

S = Export.Status
pytestmark = pytest.mark.django_db


def demander(instructeur, procedure, format="xlsx", statut="tous", include_archived=False):
    return services.export_demander(
        instructeur=instructeur, procedure=procedure, format=format, statut=statut, include_archived=include_archived
    )


def vieillir(export, **delta):
    """Move an export's dates back in time, as if it had been asked earlier."""
    past = timezone.now() - datetime.timedelta(**delta)
    changes = {"created_at": past}
    for name in ("heartbeat_at", "finished_at"):
        if getattr(export, name):
            changes[name] = past
    if export.expires_at:
        changes["expires_at"] = past + services.EXPORT_TTL
    Export.objects.filter(pk=export.pk).update(**changes)
    export.refresh_from_db()
    return export


def test_asking_an_export_starts_its_job_after_commit_and_emails_the_link(
    instructeur, demarche, mailoutbox, django_capture_on_commit_callbacks
):
    deposer(demarche, state=Dossier.State.ACCEPTE)
    # when the instructeur asks for an export
    with django_capture_on_commit_callbacks(execute=True):
        export, created = demander(instructeur, demarche, "ods", "traites")
    # then the job ran after commit and the file is ready for 32 hours
    export.refresh_from_db()
    assert created and export.status == S.DONE and export.progress == 100 and export.row_count == 1
    assert export.attempts == 1 and export.run_token is None
    assert export.expires_at - export.finished_at == datetime.timedelta(hours=32)
    assert export.filename.startswith(f"dossiers_demarche-{demarche.pk}_traites_") and export.filename.endswith(".ods")
    assert list(read(export.file.path, "ods")) == ["Dossiers", "Avis"]
    # and an e-mail "Votre export est prêt" with the download link went to the instructeur
    (email,) = mailoutbox
    assert email.to == [instructeur.user.email]
    assert email.subject.startswith("Votre export est prêt")
    assert f"/procedures/{demarche.pk}/exports/{export.pk}/telecharger/" in email.body
    assert "« traités »" in email.body and "1 dossier" in email.body
    assert OutgoingEmail.objects.get(kind="export_pret").to == instructeur.user.email


def test_the_same_export_asked_within_5_minutes_is_reused(instructeur, demarche):
    first, created = demander(instructeur, demarche)
    services.export_generer(export_id=first.pk)
    # when asked again at once: the same export, ready
    again, created_again = demander(instructeur, demarche)
    assert created and not created_again and again.pk == first.pk
    # another format, tab or archive option is another export
    assert demander(instructeur, demarche, format="csv")[1]
    assert demander(instructeur, demarche, statut="traites")[1]
    assert demander(instructeur, demarche, include_archived=True)[1]
    # so is the same export asked by a colleague (it may hold other dossiers)
    collegue = factories.InstructeurFactory()
    demarche.default_groupe.instructeurs.add(collegue)
    assert demander(collegue, demarche)[1]
    # and after 5 minutes a new export is prepared with fresh data
    vieillir(first, minutes=6)
    renewed, created_renewed = demander(instructeur, demarche)
    assert created_renewed and renewed.pk != first.pk


def test_an_export_still_being_prepared_is_reused_whatever_its_age(instructeur, demarche):
    pending, _ = demander(instructeur, demarche)
    vieillir(pending, minutes=30)
    assert demander(instructeur, demarche) == (pending, False)


def test_only_an_instructeur_of_the_demarche_may_ask_valid_options(instructeur, demarche):
    with pytest.raises(PermissionDenied):
        demander(factories.InstructeurFactory(), demarche)
    with pytest.raises(ValidationError):
        demander(instructeur, demarche, format="pdf")
    with pytest.raises(ValidationError):
        demander(instructeur, demarche, statut="inconnu")  # « supprimes » is a tab of the list (supprimés récemment)
    assert not Export.objects.exists()


def test_the_job_is_idempotent(instructeur, demarche, mailoutbox, django_capture_on_commit_callbacks):
    export, _ = demander(instructeur, demarche)
    with django_capture_on_commit_callbacks(execute=True):
        services.export_generer(export_id=export.pk)
    name = Export.objects.get(pk=export.pk).file.name
    # when the job runs again (a retried or duplicated message)
    with django_capture_on_commit_callbacks(execute=True):
        services.export_generer(export_id=export.pk)
    # then nothing is rebuilt and no second e-mail is sent
    export.refresh_from_db()
    assert export.file.name == name and export.attempts == 1
    assert len(mailoutbox) == 1


def test_a_job_alive_in_another_worker_is_left_alone(instructeur, demarche):
    export, _ = demander(instructeur, demarche)
    Export.objects.filter(pk=export.pk).update(status=S.RUNNING, heartbeat_at=timezone.now(), attempts=1)
    services.export_generer(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == S.RUNNING and export.attempts == 1 and not export.file


def test_progress_is_reported_while_rows_are_written(instructeur, demarche):
    for _ in range(5):
        deposer(demarche)
    export, _ = demander(instructeur, demarche, "csv")
    seen = []
    real = services.export_construire

    def spy(export_, path, *, on_progress=None):
        def record(percent):
            on_progress(percent)
            seen.append(Export.objects.get(pk=export_.pk).progress)

        return real(export_, path, on_progress=record)

    # given 5 dossiers read 2 by 2
    with mock.patch("demarches.exports.selectors.CHUNK_SIZE", 2), mock.patch.object(services, "export_construire", spy):
        services.export_generer(export_id=export.pk)
    # then the stored progress rose after each chunk, and reached 100 % when done
    export.refresh_from_db()
    assert seen == [40, 80, 99]
    assert export.status == S.DONE and export.progress == 100


def test_a_worker_that_lost_its_export_stops_without_writing(instructeur, demarche, mailoutbox):
    deposer(demarche)
    export, _ = demander(instructeur, demarche)

    def taken_over(export_, path, *, on_progress=None):
        # another worker took the export over while this one was writing
        Export.objects.filter(pk=export_.pk).update(run_token=None, status=S.PENDING)
        on_progress(50)

    with mock.patch.object(services, "export_construire", taken_over):
        services.export_generer(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == S.PENDING and not export.file and not mailoutbox


def test_a_failing_job_is_retried_then_marked_failed(instructeur, demarche):
    export, _ = demander(instructeur, demarche)
    with mock.patch.object(services, "export_construire", side_effect=RuntimeError("disque plein")):
        services.export_generer(export_id=export.pk)
        export.refresh_from_db()
        # first failures: back to pending, the periodic job will retry it
        assert export.status == S.PENDING and "disque plein" in export.error and export.attempts == 1
        for _ in range(services.MAX_ATTEMPTS - 1):
            services.export_generer(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == S.FAILED and export.attempts == services.MAX_ATTEMPTS
    assert export.expires_at is not None


def test_purge_deletes_expired_exports_and_their_files(instructeur, demarche):
    old, _ = demander(instructeur, demarche, "csv")
    services.export_generer(export_id=old.pk)
    old.refresh_from_db()
    recent, _ = demander(instructeur, demarche, "xlsx")
    services.export_generer(export_id=recent.pk)
    path = old.file.path
    assert os.path.exists(path)
    # when the export is 33 hours old
    vieillir(old, hours=33)
    result = services.exports_purger()
    # then it is gone with its file, the recent one stays
    assert result["supprimes"] == 1
    assert not Export.objects.filter(pk=old.pk).exists() and not os.path.exists(path)
    assert Export.objects.filter(pk=recent.pk, status=S.DONE).exists()


def test_a_job_whose_worker_died_is_taken_over(instructeur, demarche, django_capture_on_commit_callbacks):
    deposer(demarche)
    export, _ = demander(instructeur, demarche)
    # given an export left "running" by a worker that died 20 minutes ago
    Export.objects.filter(pk=export.pk).update(
        status=S.RUNNING, attempts=1, progress=40, heartbeat_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    # when the periodic job runs
    with django_capture_on_commit_callbacks(execute=True):
        result = services.exports_purger()
    # then the export is relaunched and built by a new worker
    assert result["relances"] == 1
    export.refresh_from_db()
    assert export.status == S.DONE and export.attempts == 2 and export.row_count == 1


def test_a_forgotten_pending_export_is_relaunched(instructeur, demarche, django_capture_on_commit_callbacks):
    # given an export whose job was never queued (broker down when it was asked)
    export, _ = demander(instructeur, demarche)
    vieillir(export, minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.exports_purger()
    export.refresh_from_db()
    assert export.status == S.DONE


def test_a_job_that_keeps_dying_ends_failed(instructeur, demarche):
    export, _ = demander(instructeur, demarche)
    Export.objects.filter(pk=export.pk).update(
        status=S.RUNNING, attempts=services.MAX_ATTEMPTS, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert services.exports_purger()["abandonnes"] == 1
    export.refresh_from_db()
    assert export.status == S.FAILED and export.error


def test_the_purge_job_is_scheduled_by_celery_beat(settings):
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "demarches.exports.tasks.exports_purger"]
    assert entries and entries[0]["schedule"] <= 600
