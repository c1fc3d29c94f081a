from django.views.decorators.http import require_GET
from django.shortcuts import render

from .statistiques import SLOT_WIDTH, graphique_mensuel, statistiques_procedure
from .views import _procedure, instructeur_required


@require_GET
@instructeur_required
def statistiques(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    stats = statistiques_procedure(procedure)
    return render(
        request,
        "instruction/statistiques/procedure.html",
        {
            "procedure": procedure,
            "stats": stats,
            "barres": graphique_mensuel(stats),
            "largeur": SLOT_WIDTH * len(stats.mois),
        },
    )
