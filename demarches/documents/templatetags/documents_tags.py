from django import template

from demarches.dossiers.models import Dossier

from .. import selectors
from ..models import AttestationKind

register = template.Library()


@register.simple_tag
def documents_du_dossier(dossier: Dossier) -> dict:
    """What the download links of a dossier page show (two small queries, only on decided dossiers)."""
    return {
        "depose": dossier.state != Dossier.State.BROUILLON,
        "attestation": selectors.attestation_disponible(dossier),
        "attestation_kind": selectors.KIND_BY_STATE.get(dossier.state, ""),
    }


@register.simple_tag
def attestations_de_la_procedure(procedure) -> dict:
    """Which attestations a démarche delivers, for the card on the administrateur's démarche page."""
    activated = set(procedure.attestation_templates.filter(activated=True).values_list("kind", flat=True))
    return {kind.value: kind.value in activated for kind in AttestationKind}
