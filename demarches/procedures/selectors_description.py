"""Reads for the description and the closing of a démarche (its public files, the démarches that
may replace it, the brouillons its closing affects)."""

from django.apps import apps
from django.http import Http404

from .models import Procedure


def procedure_pour_fichier(procedure_id: int) -> Procedure:
    procedure = Procedure.objects.filter(pk=procedure_id).first()
    if procedure is None:
        raise Http404("Fichier introuvable")
    return procedure


def procedures_remplacantes(administrateur, procedure: Procedure) -> list[Procedure]:
    """His published démarches a closed one may send its usagers to."""
    return list(
        Procedure.objects.filter(
            administrateurs=administrateur, state=Procedure.State.PUBLIEE, hidden_at__isnull=True,
        ).exclude(pk=procedure.pk).order_by("libelle", "pk")
    )


def nombre_brouillons(procedure: Procedure) -> int:
    Dossier = apps.get_model("dossiers", "Dossier")
    return Dossier.objects.filter(procedure=procedure, state="brouillon", for_procedure_preview=False).count()
