"""Archivage longue durée: months of processed dossiers, the background ZIP, the e-mail, the 4-day purge."""

import datetime
import io
import os
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from demarches.core.models import OutgoingEmail
from demarches.dossiers.models import Dossier
from demarches.exports import archives, services
from demarches.exports.models import Archive
from demarches.procedures.models import GroupeInstructeur
from tests import factories

from .test_zip_geojson import CHAMPS, piece

S = Archive.Status
pytestmark = pytest.mark.django_db


def traite(procedure, moment, *, state=Dossier.State.ACCEPTE, groupe=None):
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    updates = {"state": state, "processed_at": moment}
    if groupe is not None:
        updates["groupe_instructeur"] = groupe
    Dossier.objects.filter(pk=dossier.pk).update(**updates)
    dossier.refresh_from_db()
    return dossier


def moment(year, month, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 12, 0))


@pytest.fixture
def demarche(administrateur, instructeur):
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, libelle="Travaux en forêt")


def test_months_list_the_processed_dossiers_with_their_count_and_weight(instructeur, demarche):
    mars = traite(demarche, moment(2026, 3))
    piece(mars, "Devis", "devis.pdf", b"x" * 2048)
    traite(demarche, moment(2026, 3, 28), state=Dossier.State.REFUSE)
    traite(demarche, moment(2026, 5))
    factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_INSTRUCTION)  # not processed: not archived
    rows = archives.mois_archivables(instructeur.user, demarche)
    assert [(r.valeur, r.nombre, r.poids) for r in rows] == [("tout", 3, 2048), ("2026-05", 1, 0), ("2026-03", 2, 2048)]
    assert rows[2].libelle == "mars 2026"


def test_an_instructeur_archives_his_groups_dossiers_an_administrateur_all_of_them(instructeur, administrateur, demarche):
    nord = GroupeInstructeur.objects.create(procedure=demarche, label="Nord")
    sien = traite(demarche, moment(2026, 3))
    autre = traite(demarche, moment(2026, 3), groupe=nord)
    mars = datetime.date(2026, 3, 1)
    assert list(archives.dossiers_du_mois(instructeur.user, demarche, mars)) == [sien]
    assert set(archives.dossiers_du_mois(administrateur.user, demarche, mars)) == {sien, autre}
    assert list(archives.dossiers_du_mois(factories.UserFactory(), demarche, mars)) == []


def test_an_archive_is_built_in_the_background_and_emailed(instructeur, demarche, django_capture_on_commit_callbacks):
    # given processed dossiers in March and in April
    mars = traite(demarche, moment(2026, 3))
    piece(mars, "Devis", "devis.pdf", b"%PDF-devis")
    avril = traite(demarche, moment(2026, 4))
    # when the instructeur asks for the March archive
    with django_capture_on_commit_callbacks(execute=True):
        archive, created = archives.archive_demander(user=instructeur.user, procedure=demarche, mois=datetime.date(2026, 3, 1))
    # then the job (eager) built it: the March dossier only, with its PDF and attachment
    archive.refresh_from_db()
    assert created and archive.status == S.DONE and archive.row_count == 1 and archive.progress == 100
    assert archive.filename == f"archive_demarche-{demarche.pk}_2026-03.zip"
    with archive.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert names == [f"dossier-{mars.pk}/dossier-{mars.pk}.pdf", f"dossier-{mars.pk}/pieces_justificatives/Devis-devis.pdf"]
    assert f"dossier-{avril.pk}/dossier-{avril.pk}.pdf" not in names
    # and kept 4 days
    assert timedelta(days=3, hours=23) < archive.expires_at - archive.finished_at <= timedelta(days=4)
    # and the requester got an e-mail with the link
    email = OutgoingEmail.objects.get(kind="archive_prete")
    assert email.to == instructeur.user.email and "mars 2026" in email.body
    assert reverse("exports:archive_telecharger", args=[demarche.pk, archive.pk]) in email.body


