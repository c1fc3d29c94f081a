"""Instructeur: « Changer de groupe » on a dossier (service in procedures/groupes.py)."""

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from demarches.procedures import groupes
from demarches.procedures.models import GroupeInstructeur

from .views import _dossier, _dossier_url, instructeur_required


@require_http_methods(["GET", "POST"])
@instructeur_required
def changer_groupe(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
    if not groupes.can_changer_groupe(request.user, dossier):
        raise Http404("Ce dossier ne peut pas changer de groupe.")
    destinations = groupes.groupes_destination(dossier)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("groupe", "")
        groupe = next((g for g in destinations if str(g.pk) == raw), None)
        if groupe is None:
            error = "Choisissez le groupe qui recevra le dossier."
        else:
            try:
                groupes.dossier_changer_groupe_instructeur(dossier=dossier, user=request.user, groupe=groupe)
            except (ValidationError, PermissionDenied) as refus:
                error = " ".join(getattr(refus, "messages", [str(refus)]))
            else:
                flash.success(request, f"Le dossier n° {dossier.pk} a été affecté au groupe « {groupe.label} » ; ses instructeurs en sont prévenus.")
                if GroupeInstructeur.objects.filter(pk=groupe.pk, instructeurs=request.instructeur).exists():
                    return redirect(_dossier_url(dossier))
                return redirect("instruction:procedure", procedure_id=dossier.procedure_id)
    return render(request, "instruction/dossier/changer_groupe.html", {
        "dossier": dossier, "procedure": dossier.procedure, "destinations": destinations, "error": error,
    })
