"""Archivage longue durée: the processed dossiers of a démarche, month by month or all of them, as a
ZIP of their PDFs and attachments built by a background job, e-mailed when ready, kept 4 days.

An instructeur archives the dossiers of his groupes instructeurs; an administrateur of the démarche
archives all of them. A month holds the dossiers whose decision was taken that month.
"""

import datetime
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from demarches.core.emails import email_envoyer
from demarches.dossiers.models import Dossier, PieceJointe
from demarches.instruction import selectors as instruction_selectors
from demarches.procedures.models import Procedure

from . import policies
from . import zip as zip_export
from .models import Archive

logger = logging.getLogger(__name__)
S = Archive.Status
ARCHIVE_TTL = timedelta(days=getattr(settings, "ARCHIVE_TTL_DAYS", 4))
MOIS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre",
)


def mois_libelle(mois: datetime.date | None) -> str:
    return f"{MOIS[mois.month - 1]} {mois.year}" if mois else "tous les dossiers traités"


def dossiers_archivables(user, procedure: Procedure) -> QuerySet:
    """The processed dossiers of the démarche that the user may archive."""
    if policies.can_archive_all(user, procedure):
        dossiers = Dossier.objects.filter(procedure=procedure).exclude(state=Dossier.State.BROUILLON)
    else:
        instructeur = getattr(user, "instructeur", None)
        if instructeur is None:
            return Dossier.objects.none()
        dossiers = instruction_selectors.dossiers_visibles(instructeur).filter(procedure=procedure)
    # Dossiers deleted for the administration (instruction.services.dossier_supprimer_pour_administration) are left out.
    return dossiers.filter(
        state__in=Dossier.TERMINE, processed_at__isnull=False, for_procedure_preview=False,
        suppression_administration__isnull=True,
    )


