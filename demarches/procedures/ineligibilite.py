"""Évaluation des règles d'inéligibilité d'une démarche sur un dossier.

The rules (RegleIneligibilite) hold a condition in the format of fields/conditions.py on the
public champs of the démarche. When it holds on a dossier, the dossier cannot be deposited and the
usager reads the administrateur's message. Champs hidden by their own condition count as empty;
a condition that cannot be read (a champ removed from the form…) never blocks anyone.
"""

from demarches.fields import conditions, visibilite
from demarches.fields.registry import StoredValue

from .models import RegleIneligibilite


def _valeurs(types_de_champ, stored_by_stable_id: dict[int, StoredValue]) -> dict[int, object]:
    hidden = visibilite.masques(types_de_champ, stored_by_stable_id)
    valeurs = {}
    for tdc in types_de_champ:
        field_type = tdc.field_type
        if not field_type.fillable or tdc.stable_id in hidden:
            valeurs[tdc.stable_id] = None
            continue
        stored = stored_by_stable_id.get(tdc.stable_id)
        valeurs[tdc.stable_id] = None if stored is None else field_type.condition_value(stored)
    return valeurs


def motif(procedure, types_de_champ, stored_by_stable_id: dict[int, StoredValue], *, regle=None) -> str:
    """The message of the démarche's rules when they make these answers ineligible, "" otherwise."""
    if regle is None:
        regle = RegleIneligibilite.objects.filter(procedure=procedure).first()
    if regle is None or not regle.active or not regle.condition:
        return ""
    types_de_champ = list(types_de_champ)
    try:
        holds = conditions.evaluer(regle.condition, _valeurs(types_de_champ, stored_by_stable_id))
    except conditions.ConditionInvalide:
        return ""
    if not holds:
        return ""
    return regle.message or "Votre dossier ne remplit pas les conditions de cette démarche : il ne peut pas être déposé."


def motif_du_dossier(dossier) -> str:
    """The ineligibility message for a dossier's current answers ("" when it may be deposited).

    Call it at deposit (dossiers/services.py dossier_deposer) and raise ValidationError(message)."""
    regle = RegleIneligibilite.objects.filter(procedure_id=dossier.procedure_id).first()
    if regle is None or not regle.active:
        return ""
    types = list(dossier.revision.public_types_de_champ())
    stored = {champ.stable_id: champ.stored for champ in dossier.champs.filter(row_id="")}
    return motif(dossier.procedure, types, stored, regle=regle)
