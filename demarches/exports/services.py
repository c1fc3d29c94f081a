"""Asking for, building and purging exports.

An export is asked by an instructeur (export_demander), built by a background job
(export_generer: idempotent, resumable by another worker) and removed by a periodic job once
expired (exports_purger, which also takes over the jobs whose worker died).
"""

import hashlib
import json
import logging
import os
import tempfile
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from demarches.accounts.models import Instructeur
from demarches.core.emails import email_envoyer
from demarches.instruction.liste import indexation
from demarches.instruction.models import Label
from demarches.instruction.selectors import TAB_KEYS, TABS
from demarches.procedures.models import Procedure
from demarches.procedures.policies import can_instruct

from . import geojson, modeles, selectors
from . import zip as zip_export
from .models import Export, ExportModele
from .writers import writer_for

logger = logging.getLogger(__name__)

S = Export.Status
# Defaults from the reference platform: files kept 32 hours, an identical export asked within
# 5 minutes is the same export. A running job that has not reported progress for 15 minutes is
# considered dead (progress is reported every chunk of dossiers, i.e. every few seconds).
EXPORT_TTL = timedelta(hours=getattr(settings, "EXPORT_TTL_HOURS", 32))
REUSE_WINDOW = timedelta(minutes=getattr(settings, "EXPORT_REUSE_MINUTES", 5))
STALE_AFTER = timedelta(minutes=getattr(settings, "EXPORT_STALE_MINUTES", 15))
PENDING_RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = getattr(settings, "EXPORT_MAX_ATTEMPTS", 3)
TAB_LABELS = {tab.key: tab.label for tab in TABS}


class ExportRepris(Exception):
    """The job lost the export to another worker (or it was deleted): it stops without writing."""


FORMATS_TEXTE = "Choisissez un format d'export : .xlsx, .ods, .csv, GeoJSON ou .zip."
EXTENSIONS = {"json": "geojson"}
CONTENT_TYPES = {"json": "application/geo+json", "zip": "application/zip"}


def modele_options(modele: ExportModele | None) -> dict | None:
    """What a modèle says, frozen in the export: later edits of the modèle do not change it."""
    if modele is None:
        return None
    if modele.is_zip:
        return {"nom_dossier": modele.nom_dossier, "nom_pdf": modele.nom_pdf}
    return {"colonnes": list(modele.colonnes or [])}


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def export_key(
    *, statut: str, include_archived: bool, label_id: int | None = None, options: dict | None = None,
    liste: dict | None = None,
) -> str:
    """Every option that shapes the content: the tab, the archives, the label, the modèle, and the
    list's filters, sort and search (their texts, "resume", are left out: they only describe them)."""
    key = f"statut={statut};archives={int(bool(include_archived))};label={label_id or ''}"
    if options:
        key += f";modele={_digest(options)}"
    if liste:
        shape = {name: liste.get(name) for name in ("filtres", "tri")}
        shape["recherche"] = indexation.normaliser(liste.get("recherche") or "")  # what the search compares
        key += f";liste={_digest(shape)}"
    return key


def content_type(format: str) -> str:
    return CONTENT_TYPES.get(format) or writer_for(format).content_type


def _enqueue(export_id: int) -> None:
    from .tasks import export_generer

    try:
        export_generer.delay(export_id)
    except Exception:  # the request must not fail because of the broker: the periodic job retries
        logger.exception("Export %s non mis en file : il sera relancé par la tâche périodique", export_id)


