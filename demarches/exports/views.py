"""The instructeur's exports of a démarche: ask, follow the preparation, download.

Only an instructeur of the démarche reaches these pages, and only his own exports; anybody else
gets a 404, so that nothing reveals whether an export exists.
"""

from functools import wraps

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from demarches.core.files import file_response
from demarches.dossiers.models import Dossier
from demarches.procedures.models import Procedure
from demarches.procedures.policies import can_administer, can_instruct

from . import archives, modeles, policies, selectors, services
from . import zip as zip_export
from .forms import ExportDemandeForm, ExportModeleForm
from .models import Archive, Export, ExportModele
from .policies import can_download_export, can_see_export


def instructeur_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        instructeur = getattr(request.user, "instructeur", None)
        if instructeur is None:
            raise Http404("Page introuvable")
        request.instructeur = instructeur
        return view(request, *args, **kwargs)

    return wrapper


def _procedure(request, procedure_id: int) -> Procedure:
    procedure = get_object_or_404(Procedure, pk=procedure_id)
    if not can_instruct(request.user, procedure):
        raise Http404("Démarche introuvable")
    return procedure


def _export(request, procedure: Procedure, pk: int) -> Export:
    export = selectors.export_de_la_procedure(procedure, pk)
    if export is None or not can_see_export(request.user, export):
        raise Http404("Export introuvable")
    return export


