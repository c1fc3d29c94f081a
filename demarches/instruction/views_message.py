"""Instructeur: « Supprimer le message » in the messagerie (service dossiers.services.message_supprimer)."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from demarches.dossiers import services as dossier_services
from demarches.dossiers.models import Commentaire

from .views import _dossier, instructeur_required


@require_POST
@instructeur_required
def message_supprimer(request, procedure_id, pk, commentaire_id):
    dossier = _dossier(request, procedure_id, pk)
    commentaire = Commentaire.objects.filter(dossier=dossier, pk=commentaire_id).first()
    if commentaire is None:
        raise Http404("Message introuvable")
    try:
        dossier_services.message_supprimer(commentaire=commentaire, instructeur=request.instructeur)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(request, "Votre message a été supprimé.")
    return redirect("instruction:messagerie", dossier.procedure_id, dossier.pk)