@transaction.atomic
def export_demander(
    *, instructeur: Instructeur, procedure: Procedure, format: str, statut: str, include_archived: bool = False,
    label_id: int | None = None, modele: ExportModele | None = None, recherche: str = "",
) -> tuple[Export, bool]:
    """Ask for an export of a tab of the instructeur's dossier list; returns (export, created).

    The export follows the list as he sees it: the tab, the label, his filters and sort (remembered
    per démarche) and the search he typed (recherche); they are recorded in the export, so that
    later changes of the list do not change it. With a modèle d'export, the modèle's format,
    columns and names are used. The same export (same options, filters, sort and search) asked
    again while it is being prepared, or within 5 minutes, is reused.
    """
    if not can_instruct(instructeur.user, procedure):
        raise PermissionDenied("Vous n'instruisez pas cette démarche.")
    if modele is not None:
        if modele.procedure_id != procedure.pk:
            raise ValidationError({"modele": "Ce modèle d'export n'existe pas sur cette démarche."})
        format = modele.format
    if format not in Export.Format.values:
        raise ValidationError({"format": FORMATS_TEXTE})
    if statut not in TAB_KEYS:
        raise ValidationError({"statut": "Cet onglet du tableau de bord n'existe pas."})
    if label_id is not None and not Label.objects.filter(pk=label_id, procedure=procedure).exists():
        raise ValidationError({"label": "Ce label n'existe pas sur cette démarche."})
    # One request at a time per instructeur, so that a double click does not build the file twice.
    Instructeur.objects.select_for_update().filter(pk=instructeur.pk).first()
    options = modele_options(modele)
    liste = selectors.liste_de_l_instructeur(instructeur, procedure, recherche=recherche)
    key = export_key(
        statut=statut, include_archived=include_archived, label_id=label_id, options=options, liste=liste
    )
    reusable = (
        Export.objects.filter(procedure=procedure, instructeur=instructeur, format=format, key=key)
        .filter(Q(status__in=[S.PENDING, S.RUNNING]) | Q(status=S.DONE, created_at__gte=timezone.now() - REUSE_WINDOW))
        .order_by("-created_at", "-id")
        .first()
    )
    if reusable is not None:
        return reusable, False
    export = Export.objects.create(
        procedure=procedure, instructeur=instructeur, format=format, statut=statut,
        include_archived=bool(include_archived), label_id=label_id, key=key, modele=modele, modele_options=options,
        liste=liste,
    )
    transaction.on_commit(lambda: _enqueue(export.pk))
    return export, True


def _claim(export_id: int, model=Export) -> tuple[Export, uuid.UUID] | None:
    """Take the export (or archive) for this worker, unless it is finished or alive in another worker."""
    with transaction.atomic():
        export = model.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status in (S.DONE, S.FAILED):
            return None
        now = timezone.now()
        if export.status == S.RUNNING and export.heartbeat_at and export.heartbeat_at > now - STALE_AFTER:
            return None
        token = uuid.uuid4()
        export.status, export.run_token, export.progress = S.RUNNING, token, 0
        export.attempts += 1
        export.started_at = export.heartbeat_at = now
        export.save(update_fields=["status", "run_token", "progress", "attempts", "started_at", "heartbeat_at"])
        return export, token


def _download_name(export: Export) -> str:
    stamp = timezone.localtime(export.created_at).strftime("%Y-%m-%d_%H-%M")
    extension = EXTENSIONS.get(export.format, export.format)
    return f"dossiers_demarche-{export.procedure_id}_{slugify(export.statut)}_{stamp}.{extension}"


