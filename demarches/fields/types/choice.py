import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from ..registry import FieldType, StoredValue, register
from ._util import MAX_LINE_LENGTH, clean

SEPARATOR = "--separator--"  # not selectable, separates groups of options in the editor
# Any line written « --Titre-- » is a group title (seed 001: greyed, not selectable).
_GROUP_TITLE = re.compile(r"^--(?P<title>.+)--$")

AUTRE = "__autre__"  # the value of the « Autre » choice; the text typed next to it is what is stored
AUTRE_LABEL = gettext_noop("Autre")
RADIOS_MAX = 5  # up to 5 options: radio buttons
SEARCH_MIN = 20  # from 20 options: a text input with suggestions (native, works without JavaScript)


def _group_title(line: str) -> str | None:
    match = _GROUP_TITLE.match(line.strip())
    if not match:
        return None
    return "" if line.strip() == SEPARATOR else match["title"].strip()


def option_values(options: dict) -> list[str]:
    return [v for v in options.get("choices", []) if v and v.strip() and _group_title(v) is None]


def option_groups(options: dict) -> list[tuple[str, list[str]]]:
    """[(group title or "", [values])] in the editor's order; empty groups are dropped."""
    groups: list[tuple[str, list[str]]] = [("", [])]
    for line in options.get("choices", []):
        if not line or not line.strip():
            continue
        title = _group_title(line)
        if title is None:
            groups[-1][1].append(line)
        else:
            groups.append((title, []))
    return [(title, values) for title, values in groups if values]


@register
class DropDownList(FieldType):
    key = "drop_down_list"
    label = "Choix simple"
    template = "fields/widgets/drop_down.html"
    has_options = True
    condition_operators = ("eq", "not_eq", "empty", "not_empty")

    @staticmethod
    def mode(options) -> str:
        count = len(option_values(options)) + (1 if options.get("other") else 0)
        if count <= RADIOS_MAX:
            return "radios"
        return "recherche" if count >= SEARCH_MIN else "select"

    def raw_from_post(self, posted, name):
        return [posted.get(name, ""), posted.get(f"{name}-autre", "")]

    def parse(self, raw, *, options):
        text = clean(raw[0] if raw else "")
        other_text = clean(raw[1] if len(raw) > 1 else "")
        allowed = option_values(options)
        if not text:
            return StoredValue()
        if text in allowed:
            return StoredValue(value=text)
        same = [value for value in allowed if value.casefold() == text.casefold()]
        if same:
            return StoredValue(value=same[0])
        if options.get("other"):
            if text == AUTRE:
                if not other_text:
                    raise ValidationError(gettext("Vous avez choisi « Autre » : précisez votre réponse dans la zone de texte."))
                text = other_text
            elif self.mode(options) != "recherche":
                raise ValidationError(gettext("Choisissez une des valeurs proposées."))
            if len(text) > MAX_LINE_LENGTH:
                raise ValidationError(
                    gettext("Votre réponse ne doit pas dépasser %(max)s caractères.") % {"max": MAX_LINE_LENGTH}
                )
            # In the searchable list, a text that is not an option is the « Autre » answer.
            return StoredValue(value=text, data={"autre": True})
        if self.mode(options) == "recherche":
            raise ValidationError(gettext("Choisissez une des valeurs de la liste (commencez à taper pour la filtrer)."))
        raise ValidationError(gettext("Choisissez une des valeurs proposées."))

    def keep_invalid(self, raw):
        text = clean(raw[0] if raw else "")
        if text == AUTRE:
            return StoredValue(value=clean(raw[1] if len(raw) > 1 else ""), data={"autre": True})
        return StoredValue(value=text)

    def raw(self, stored):
        if isinstance(stored.data, dict) and stored.data.get("autre"):
            return [AUTRE, stored.value]
        return [stored.value]

    def display(self, stored):
        return stored.value

    def initial(self, stored):
        if isinstance(stored.data, dict) and stored.data.get("autre"):
            return AUTRE
        return stored.value

    def choices_for(self, options):
        return option_values(options)

    def prefill_doc(self, options):
        values = option_values(options)
        text = "Une des valeurs proposées : " + " ; ".join(f"«\u00a0{v}\u00a0»" for v in values) + "."
        if options.get("other"):
            text += " Une autre valeur est acceptée comme réponse « Autre »."
        return text, (values[0] if values else "")

    def widget_context(self, *, options, stored):
        autre = isinstance(stored.data, dict) and stored.data.get("autre")
        return {
            "mode": self.mode(options),
            "groups": option_groups(options),
            "other": bool(options.get("other")),
            "other_value": AUTRE,
            "other_label": gettext(AUTRE_LABEL),
            "other_text": stored.value if autre else "",
            "other_chosen": bool(autre),
            # The searchable list shows the answer itself, « Autre » answers included.
            "search_value": stored.value,
        }


@register
class MultipleDropDownList(FieldType):
    key = "multiple_drop_down_list"
    label = "Choix multiple"
    template = "fields/widgets/checkboxes.html"
    has_options = True
    condition_operators = ("include", "empty", "not_empty")

    def parse(self, raw, *, options):
        allowed = option_values(options)
        values = [v for v in (r.strip() for r in raw) if v]
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValidationError(gettext("Choisissez uniquement parmi les valeurs proposées."))
        ordered = [v for v in allowed if v in values]
        return StoredValue(value=", ".join(ordered), data=ordered)

    def initial(self, stored):
        return stored.data or []

    def prefill_doc(self, options):
        values = option_values(options)
        text = (
            "Une ou plusieurs des valeurs proposées (dans un lien, répétez le paramètre ; par l'API, une liste) : "
            + " ; ".join(f"«\u00a0{v}\u00a0»" for v in values) + "."
        )
        return text, (f'["{values[0]}"]' if values else "[]")

    def choices_for(self, options):
        return option_values(options)

    def condition_value(self, stored):
        return list(stored.data) if isinstance(stored.data, list) and stored.data else None
