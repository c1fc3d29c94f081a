"""Attachments of the annotations privées (pièce justificative): upload and delete, as on the usager's
form (the same widget, dossiers/_piece_justificative.html, swapped by htmx; without JavaScript the
whole annotations form is posted and saved first). Only the instructeurs who follow the dossier write
(services.can_edit_annotations); anybody who may not open the dossier gets a 404."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import selectors, services
from .annotations_widgets import AnnotationWidget
from .services_annotations import annotation_piece_ajouter, annotation_piece_supprimer
from .views import _dossier, annotations_page, instructeur_required

NON_SUIVI = "Suivez le dossier pour modifier ses annotations privées."


def _type_piece(dossier, stable_id: int):
    tdc = next(
        (t for t in selectors.annotation_types(dossier) if t.stable_id == stable_id and t.field_type.accepts_files), None
    )
    if tdc is None:
        raise Http404("Annotation introuvable")
    return tdc


def _ajouter(request, dossier, tdc, files) -> tuple[list, list[str]]:
    """Every file is tried: the valid ones are kept, each refused one says why."""
    added, refused = [], []
    for uploaded in files:
        try:
            added.append(
                annotation_piece_ajouter(dossier=dossier, instructeur=request.instructeur, type_de_champ=tdc, uploaded=uploaded)
            )
        except ValidationError as error:
            refused.append(f"« {uploaded.name} » : {error.messages[0]}" if len(files) > 1 else error.messages[0])
    return added, refused


def fichiers_postes(request, dossier) -> dict[int, str]:
    """Without JavaScript, the files chosen in the annotations form arrive with « Sauvegarder »."""
    errors = {}
    for tdc in selectors.annotation_types(dossier):
        if tdc.field_type.accepts_files:
            files = request.FILES.getlist(f"{tdc.html_id}-fichier")
            _, refused = _ajouter(request, dossier, tdc, files) if files else ([], [])
            if refused:
                errors[tdc.stable_id] = " ".join(refused)
    return errors


def _widget_response(request, dossier, tdc, *, error: str = "", status_message: str = ""):
    champ = selectors.annotation_champ(dossier, tdc.stable_id)
    widget = AnnotationWidget(dossier=dossier, type_de_champ=tdc, champ=champ, error=error)
    return render(request, "dossiers/_piece_justificative.html", {"champ": widget, "status_message": status_message})


def _page(request, dossier, tdc, *, error: str = "", status_message: str = ""):
    if status_message:
        flash.success(request, status_message)
    if error:
        # The message next to the champ, and what was just typed elsewhere already saved.
        return annotations_page(request, dossier, {tdc.stable_id: error}, can_edit=True)
    return redirect(reverse("instruction:annotations", args=[dossier.procedure_id, dossier.pk]) + f"#{tdc.html_id}")


def _refuser(request, dossier, tdc):
    if request.htmx:
        return _widget_response(request, dossier, tdc, error=NON_SUIVI)
    flash.error(request, NON_SUIVI)
    return redirect("instruction:annotations", dossier.procedure_id, dossier.pk)


@require_POST
@instructeur_required
def piece_ajouter(request, procedure_id, pk, stable_id):
    dossier = _dossier(request, procedure_id, pk)
    tdc = _type_piece(dossier, stable_id)
    if not services.can_edit_annotations(request.instructeur, dossier):
        return _refuser(request, dossier, tdc)
    if not request.htmx:
        services.annotations_enregistrer(dossier=dossier, instructeur=request.instructeur, posted=request.POST)
    files = request.FILES.getlist(f"{tdc.html_id}-fichier")
    added, refused = _ajouter(request, dossier, tdc, files) if files else ([], ["Choisissez un fichier à joindre."])
    names = ", ".join(f"« {piece.filename} »" for piece in added)
    status_message = ""
    if added:
        status_message = (f"Fichier ajouté : {names}." if len(added) == 1 else f"Fichiers ajoutés : {names}.")
    error = " ".join(refused)
    if request.htmx:
        return _widget_response(request, dossier, tdc, error=error, status_message=status_message)
    return _page(request, dossier, tdc, error=error, status_message=status_message)


@require_POST
@instructeur_required
def piece_supprimer(request, procedure_id, pk, piece_id):
    dossier = _dossier(request, procedure_id, pk)
    piece = selectors.annotation_piece(dossier, piece_id)
    if piece is None:
        raise Http404("Fichier introuvable")
    tdc = _type_piece(dossier, piece.champ.stable_id)
    if not services.can_edit_annotations(request.instructeur, dossier):
        return _refuser(request, dossier, tdc)
    if not request.htmx:
        # The « Supprimer » button submits the whole form: keep what was typed meanwhile.
        services.annotations_enregistrer(dossier=dossier, instructeur=request.instructeur, posted=request.POST)
    filename = piece.filename
    annotation_piece_supprimer(dossier=dossier, instructeur=request.instructeur, piece=piece)
    status_message = f"Fichier supprimé : « {filename} »."
    if request.htmx:
        return _widget_response(request, dossier, tdc, status_message=status_message)
    return _page(request, dossier, tdc, status_message=status_message)