def export_construire(export: Export, path: str, *, on_progress=None) -> int:
    """Write the export's file at path, streaming; returns the number of dossiers written."""
    options = {
        "statut": export.statut, "include_archived": export.include_archived, "label_id": export.label_id,
        "liste": export.liste,
    }
    if selectors.liste_a_besoin_de_l_index(export.liste):
        # The list's filters, search and champ sorts read its copy of the values: bring all of it
        # up to date first (the list itself leaves the oldest changes to background jobs).
        indexation.dossiers_indexer(indexation.dossiers_a_indexer(export.procedure))
    total = selectors.nombre_de_dossiers(export.instructeur, export.procedure, **options)

    def on_chunk(done: int) -> None:
        if on_progress is not None:
            on_progress(min(99, done * 100 // total) if total else 99)

    if export.format in (Export.Format.GEOJSON, Export.Format.ZIP):
        dossiers = selectors.dossiers_a_exporter(export.instructeur, export.procedure, **options)
        if export.format == Export.Format.GEOJSON:
            geojson.ecrire(path, geojson.features(dossiers, on_chunk=on_chunk))
        else:
            names = export.modele_options or {}
            nommage = zip_export.Nommage(
                nom_dossier=names.get("nom_dossier") or zip_export.NOM_DOSSIER_DEFAUT,
                nom_pdf=names.get("nom_pdf") or zip_export.NOM_PDF_DEFAUT,
            )
            zip_export.ecrire_zip(
                path, zip_export.flux_zip(zip_export.dossiers_pour_zip(dossiers), nommage=nommage, on_dossier=on_chunk)
            )
        return total

    writer_class = writer_for(export.format)
    colonnes = (export.modele_options or {}).get("colonnes")
    textes = getattr(writer_class, "textes", None)  # the writer takes rows of texts it defines (csv)
    sheets = selectors.feuilles(
        export.instructeur, export.procedure, with_avis=writer_class.multiple_sheets, on_chunk=on_chunk,
        colonnes=modeles.colonnes_a_exporter(colonnes) if colonnes else None, textes=textes, **options,
    )
    writer = writer_class(path)
    try:
        rows = 0
        for index, sheet in enumerate(sheets):
            if sheet.textes:
                written = writer.write_sheet(sheet.name, sheet.headers, sheet.rows, textes=True)
            else:
                written = writer.write_sheet(sheet.name, sheet.headers, sheet.rows)
            if index == 0:
                rows = written
    finally:
        writer.close()
    return rows


def export_generer(*, export_id: int) -> Export | None:
    """The job: build the file, store it, tell the instructeur by e-mail. Safe to run twice."""
    claimed = _claim(export_id)
    if claimed is None:
        return Export.objects.filter(pk=export_id).first()
    export, token = claimed
    export = Export.objects.select_related("procedure", "instructeur__user").get(pk=export.pk)

    def on_progress(percent: int) -> None:
        alive = Export.objects.filter(pk=export.pk, run_token=token).update(
            progress=percent, heartbeat_at=timezone.now()
        )
        if not alive:
            raise ExportRepris

    handle, path = tempfile.mkstemp(suffix=f".{EXTENSIONS.get(export.format, export.format)}", prefix="export-")
    os.close(handle)
    try:
        rows = export_construire(export, path, on_progress=on_progress)
        with transaction.atomic():
            current = Export.objects.select_for_update().filter(pk=export.pk, run_token=token).first()
            if current is None:
                raise ExportRepris
            with open(path, "rb") as built:
                current.file.save(_download_name(current), File(built), save=False)
            now = timezone.now()
            current.status, current.progress, current.row_count, current.error = S.DONE, 100, rows, ""
            current.finished_at, current.heartbeat_at, current.expires_at = now, now, now + EXPORT_TTL
            current.run_token = None
            current.save()
            _email_export_pret(current, export)
        return current
    except ExportRepris:
        logger.info("Export %s repris par un autre worker ou supprimé : abandon", export.pk)
        return Export.objects.filter(pk=export.pk).first()
    except Exception as exc:
        logger.exception("Échec de l'export %s (tentative %s)", export.pk, export.attempts)
        _record_failure(export.pk, token, exc, attempts=export.attempts)
        return Export.objects.filter(pk=export.pk).first()
    finally:
        try:
            os.remove(path)
        except OSError:
            pass


def _record_failure(export_id: int, token, exc: Exception, *, attempts: int, model=Export, ttl=None) -> None:
    """Back to pending (the periodic job retries it) until the last attempt, then failed."""
    now = timezone.now()
    final = attempts >= MAX_ATTEMPTS
    ttl = ttl or EXPORT_TTL
    model.objects.filter(pk=export_id, run_token=token).update(
        status=S.FAILED if final else S.PENDING, error=repr(exc)[:2000], run_token=None, heartbeat_at=now,
        finished_at=now if final else None, expires_at=now + ttl if final else None,
    )


def _email_export_pret(export: Export, loaded: Export) -> None:
    user = loaded.instructeur.user
    procedure = loaded.procedure
    email_envoyer(
        to=user.email,
        subject=f"Votre export est prêt ({procedure.libelle})",
        template="exports/emails/export_pret",
        context={
            "export": export,
            "procedure": procedure,
            "onglet": TAB_LABELS.get(export.statut, export.statut),
            "label": Label.objects.filter(pk=export.label_id).values_list("name", flat=True).first()
            if export.label_id else "",
            "download_url": settings.SITE_URL + reverse("exports:telecharger", args=[procedure.pk, export.pk]),
            "exports_url": settings.SITE_URL + reverse("exports:liste", args=[procedure.pk]),
            "expires_at": timezone.localtime(export.expires_at),
        },
        kind="export_pret",
    )


def purger_et_reprendre(model, *, ttl, enqueue) -> dict[str, int]:
    """Delete the expired files of a model (exports, archives) and take over its dead or forgotten jobs."""
    now = timezone.now()
    expired = list(model.objects.filter(expires_at__lt=now).only("pk", "file"))
    for item in expired:
        if item.file:
            try:
                item.file.delete(save=False)
            except OSError:
                logger.exception("Fichier %s n° %s non supprimé", model._meta.verbose_name, item.pk)
    deleted, _ = model.objects.filter(pk__in=[e.pk for e in expired]).delete()

    relaunch: list[int] = []
    abandoned = 0
    with transaction.atomic():
        stale = model.objects.select_for_update().filter(status=S.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        for item in stale:
            if item.attempts >= MAX_ATTEMPTS:
                item.status, item.finished_at, item.expires_at = S.FAILED, now, now + ttl
                item.error = item.error or "La préparation a été interrompue à plusieurs reprises."
                abandoned += 1
            else:
                item.status = S.PENDING
                relaunch.append(item.pk)
            item.run_token, item.heartbeat_at = None, now
            item.save(update_fields=["status", "finished_at", "expires_at", "error", "run_token", "heartbeat_at"])
        waiting = model.objects.filter(status=S.PENDING, attempts__lt=MAX_ATTEMPTS).filter(
            Q(heartbeat_at__lt=now - PENDING_RETRY_AFTER)
            | Q(heartbeat_at__isnull=True, created_at__lt=now - PENDING_RETRY_AFTER)
        )
        relaunch += [pk for pk in waiting.values_list("pk", flat=True) if pk not in relaunch]
        for pk in relaunch:
            transaction.on_commit(lambda pk=pk: enqueue(pk))
    return {"supprimes": deleted, "relances": len(relaunch), "abandonnes": abandoned}


def exports_purger() -> dict[str, int]:
    """The periodic job: delete expired exports (and archives) and their files, take over dead or
    forgotten jobs."""
    from . import archives

    result = purger_et_reprendre(Export, ttl=EXPORT_TTL, enqueue=_enqueue)
    result["archives"] = archives.archives_purger()
    return result


# --- modèles d'export ----------------------------------------------------------------------------


def _modele_verifier(modele: ExportModele) -> None:
    errors = {}
    if modele.is_zip:
        for field, numero_requis in (("nom_dossier", True), ("nom_pdf", False)):
            problems = zip_export.erreurs_de_nommage(getattr(modele, field), numero_requis=numero_requis)
            if problems:
                errors[field] = problems
        modele.colonnes = []
    else:
        modele.colonnes = modeles.cles_valides(modele.procedure, modele.colonnes or [])
        if not modele.colonnes:
            errors["colonnes"] = "Choisissez au moins une colonne."
        modele.nom_dossier = modele.nom_pdf = ""
    modele.nom = (modele.nom or "").strip()
    if not modele.nom:
        errors["nom"] = "Donnez un nom au modèle."
    elif ExportModele.objects.filter(procedure=modele.procedure, nom__iexact=modele.nom).exclude(pk=modele.pk).exists():
        errors["nom"] = "Un modèle d'export de cette démarche porte déjà ce nom."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def export_modele_enregistrer(
    *, instructeur: Instructeur, procedure: Procedure, nom: str, format: str, colonnes: list[str] | None = None,
    nom_dossier: str = "", nom_pdf: str = "", modele: ExportModele | None = None,
) -> ExportModele:
    """Create a modèle d'export of a démarche, or change one (any instructeur of the démarche may)."""
    if not can_instruct(instructeur.user, procedure):
        raise PermissionDenied("Vous n'instruisez pas cette démarche.")
    if format not in ExportModele.Format.values:
        raise ValidationError({"format": "Choisissez un format : .xlsx, .ods, .csv ou .zip."})
    if modele is None:
        modele = ExportModele(procedure=procedure, created_by=instructeur)
    elif modele.procedure_id != procedure.pk:
        raise PermissionDenied("Ce modèle d'export n'appartient pas à cette démarche.")
    modele.nom, modele.format, modele.colonnes = nom, format, list(colonnes or [])
    modele.nom_dossier, modele.nom_pdf = (nom_dossier or "").strip(), (nom_pdf or "").strip()
    _modele_verifier(modele)
    modele.save()
    return modele


@transaction.atomic
def export_modele_supprimer(*, instructeur: Instructeur, modele: ExportModele) -> None:
    if not can_instruct(instructeur.user, modele.procedure):
        raise PermissionDenied("Vous n'instruisez pas cette démarche.")
    modele.delete()