def test_the_same_archive_asked_again_is_reused(instructeur, demarche):
    traite(demarche, moment(2026, 3))
    first, created = archives.archive_demander(user=instructeur.user, procedure=demarche, mois=None)
    again, created_again = archives.archive_demander(user=instructeur.user, procedure=demarche, mois=None)
    assert created and not created_again and again == first


def test_archives_are_refused_to_outsiders_and_empty_months(demarche, instructeur):
    with pytest.raises(PermissionDenied):
        archives.archive_demander(user=factories.InstructeurFactory().user, procedure=demarche, mois=None)
    with pytest.raises(ValidationError):
        archives.archive_demander(user=instructeur.user, procedure=demarche, mois=datetime.date(2026, 1, 1))


def test_expired_archives_are_purged_and_dead_jobs_taken_over(instructeur, demarche, django_capture_on_commit_callbacks):
    traite(demarche, moment(2026, 3))
    done = Archive.objects.create(procedure=demarche, requested_by=instructeur.user, status=S.DONE)
    done.file.save("vieille.zip", ContentFile(b"zip"), save=False)
    done.expires_at = timezone.now() - timedelta(minutes=1)
    done.save()
    path = done.file.path
    dead = Archive.objects.create(
        procedure=demarche, requested_by=instructeur.user, status=S.RUNNING, attempts=1,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.exports_purger()
    assert result["archives"]["supprimes"] == 1 and result["archives"]["relances"] == 1
    assert not Archive.objects.filter(pk=done.pk).exists()
    assert not os.path.exists(path)
    dead.refresh_from_db()
    assert dead.status == S.DONE and dead.file  # taken over and rebuilt by another worker


# --- pages ---------------------------------------------------------------------------------------


def test_archives_page_lists_months_and_asks_an_archive(client, instructeur, demarche, django_capture_on_commit_callbacks):
    traite(demarche, moment(2026, 3))
    client.force_login(instructeur.user)
    url = reverse("exports:archives", args=[demarche.pk])
    html = client.get(url).content.decode()
    assert "<h1>Archivage longue durée</h1>" in html
    assert "Mars 2026" in html and "Tous les dossiers traités" in html
    assert 'name="mois" value="2026-03"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exports:archive_demander", args=[demarche.pk]), {"mois": "2026-03"})
    assert response.url == url
    archive = Archive.objects.get()
    html = client.get(url).content.decode()
    download = reverse("exports:archive_telecharger", args=[demarche.pk, archive.pk])
    assert download in html and "Télécharger l'archive" in html
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None


def test_an_administrateur_who_does_not_instruct_reaches_the_archives(client, administrateur, demarche):
    traite(demarche, moment(2026, 3))
    client.force_login(administrateur.user)
    html = client.get(reverse("exports:archives", args=[demarche.pk])).content.decode()
    assert "vos archives contiennent tous ses dossiers" in html


def test_archives_pages_are_404_for_others(client, instructeur, demarche):
    traite(demarche, moment(2026, 3))
    archive, _ = archives.archive_demander(user=instructeur.user, procedure=demarche, mois=None)
    other = factories.InstructeurFactory()
    demarche.default_groupe.instructeurs.add(other)
    client.force_login(other.user)
    # a colleague reaches the page, but not another's archive
    assert client.get(reverse("exports:archives", args=[demarche.pk])).status_code == 200
    assert client.get(reverse("exports:archive_telecharger", args=[demarche.pk, archive.pk])).status_code == 404
    # somebody who neither instructs nor administers the démarche gets a 404
    client.force_login(factories.InstructeurFactory().user)
    assert client.get(reverse("exports:archives", args=[demarche.pk])).status_code == 404


def test_the_archive_row_is_polled_while_being_prepared(client, instructeur, demarche):
    traite(demarche, moment(2026, 3))
    archive = Archive.objects.create(procedure=demarche, requested_by=instructeur.user, status=S.RUNNING, progress=40)
    client.force_login(instructeur.user)
    url = reverse("exports:archive_progression", args=[demarche.pk, archive.pk])
    html = client.get(reverse("exports:archives", args=[demarche.pk])).content.decode()
    assert f'hx-get="{url}"' in html
    row = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="40"' in row and "en préparation" in row