def _bornes(mois: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime(mois.year, mois.month, 1, tzinfo=zone)
    end = datetime.datetime(mois.year + (mois.month == 12), mois.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def dossiers_du_mois(user, procedure: Procedure, mois: datetime.date | None) -> QuerySet:
    dossiers = dossiers_archivables(user, procedure)
    if mois is not None:
        start, end = _bornes(mois)
        dossiers = dossiers.filter(processed_at__gte=start, processed_at__lt=end)
    return dossiers.order_by("processed_at", "pk")


@dataclass
class MoisArchivable:
    mois: datetime.date | None
    nombre: int
    poids: int  # bytes of the attachments (the PDFs come on top)
    archive: Archive | None = None

    @property
    def libelle(self) -> str:
        return mois_libelle(self.mois)

    @property
    def valeur(self) -> str:
        return self.mois.strftime("%Y-%m") if self.mois else "tout"


def mois_archivables(user, procedure: Procedure) -> list[MoisArchivable]:
    """"Tous les dossiers" then each month with processed dossiers, newest first, with its dossier count,
    the weight of its attachments and the user's latest archive of it (three queries)."""
    dossiers = dossiers_archivables(user, procedure)
    zone = timezone.get_current_timezone()
    counts = (
        dossiers.annotate(mois=TruncMonth("processed_at", tzinfo=zone)).values("mois").annotate(n=Count("pk"))
        .order_by("-mois")
    )
    weights = dict(
        PieceJointe.objects.filter(champ__dossier__in=dossiers.values("pk"))
        .annotate(mois=TruncMonth("champ__dossier__processed_at", tzinfo=zone)).values("mois")
        .annotate(poids=Sum("size")).values_list("mois", "poids")
    )
    rows = []
    for row in counts:
        moment = row["mois"]
        day = moment.date() if isinstance(moment, datetime.datetime) else moment
        rows.append(MoisArchivable(mois=day, nombre=row["n"], poids=weights.get(moment) or 0))
    if rows:
        rows.insert(0, MoisArchivable(mois=None, nombre=sum(r.nombre for r in rows), poids=sum(r.poids for r in rows)))
    latest: dict = {}
    for archive in archives_recentes(user, procedure, now=timezone.now()):
        latest.setdefault(archive.mois, archive)
    for row in rows:
        row.archive = latest.get(row.mois)
    return rows


def archives_recentes(user, procedure: Procedure, *, now) -> QuerySet:
    return (
        Archive.objects.filter(procedure=procedure, requested_by=user)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")
    )


def _enqueue(archive_id: int) -> None:
    from .tasks import archive_generer

    try:
        archive_generer.delay(archive_id)
    except Exception:
        logger.exception("Archive %s non mise en file : elle sera relancée par la tâche périodique", archive_id)


def parse_mois(value: str) -> datetime.date | None:
    """"tout" or "AAAA-MM"; raises ValidationError otherwise."""
    if value == "tout":
        return None
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date().replace(day=1)
    except ValueError:
        raise ValidationError({"mois": "Choisissez un mois à archiver."}) from None


@transaction.atomic
def archive_demander(*, user, procedure: Procedure, mois: datetime.date | None) -> tuple[Archive, bool]:
    """Ask for the archive of a month (None: every processed dossier); returns (archive, created).

    The same archive being prepared, or ready and not expired, is reused.
    """
    if not policies.can_archive(user, procedure):
        raise PermissionDenied("Vous ne pouvez pas archiver les dossiers de cette démarche.")
    if not dossiers_du_mois(user, procedure, mois).exists():
        raise ValidationError({"mois": "Aucun dossier traité à archiver pour cette période."})
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one request at a time per user
    reusable = (
        archives_recentes(user, procedure, now=timezone.now())
        .filter(mois=mois, status__in=[S.PENDING, S.RUNNING, S.DONE])
        .first()
    )
    if reusable is not None:
        return reusable, False
    archive = Archive.objects.create(procedure=procedure, requested_by=user, mois=mois)
    transaction.on_commit(lambda: _enqueue(archive.pk))
    return archive, True


def _download_name(archive: Archive) -> str:
    period = archive.mois.strftime("%Y-%m") if archive.mois else "tout"
    return f"archive_demarche-{archive.procedure_id}_{period}.zip"


def archive_generer(*, archive_id: int) -> Archive | None:
    """The job: build the ZIP, store it, e-mail the requester. Safe to run twice."""
    from .services import ExportRepris, _claim, _record_failure

    claimed = _claim(archive_id, model=Archive)
    if claimed is None:
        return Archive.objects.filter(pk=archive_id).first()
    archive, token = claimed
    archive = Archive.objects.select_related("procedure", "requested_by").get(pk=archive.pk)

    def on_dossier(done: int) -> None:
        percent = min(99, done * 100 // total) if total else 99
        alive = Archive.objects.filter(pk=archive.pk, run_token=token).update(progress=percent, heartbeat_at=timezone.now())
        if not alive:
            raise ExportRepris

    handle, path = tempfile.mkstemp(suffix=".zip", prefix="archive-")
    os.close(handle)
    try:
        dossiers = dossiers_du_mois(archive.requested_by, archive.procedure, archive.mois)
        total = dossiers.count()
        zip_export.ecrire_zip(path, zip_export.flux_zip(zip_export.dossiers_pour_zip(dossiers), on_dossier=on_dossier))
        with transaction.atomic():
            current = Archive.objects.select_for_update().filter(pk=archive.pk, run_token=token).first()
            if current is None:
                raise ExportRepris
            with open(path, "rb") as built:
                current.file.save(_download_name(current), File(built), save=False)
            now = timezone.now()
            current.status, current.progress, current.row_count, current.error = S.DONE, 100, total, ""
            current.finished_at, current.heartbeat_at, current.expires_at = now, now, now + ARCHIVE_TTL
            current.run_token = None
            current.save()
            _email_archive_prete(current, archive.procedure, archive.requested_by)
        return current
    except ExportRepris:
        logger.info("Archive %s reprise par un autre worker ou supprimée : abandon", archive.pk)
        return Archive.objects.filter(pk=archive.pk).first()
    except Exception as exc:
        logger.exception("Échec de l'archive %s (tentative %s)", archive.pk, archive.attempts)
        _record_failure(archive.pk, token, exc, attempts=archive.attempts, model=Archive, ttl=ARCHIVE_TTL)
        return Archive.objects.filter(pk=archive.pk).first()
    finally:
        try:
            os.remove(path)
        except OSError:
            pass


def _email_archive_prete(archive: Archive, procedure: Procedure, user) -> None:
    email_envoyer(
        to=user.email,
        subject=f"Votre archive est prête ({procedure.libelle})",
        template="exports/emails/archive_prete",
        context={
            "archive": archive,
            "procedure": procedure,
            "periode": mois_libelle(archive.mois),
            "download_url": settings.SITE_URL + reverse("exports:archive_telecharger", args=[procedure.pk, archive.pk]),
            "archives_url": settings.SITE_URL + reverse("exports:archives", args=[procedure.pk]),
            "expires_at": timezone.localtime(archive.expires_at),
        },
        kind="archive_prete",
    )


def archives_purger() -> dict[str, int]:
    """Expired archives (4 days) are deleted with their files; dead jobs are taken over."""
    from .services import purger_et_reprendre

    return purger_et_reprendre(Archive, ttl=ARCHIVE_TTL, enqueue=_enqueue)
