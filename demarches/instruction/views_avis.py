"""Follow-up of avis requests (remind, revoke) and the documents attached to avis."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from demarches.core.files import file_response

from . import selectors, services
from .models import Avis
from .views import _dossier, _dossier_url, expert_required, instructeur_required

AVIS_FICHIERS = {"demande": "introduction_file", "reponse": "piece_justificative"}


def _avis_du_dossier(request, procedure_id, pk, avis_id) -> Avis:
    dossier = _dossier(request, procedure_id, pk)
    return get_object_or_404(Avis.objects.select_related("dossier__procedure", "expert__user"), pk=avis_id, dossier=dossier)


@require_POST
@instructeur_required
def relancer(request, procedure_id, pk, avis_id):
    avis = _avis_du_dossier(request, procedure_id, pk, avis_id)
    try:
        services.avis_relancer(avis=avis, instructeur=request.instructeur)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(request, f"{avis.expert.user.email} a été relancé par e-mail.")
    return redirect(_dossier_url(avis.dossier, "#avis"))


@require_POST
@instructeur_required
def revoquer(request, procedure_id, pk, avis_id):
    avis = _avis_du_dossier(request, procedure_id, pk, avis_id)
    try:
        services.avis_revoquer(avis=avis, instructeur=request.instructeur)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(request, f"La demande d'avis adressée à {avis.expert.user.email} est révoquée.")
    return redirect(_dossier_url(avis.dossier, "#avis"))


def _file_of(avis: Avis, quoi: str):
    field = AVIS_FICHIERS.get(quoi)
    document = getattr(avis, field) if field else None
    if not document:
        raise Http404("Document introuvable")
    return file_response(document, document.name.rsplit("/", 1)[-1])


@require_GET
@instructeur_required
def fichier_instructeur(request, procedure_id, pk, avis_id, quoi):
    return _file_of(_avis_du_dossier(request, procedure_id, pk, avis_id), quoi)


@require_GET
@expert_required
def fichier_expert(request, avis_id, autre_id, quoi):
    """An expert downloads the documents of his own avis, or of an avis shared with him on the same dossier."""
    avis = selectors.avis_pour_expert(request.expert, avis_id)
    if avis is None:
        raise Http404("Avis introuvable")
    if autre_id == avis.pk:
        return _file_of(avis, quoi)
    shared = selectors.avis_partages(avis).filter(pk=autre_id).first()
    if shared is None or quoi != "reponse":
        raise Http404("Document introuvable")
    return _file_of(shared, quoi)
