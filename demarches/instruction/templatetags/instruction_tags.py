from django import template

from demarches.dossiers.models import Dossier

register = template.Library()

S = Dossier.State
BADGE_CLASSES = {
    S.BROUILLON: "",
    S.EN_CONSTRUCTION: "fr-badge--new",
    S.EN_INSTRUCTION: "fr-badge--info",
    S.ACCEPTE: "fr-badge--success",
    S.REFUSE: "fr-badge--error",
    S.SANS_SUITE: "",
}


@register.inclusion_tag("instruction/partials/state_badge.html")
def state_badge(state: str):
    """The DSFR badge of a dossier state ("en construction", "accepté"…)."""
    return {"label": S(state).label, "css": BADGE_CLASSES.get(state, "")}


@register.simple_tag
def correction_en_attente(dossier):
    """The pending « demande de correction » of a dossier, for the usager's banner (or None)."""
    from demarches.instruction.selectors import correction_en_attente as selector

    return selector(dossier) if getattr(dossier, "pk", None) else None
