"""Which champs of a dossier are hidden by their conditions (see conditions.py for the rules).

Works on any object shaped like a dossier (`revision.public_types_de_champ()` and `champs`), so
that the fields app does not import the dossiers app that depends on it.
"""

from .conditions import ChampConditionnel, champs_masques
from .registry import StoredValue


def champs_conditionnels(types_de_champ) -> list[ChampConditionnel]:
    return [
        ChampConditionnel(
            stable_id=tdc.stable_id,
            condition=(tdc.options or {}).get("condition") or None,
            section_level=tdc.field_type.section_level(tdc.options or {}),
        )
        for tdc in types_de_champ
    ]


def masques(types_de_champ, stored_by_stable_id: dict[int, StoredValue]) -> set[int]:
    """The hidden stable_ids, given the top-level definitions in form order and their stored values."""
    types_de_champ = list(types_de_champ)
    if not any((tdc.options or {}).get("condition") for tdc in types_de_champ):
        return set()
    by_id = {tdc.stable_id: tdc for tdc in types_de_champ}

    def valeur_de(stable_id):
        stored = stored_by_stable_id.get(stable_id)
        if stored is None:
            return None
        field_type = by_id[stable_id].field_type
        return field_type.condition_value(stored) if field_type.fillable else None

    return champs_masques(champs_conditionnels(types_de_champ), valeur_de)


def masques_du_dossier(dossier) -> set[int]:
    types_de_champ = list(dossier.revision.public_types_de_champ())
    if not any((tdc.options or {}).get("condition") for tdc in types_de_champ):
        return set()
    stored = {champ.stable_id: champ.stored for champ in dossier.champs.filter(row_id="")}
    return masques(types_de_champ, stored)


def _valeurs_visibles(types_de_champ, stored_by_stable_id: dict[int, StoredValue], hidden: set[int]) -> dict[int, object]:
    values = {}
    for tdc in types_de_champ:
        stored = stored_by_stable_id.get(tdc.stable_id)
        hidden_or_empty = tdc.stable_id in hidden or stored is None or not tdc.field_type.fillable
        values[tdc.stable_id] = None if hidden_or_empty else tdc.field_type.condition_value(stored)
    return values


def masques_annotations(public_types, public_stored: dict[int, StoredValue], private_types,
                        private_stored: dict[int, StoredValue]) -> set[int]:
    """The hidden annotations privées. Their conditions refer to earlier annotations and to the
    public champs (which the usager filled before: a public champ hidden to him counts as empty)."""
    private_types = list(private_types)
    if not any((tdc.options or {}).get("condition") for tdc in private_types):
        return set()
    public_types = list(public_types)
    publiques = _valeurs_visibles(public_types, public_stored, masques(public_types, public_stored))
    by_id = {tdc.stable_id: tdc for tdc in private_types}

    def valeur_de(stable_id):
        stored = private_stored.get(stable_id)
        field_type = by_id[stable_id].field_type
        return field_type.condition_value(stored) if stored is not None and field_type.fillable else None

    return champs_masques(champs_conditionnels(private_types), valeur_de, connues=publiques)


def masques_annotations_du_dossier(dossier, private_stored: dict[int, StoredValue] | None = None) -> set[int]:
    """The hidden annotations privées of a dossier (`private_stored`: values about to be saved, else the saved ones)."""
    private_types = list(dossier.revision.private_types_de_champ())
    if not any((tdc.options or {}).get("condition") for tdc in private_types):
        return set()
    stored = {champ.stable_id: champ.stored for champ in dossier.champs.filter(row_id="")}
    public_types = list(dossier.revision.public_types_de_champ())
    private_ids = {tdc.stable_id for tdc in private_types}
    public_stored = {sid: value for sid, value in stored.items() if sid not in private_ids}
    if private_stored is None:
        private_stored = {sid: value for sid, value in stored.items() if sid in private_ids}
    return masques_annotations(public_types, public_stored, private_types, private_stored)
