"""What the annotation mutations share: find the annotation, turn the typed value into the form's
input, save through the instructeur's service (same guard: the instructeur follows the dossier),
all or nothing."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from demarches.instruction import selectors as instruction_selectors
from demarches.instruction import services as instruction_services

from ..dossiers import _champs
from ..errors import NotFound
from ..ids import decode_global_id, global_id
from .base import Refused, instructeur_du_dossier

# The annotation types each typed mutation (or AnnotationValueInput key) may change.
TEXT_TYPES = {"text", "textarea", "email", "phone", "iban", "rna", "formatted", "numero_dn"}
TYPES = {
    "text": TEXT_TYPES,
    "textarea": {"textarea"},
    "email": {"email"},
    "checkbox": {"checkbox", "engagement"},
    "yes_no": {"yes_no", "checkbox"},
    "date": {"date"},
    "datetime": {"datetime"},
    "integer_number": {"integer_number"},
    "decimal_number": {"decimal_number"},
    "drop_down_list": {"drop_down_list"},
    "multiple_drop_down_list": {"multiple_drop_down_list"},
    "dossier_link": {"dossier_link"},
}


class _Rollback(Exception):
    pass


def _form_values(kind: str, value) -> list[str]:
    """The values the annotation form would post for this typed value."""
    if kind in ("checkbox", "yes_no"):
        if kind == "checkbox":
            return ["true"] if value else []
        return ["true" if value else "false"]
    if kind == "date":
        return [value.isoformat() if isinstance(value, datetime.date) else str(value)]
    if kind == "datetime":
        moment = value
        if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
            moment = timezone.localtime(moment).replace(tzinfo=None)
        return [moment.isoformat(timespec="minutes") if isinstance(moment, datetime.datetime) else str(moment)]
    if kind == "decimal_number":
        return [format(Decimal(str(value)), "f")]
    if kind == "multiple_drop_down_list":
        return [str(item) for item in value]
    return [str(value)]


def _stable_id(annotation_id: str) -> int:
    decoded = decode_global_id(annotation_id)
    key = decoded[1] if decoded and decoded[0] == "Champ" else ""
    if "|" in key:
        raise Refused("Les annotations d'un bloc répétable ne peuvent pas encore être modifiées par l'API.")
    if not key.isdigit():
        raise NotFound(f"Annotation introuvable : « {annotation_id} ».")
    return int(key)


def appliquer(dossier, instructeur_id: str, changes: list[tuple[str, str, object]]) -> list[str]:
    """Apply [(annotationId, kind, value)] through the annotations service; returns the annotations' ids.

    Raises Refused (payload errors) or NotFound (top-level error). Nothing is saved if one value is refused.
    """
    wanted = [(_stable_id(annotation_id), annotation_id, kind, value) for annotation_id, kind, value in changes]
    instructeur = instructeur_du_dossier(instructeur_id, dossier)
    if not instruction_services.can_edit_annotations(instructeur, dossier):
        if dossier.archived:
            raise Refused("Le dossier est archivé : ses annotations privées ne peuvent plus être modifiées.")
        raise Refused("L'instructeur doit suivre le dossier pour modifier ses annotations privées.")
    types = {tdc.stable_id: tdc for tdc, _ in instruction_selectors.annotations_du_dossier(dossier)}
    posted: dict[str, list[str]] = {}
    for stable_id, annotation_id, kind, value in wanted:
        tdc = types.get(stable_id)
        if tdc is None:
            raise NotFound(f"Annotation introuvable sur ce dossier : « {annotation_id} ».")
        if kind == "repetition":
            raise Refused("L'ajout de lignes aux blocs répétables des annotations n'est pas encore possible par l'API.")
        if tdc.type_champ not in TYPES[kind]:
            raise Refused(
                f"L'annotation « {tdc.libelle} » est de type « {tdc.field_type.label} » : "
                f"elle ne peut pas recevoir une valeur de ce type."
            )
        posted[tdc.html_id] = _form_values(kind, value)
        posted[f"{tdc.html_id}-present"] = ["1"]
    labels = {tdc.stable_id: tdc.libelle for tdc in types.values()}
    try:
        with transaction.atomic():
            errors = instruction_services.annotations_enregistrer(dossier=dossier, instructeur=instructeur, posted=posted)
            if errors:
                raise _Rollback(errors)
    except _Rollback as rollback:
        raise Refused(*(f"{labels.get(sid, sid)} : {message}" for sid, message in rollback.args[0].items())) from None
    return [global_id("Champ", stable_id) for stable_id, *_ in wanted]


def champs_modifies(info, dossier, annotation_ids: list[str]):
    dossier.refresh_from_db()
    by_id = {champ.id: champ for champ in _champs(info, dossier, private=True, champ_id=None)}
    return [by_id[annotation_id] for annotation_id in annotation_ids if annotation_id in by_id]