@require_POST
@instructeur_required
def demander(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    form = ExportDemandeForm(request.POST)
    dashboard = reverse("instruction:procedure", args=[procedure.pk])
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(dashboard)
    modele = None
    if form.cleaned_data["modele"]:
        modele = ExportModele.objects.filter(pk=form.cleaned_data["modele"], procedure=procedure).first()
        if modele is None or not policies.can_use_modele(request.user, modele):
            flash.error(request, "Ce modèle d'export n'existe pas sur cette démarche.")
            return redirect(dashboard)
    try:
        export, created = services.export_demander(
            instructeur=request.instructeur, procedure=procedure, format=form.cleaned_data["format"],
            statut=form.cleaned_data["statut"], include_archived=form.cleaned_data["archives"],
            label_id=form.cleaned_data["label"], modele=modele, recherche=form.cleaned_data["q"],
        )
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(dashboard)
    if created:
        flash.success(
            request,
            "Votre export est en cours de préparation. Vous pouvez quitter cette page : "
            "un e-mail vous préviendra dès qu'il sera prêt.",
        )
    elif export.is_ready:
        flash.info(request, "Le même export a été préparé il y a moins de 5 minutes : vous pouvez le télécharger.")
    else:
        flash.info(request, "Le même export est déjà en cours de préparation.")
    return redirect("exports:liste", procedure_id=procedure.pk)


@require_GET
@instructeur_required
def liste(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    exports = selectors.exports_recents(request.instructeur, procedure, now=timezone.now()).select_related("modele")
    return render(request, "exports/liste.html", {"procedure": procedure, "exports": exports})


@require_GET
@instructeur_required
def progression(request, procedure_id, pk):
    """The row of one export, polled by htmx every 2 seconds while it is being prepared."""
    procedure = _procedure(request, procedure_id)
    export = _export(request, procedure, pk)
    if not request.htmx:
        return redirect("exports:liste", procedure_id=procedure.pk)
    return render(request, "exports/_export_ligne.html", {"procedure": procedure, "export": export})


@require_GET
@instructeur_required
def telecharger(request, procedure_id, pk):
    procedure = _procedure(request, procedure_id)
    export = _export(request, procedure, pk)
    if not can_download_export(request.user, export):
        raise Http404("Export introuvable")
    response = file_response(export.file, export.filename)
    response["Content-Type"] = services.content_type(export.format)
    return response


# --- the dossier with all its attachments, as one streamed ZIP ----------------------------------


@require_GET
@login_required
def dossier_zip(request, procedure_id, pk):
    """"Télécharger le dossier et toutes ses pièces jointes": built while it is sent (constant memory)."""
    dossier = (
        Dossier.objects.select_related(*zip_export.DOSSIER_RELATED).filter(pk=pk, procedure_id=procedure_id).first()
    )
    if dossier is None or not policies.can_download_dossier_zip(request.user, dossier):
        raise Http404("Dossier introuvable")
    response = StreamingHttpResponse(zip_export.flux_zip([dossier]), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="dossier-{dossier.pk}.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- modèles d'export --------------------------------------------------------------------------


def _modele(procedure: Procedure, pk: int) -> ExportModele:
    modele = ExportModele.objects.filter(procedure=procedure, pk=pk).first()
    if modele is None:
        raise Http404("Modèle d'export introuvable")
    return modele


@require_GET
@instructeur_required
def modeles_liste(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    items = list(ExportModele.objects.filter(procedure=procedure).select_related("created_by__user"))
    labels = {c.key: c.libelle for c in modeles.catalogue(procedure)}
    for item in items:
        item.libelles = [labels[k] for k in item.colonnes or [] if k in labels]
    return render(request, "exports/modeles.html", {"procedure": procedure, "modeles": items})


@require_http_methods(["GET", "POST"])
@instructeur_required
def modele_editer(request, procedure_id, pk=None):
    procedure = _procedure(request, procedure_id)
    modele = _modele(procedure, pk) if pk else None
    catalogue = modeles.catalogue(procedure)
    errors: dict = {}
    if request.method == "POST":
        form = ExportModeleForm(request.POST, catalogue=catalogue)
        colonnes = form.colonnes_choisies()
        if form.is_valid():
            try:
                modele = services.export_modele_enregistrer(
                    instructeur=request.instructeur, procedure=procedure, modele=modele, nom=form.cleaned_data["nom"],
                    format=form.cleaned_data["format"], colonnes=colonnes,
                    nom_dossier=form.cleaned_data["nom_dossier"], nom_pdf=form.cleaned_data["nom_pdf"],
                )
            except ValidationError as error:
                errors = {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
            else:
                flash.success(request, f"Le modèle d'export « {modele.nom} » est enregistré.")
                return redirect("exports:modeles", procedure_id=procedure.pk)
        else:
            errors = {field: [str(e) for e in messages] for field, messages in form.errors.items()}
        values = {
            "nom": request.POST.get("nom", ""), "format": request.POST.get("format", ""),
            "nom_dossier": request.POST.get("nom_dossier", ""), "nom_pdf": request.POST.get("nom_pdf", ""),
        }
    else:
        # A new modèle, or a zip one turned into a spreadsheet, starts with every column; "Reprendre
        # les colonnes de ma liste" (?colonnes=liste) with those of the instructeur's dossier list.
        if request.GET.get("colonnes") == "liste":
            colonnes = modeles.cles_de_ma_liste(request.instructeur, procedure, catalogue)
        else:
            colonnes = list(modele.colonnes) if modele and modele.colonnes else [c.key for c in catalogue]
        values = {
            "nom": modele.nom if modele else "", "format": modele.format if modele else "xlsx",
            "nom_dossier": (modele.nom_dossier if modele else "") or zip_export.NOM_DOSSIER_DEFAUT,
            "nom_pdf": (modele.nom_pdf if modele else "") or zip_export.NOM_PDF_DEFAUT,
        }
    rang = {key: index + 1 for index, key in enumerate(colonnes)}
    lignes = [
        {"colonne": c, "coche": c.key in rang, "ordre": rang.get(c.key, len(rang) + index + 1), "index": index}
        for index, c in enumerate(catalogue)
    ]
    lignes.sort(key=lambda ligne: ligne["ordre"])
    return render(
        request, "exports/modele_form.html",
        {
            "procedure": procedure, "modele": modele, "values": values, "lignes": lignes, "errors": errors,
            "formats": ExportModele.Format.choices, "tags": zip_export.TAGS,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@instructeur_required
def modele_supprimer(request, procedure_id, pk):
    """GET asks for a confirmation (the modèle is shared by every instructeur of the démarche), POST deletes."""
    procedure = _procedure(request, procedure_id)
    modele = _modele(procedure, pk)
    if request.method == "GET":
        return render(request, "exports/modele_supprimer.html", {"procedure": procedure, "modele": modele})
    nom = modele.nom
    services.export_modele_supprimer(instructeur=request.instructeur, modele=modele)
    flash.success(request, f"Le modèle d'export « {nom} » est supprimé.")
    return redirect("exports:modeles", procedure_id=procedure.pk)


# --- archivage longue durée --------------------------------------------------------------------


def _procedure_archivable(request, procedure_id: int) -> Procedure:
    procedure = get_object_or_404(Procedure, pk=procedure_id)
    if not policies.can_archive(request.user, procedure):
        raise Http404("Démarche introuvable")
    return procedure


def _archive(request, procedure: Procedure, pk: int) -> Archive:
    archive = Archive.objects.select_related("procedure").filter(procedure=procedure, pk=pk).first()
    if archive is None or not policies.can_see_archive(request.user, archive):
        raise Http404("Archive introuvable")
    return archive


@require_GET
@login_required
def archives_liste(request, procedure_id):
    procedure = _procedure_archivable(request, procedure_id)
    return render(
        request, "exports/archives.html",
        {
            "procedure": procedure,
            "mois": archives.mois_archivables(request.user, procedure),
            "archives": archives.archives_recentes(request.user, procedure, now=timezone.now()),
            "tout_archiver": can_administer(request.user, procedure),
            "instructeur": can_instruct(request.user, procedure),
        },
    )


@require_POST
@login_required
def archive_demander(request, procedure_id):
    procedure = _procedure_archivable(request, procedure_id)
    try:
        mois = archives.parse_mois(request.POST.get("mois", ""))
        archive, created = archives.archive_demander(user=request.user, procedure=procedure, mois=mois)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("exports:archives", procedure_id=procedure.pk)
    periode = archives.mois_libelle(archive.mois)
    if created:
        flash.success(
            request,
            f"L'archive ({periode}) est en cours de préparation. Vous pouvez quitter cette page : "
            "un e-mail vous préviendra dès qu'elle sera prête.",
        )
    elif archive.is_ready:
        flash.info(request, f"L'archive ({periode}) est déjà prête : vous pouvez la télécharger.")
    else:
        flash.info(request, f"L'archive ({periode}) est déjà en cours de préparation.")
    return redirect("exports:archives", procedure_id=procedure.pk)


@require_GET
@login_required
def archive_progression(request, procedure_id, pk):
    procedure = _procedure_archivable(request, procedure_id)
    archive = _archive(request, procedure, pk)
    if not request.htmx:
        return redirect("exports:archives", procedure_id=procedure.pk)
    return render(request, "exports/_archive_ligne.html", {"procedure": procedure, "archive": archive})


@require_GET
@login_required
def archive_telecharger(request, procedure_id, pk):
    procedure = _procedure_archivable(request, procedure_id)
    archive = _archive(request, procedure, pk)
    if not policies.can_download_archive(request.user, archive):
        raise Http404("Archive introuvable")
    response = file_response(archive.file, archive.filename)
    response["Content-Type"] = "application/zip"
    return response
