"""The instructeur's exports of a démarche: ask, follow the preparation, download.

Only an instructeur of the démarche reaches these pages, and only his own exports; anybody else
gets a 404, so that nothing reveals whether an export exists.
"""

from functools import wraps

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from demarches.core.files import file_response
from demarches.procedures.models import Procedure
from demarches.procedures.policies import can_instruct

from . import selectors, services
from .forms import ExportDemandeForm
from .models import Export
from .policies import can_download_export, can_see_export
from .writers import writer_for


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
        flash.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(dashboard)
    try:
        export, created = services.export_demander(
            instructeur=request.instructeur, procedure=procedure, format=form.cleaned_data["format"],
            statut=form.cleaned_data["statut"], include_archived=form.cleaned_data["archives"],
            label_id=form.cleaned_data["label"],
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
    exports = selectors.exports_recents(request.instructeur, procedure, now=timezone.now())
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
    response["Content-Type"] = writer_for(export.format).content_type
    return response
