"""The field-type registry: the one home of everything that depends on a champ's type."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class StoredValue:
    """What a champ row keeps: a text value (searchable, sortable) and optional structured data."""

    value: str = ""
    data: object = None


class FieldType:
    key: str = ""
    label: str = ""
    fillable: bool = True  # False for layout types (section titles, explanations)
    template: str = "fields/widgets/text.html"
    input_type: str = "text"
    has_options: bool = False
    accepts_files: bool = False

    def parse(self, raw: list[str], *, options: dict) -> StoredValue:
        """Turn what the form posted into the stored value; raise ValidationError (French) if invalid."""
        text = (raw[0] if raw else "").replace("\x00", "").strip()
        return StoredValue(value=text)

    def is_empty(self, stored: StoredValue) -> bool:
        return not stored.value and not stored.data

    def display(self, stored: StoredValue) -> str:
        return stored.value

    def initial(self, stored: StoredValue):
        """The value to put back in the widget."""
        return stored.value

    # Added for the richer types (issue 6). Every method has a default that keeps the simple
    # types working unchanged; a type overrides only what it needs.

    has_children: bool = False  # repetition blocks: child definitions, one set of champs per row
    # Template shown under the input with what was found from the value (établissement, address…),
    # refreshed after each autosave; "" for none.
    details_template: str = ""
    # Operators a condition on this champ may use (see fields/conditions.py).
    condition_operators: tuple[str, ...] = ("eq", "not_eq", "empty", "not_empty")

    def raw_from_post(self, posted, name: str) -> list[str]:
        """What parse() receives from a submitted form (a QueryDict) for the champ named `name`."""
        return posted.getlist(name)

    def parse_champ(self, raw: list[str], *, options: dict, previous: StoredValue | None = None) -> StoredValue:
        """parse() for a champ being saved; `previous` lets a type reuse data fetched from an external service."""
        return self.parse(raw, options=options)

    def keep_invalid(self, raw: list[str]) -> StoredValue:
        """What to store of an input parse() refused, so that the usager finds it again to correct it."""
        raw = [str(item) for item in raw]
        return StoredValue(value=(raw[0] if len(raw) == 1 else ", ".join(raw)).strip(), data=raw if len(raw) > 1 else None)

    def raw(self, stored: StoredValue) -> list[str]:
        """The inverse of parse: what to feed parse() to get `stored` back."""
        if isinstance(stored.data, list):
            return [str(item) for item in stored.data]
        return [stored.value]

    def check(self, stored: StoredValue, *, options: dict) -> None:
        """Validate a stored, non-empty value again (before a deposit); raise ValidationError (French)."""
        self.parse(self.raw(stored), options=options)

    def section_level(self, options: dict) -> int | None:
        """For section titles, their level (1 to 3): a hidden section hides the champs it holds."""
        return None

    def condition_value(self, stored: StoredValue):
        """The value conditions compare against (None when empty)."""
        if self.is_empty(stored):
            return None
        return stored.value

    def widget_context(self, *, options: dict, stored: StoredValue) -> dict:
        """Extra data the widget template needs (lists of choices, fetched details…), as `extra`."""
        return {}

    def export_value(self, stored: StoredValue):
        """The cell of a spreadsheet export: the displayed text, unless a type gives a typed value
        (int, float, Decimal, date or naive datetime) that spreadsheets can compute with."""
        return self.display(stored)


_registry: dict[str, FieldType] = {}


def register(cls):
    instance = cls()
    if instance.key in _registry:
        raise ValueError(f"type de champ déjà enregistré : {instance.key}")
    _registry[instance.key] = instance
    return cls


def get(key: str) -> FieldType:
    from . import types  # noqa: F401  (registers the built-in types)

    try:
        return _registry[key]
    except KeyError:
        raise ValidationError(f"Type de champ inconnu : {key}") from None


def all_types() -> list[FieldType]:
    from . import types  # noqa: F401

    return list(_registry.values())


def choices() -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in all_types()]


# --- Prefill (issue 6) ------------------------------------------------------------------------------
# A value given in a /commencer link (?champ_<stable_id>=…) or through the public prefill API becomes
# parse()'s input through prefill_raw(); the démarche's prefill page documents each champ with
# prefill_doc(). Every type is prefillable except layout, files and repetition blocks.


def _prefill_item(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _prefillable(self) -> bool:
    return self.fillable and not self.accepts_files and not self.has_children


def _prefill_raw(self, value) -> list[str]:
    """What parse() receives for a prefill value: a string (from a link), or any JSON value (API)."""
    if isinstance(value, (list, tuple)):
        return [_prefill_item(item) for item in value]
    return [_prefill_item(value)]


def _prefill_doc(self, options: dict) -> tuple[str, str]:
    """(what the value must be, an example) in French, for the démarche's prefill page."""
    return self.prefill_format, self.prefill_example


FieldType.prefill_format = "Un texte."
FieldType.prefill_example = "Texte d'exemple"
FieldType.prefillable = property(_prefillable)
FieldType.prefill_raw = _prefill_raw
FieldType.prefill_doc = _prefill_doc


# --- Types holding files (issue 6) -----------------------------------------------------------------
# What the upload of a champ accepting files checks; the titre d'identité narrows it (images only,
# one file, 20 Mo) and keeps its file out of exports.


def _check_file(self, uploaded, *, options=None) -> None:
    """Raise ValidationError (French) unless `uploaded` may be attached to a champ of this type.

    When the administrateur restricted the formats of the champ (options « formats »), other extensions are refused.
    """
    from django.core.exceptions import ValidationError

    from .options import FORMATS, extensions_autorisees
    from .types.piece_justificative import check_upload

    allowed = extensions_autorisees(options or {})
    if allowed is not None:
        name = uploaded.name or ""
        extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if extension.lstrip(".") not in {ext.lstrip(".") for ext in allowed}:
            families = ", ".join(FORMATS[f][0] for f in (options or {}).get("formats") or [] if f in FORMATS)
            raise ValidationError(
                f"Le format du fichier « {name} » n'est pas accepté pour ce champ. Formats acceptés : {families}."
            )
    check_upload(uploaded)


def _max_files(self) -> int:
    from django.conf import settings

    return settings.PIECE_JUSTIFICATIVE_MAX_FILES


FieldType.check_file = _check_file
FieldType.max_files = property(_max_files)
FieldType.files_in_exports = True  # False: the files stay out of export archives (and of the API's file lists)


# --- Read-only display (issue 6) -------------------------------------------------------------------
# A template for the read-only views (usager's « Votre dossier », instructeur) when the plain text of
# display() is not enough (the carte's list of geometries with a static map); "" for the text.
FieldType.lecture_template = ""
