from django.core.exceptions import ValidationError

from ..registry import FieldType, StoredValue, register

SEPARATOR = "--separator--"  # not selectable, separates groups of options in the editor


def option_values(options: dict) -> list[str]:
    return [v for v in options.get("choices", []) if v and v.strip() != SEPARATOR]


@register
class DropDownList(FieldType):
    key = "drop_down_list"
    label = "Choix simple"
    template = "fields/widgets/drop_down.html"
    has_options = True

    def parse(self, raw, *, options):
        text = (raw[0] if raw else "").strip()
        if text and text not in option_values(options):
            raise ValidationError("Choisissez une des valeurs proposées.")
        return StoredValue(value=text)

    def choices_for(self, options):
        return option_values(options)


@register
class MultipleDropDownList(FieldType):
    key = "multiple_drop_down_list"
    label = "Choix multiple"
    template = "fields/widgets/checkboxes.html"
    has_options = True

    def parse(self, raw, *, options):
        allowed = option_values(options)
        values = [v for v in (r.strip() for r in raw) if v]
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValidationError("Choisissez uniquement parmi les valeurs proposées.")
        ordered = [v for v in allowed if v in values]
        return StoredValue(value=", ".join(ordered), data=ordered)

    def initial(self, stored):
        return stored.data or []

    def choices_for(self, options):
        return option_values(options)
