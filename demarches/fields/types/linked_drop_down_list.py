"""Deux menus déroulants liés: the second menu's choices depend on the first one's.

The options are written as in seed 001, one per line: a line « --A-- » starts a value of the first
menu, the lines after it are the values of the second menu for « A ».
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from ..registry import FieldType, StoredValue, register
from ._util import clean

_PRIMARY = re.compile(r"^--(?P<value>.+)--$")
SEPARATOR = " / "


def linked_options(options: dict) -> list[tuple[str, list[str]]]:
    """[(primary value, [secondary values])] in order; lines before the first primary are ignored."""
    result: list[tuple[str, list[str]]] = []
    for line in options.get("choices", []):
        line = (line or "").strip()
        if not line:
            continue
        match = _PRIMARY.match(line)
        if match:
            result.append((match["value"].strip(), []))
        elif result and line not in result[-1][1]:
            result[-1][1].append(line)
    return result


@register
class LinkedDropDownList(FieldType):
    key = "linked_drop_down_list"
    label = "Deux menus déroulants liés"
    template = "fields/widgets/linked_drop_down_list.html"
    has_options = True
    condition_operators = ("eq", "not_eq", "empty", "not_empty")

    def prefill_doc(self, options):
        pairs = linked_options(options)
        text = (
            "Deux valeurs : celle du premier menu puis celle du second (dans un lien, répétez le paramètre ; "
            "par l'API, une liste). Premier menu : " + " ; ".join(f"«\u00a0{p}\u00a0»" for p, _ in pairs) + "."
        )
        example = next(([p, s[0]] for p, s in pairs if s), [pairs[0][0]] if pairs else [])
        return text, "[" + ", ".join(f'"{v}"' for v in example) + "]"

    def raw_from_post(self, posted, name):
        return [posted.get(name, ""), posted.get(f"{name}-secondaire", "")]

    def parse(self, raw, *, options):
        primary = clean(raw[0] if raw else "")
        secondary = clean(raw[1] if len(raw) > 1 else "")
        if not primary:
            if secondary:
                raise ValidationError(gettext("Choisissez d'abord une valeur dans le premier menu."))
            return StoredValue()
        secondaries = dict(linked_options(options)).get(primary)
        if secondaries is None:
            raise ValidationError(gettext("Choisissez une des valeurs proposées dans le premier menu."))
        if secondary and secondary not in secondaries:
            raise ValidationError(
                gettext("Choisissez une des valeurs proposées pour « %(premier)s » dans le second menu.") % {"premier": primary}
            )
        value = f"{primary}{SEPARATOR}{secondary}" if secondary else primary
        # is_empty() has no options: the stored data keeps whether the second menu had choices.
        return StoredValue(
            value=value, data={"primary": primary, "secondary": secondary, "has_secondaries": bool(secondaries)}
        )

    def is_empty(self, stored):
        # Incomplete (first menu only, when the second one has choices) counts as not answered.
        data = stored.data if isinstance(stored.data, dict) else {}
        if not data.get("primary"):
            return True
        return not data.get("secondary") and data.get("has_secondaries", True)

    def keep_invalid(self, raw):
        primary = clean(raw[0] if raw else "")
        secondary = clean(raw[1] if len(raw) > 1 else "")
        return StoredValue(
            value=SEPARATOR.join(part for part in (primary, secondary) if part),
            data={"primary": primary, "secondary": secondary, "has_secondaries": True},
        )

    def raw(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        if not data:
            return [stored.value]
        return [data.get("primary", ""), data.get("secondary", "")]

    def initial(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return {"primary": data.get("primary", ""), "secondary": data.get("secondary", "")}

    def condition_value(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return data.get("primary") or None

    def widget_context(self, *, options, stored):
        return {"linked": linked_options(options)}
