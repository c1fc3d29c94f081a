from django import template
from django.utils import timezone

from demarches.instruction.selectors import TABS

from .. import selectors
from ..models import ExportModele

register = template.Library()
TAB_LABELS = {tab.key: tab.label for tab in TABS}


@register.filter
def onglet(statut: str) -> str:
    """The dashboard tab an export was asked from ("à suivre", "traités"…)."""
    return TAB_LABELS.get(statut, statut)


@register.inclusion_tag("exports/_bouton_export_menu.html", takes_context=True)
def bouton_export(context, procedure, statut):
    """The "Télécharger tous les dossiers" menu of the dashboard, with the instructeur's latest export."""
    request = context.get("request")
    instructeur = getattr(getattr(request, "user", None), "instructeur", None)
    dernier = selectors.exports_recents(instructeur, procedure, now=timezone.now()).first() if instructeur else None
    label = context.get("label")  # the dashboard's label filter, exported with the tab
    return {
        "procedure": procedure,
        "statut": statut,
        "label": label if getattr(label, "procedure_id", None) == procedure.pk else None,
        # The list's search and filters are exported with the tab (its sort too).
        "recherche": context.get("recherche") or "",
        "filtres_actifs": bool(context.get("tags")),
        "onglet": TAB_LABELS.get(statut, statut),
        "dernier": dernier,
        "modeles": list(ExportModele.objects.filter(procedure=procedure).only("pk", "nom", "format")) if instructeur else [],
        "csrf_token": context.get("csrf_token"),
    }
