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
        text = (raw[0] if raw else "").strip()
        return StoredValue(value=text)

    def is_empty(self, stored: StoredValue) -> bool:
        return not stored.value and not stored.data

    def display(self, stored: StoredValue) -> str:
        return stored.value

    def initial(self, stored: StoredValue):
        """The value to put back in the widget."""
        return stored.value


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
