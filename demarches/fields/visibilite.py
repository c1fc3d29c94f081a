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
