"""Champ formaté: a one-line text whose shape the administrateur fixes.

Options, simple mode (the default):
    letters, digits, special (booleans; all allowed when none is given): the characters allowed,
    « special » being everything that is neither a letter nor a digit (spaces included);
    min_length, max_length.
Options, advanced mode (mode = "avance"):
    regex: the regular expression the whole value must match;
    example: a valid value shown to the usager;
    error_message: the message when the value does not match.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from ..registry import FieldType, StoredValue, register
from ._util import MAX_LINE_LENGTH, TEXT_OPERATORS, first


def _int_option(options, name):
    try:
        value = int(options.get(name))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def _kind(char: str) -> str:
    if char.isalpha():
        return "letters"
    if char in "0123456789":
        return "digits"
    return "special"


KIND_LABELS = {"letters": "les lettres", "digits": "les chiffres", "special": "les caractères spéciaux (espaces compris)"}


@register
class Formatted(FieldType):
    key = "formatted"
    label = "Champ formaté"
    prefill_format = 'Un texte respectant le format du champ.'
    prefill_example = 'AB12'
    template = "fields/widgets/formatted.html"
    condition_operators = TEXT_OPERATORS

    @staticmethod
    def hint(options) -> str:
        """What the usager is told about the expected format."""
        if options.get("mode") == "avance":
            example = (options.get("example") or "").strip()
            return f"Exemple : {example}" if example else ""
        allowed = [kind for kind in KIND_LABELS if options.get(kind)]
        parts = []
        if allowed and len(allowed) < len(KIND_LABELS):
            parts.append("Caractères autorisés : " + _joined([KIND_LABELS[kind] for kind in allowed]) + ".")
        minimum, maximum = _int_option(options, "min_length"), _int_option(options, "max_length")
        if minimum and maximum:
            parts.append(f"Entre {minimum} et {maximum} caractères.")
        elif minimum:
            parts.append(f"Au moins {minimum} caractères.")
        elif maximum:
            parts.append(f"{maximum} caractères au maximum.")
        return " ".join(parts)

    def prefill_doc(self, options):
        if options.get("mode") == "avance":
            example = (options.get("example") or "").strip()
            text = f"{self.prefill_format} Il doit correspondre à l'expression régulière {options.get('regex') or ''}."
            return text, example or self.prefill_example
        return f"{self.prefill_format} {self.hint(options)}".strip(), self.prefill_example

    def parse(self, raw, *, options):
        text = first(raw)
        if not text:
            return StoredValue()
        if len(text) > MAX_LINE_LENGTH:
            raise ValidationError(gettext("La valeur ne doit pas dépasser %(max)s caractères.") % {"max": MAX_LINE_LENGTH})
        if options.get("mode") == "avance":
            self._check_regex(text, options)
        else:
            self._check_simple(text, options)
        return StoredValue(value=text)

    @staticmethod
    def _check_regex(text, options):
        pattern = options.get("regex") or ""
        try:
            matches = re.fullmatch(pattern, text) is not None
        except (re.error, TypeError, RecursionError):
            raise ValidationError(
                "Ce champ ne peut pas être vérifié : le format attendu est mal défini. Signalez-le à l'administration."
            ) from None
        if not matches:
            message = (options.get("error_message") or "").strip() or gettext("La valeur ne respecte pas le format attendu.")
            example = (options.get("example") or "").strip()
            if example and example not in message:
                message = gettext("%(message)s Exemple : %(exemple)s") % {"message": message, "exemple": example}
            raise ValidationError(message)

    @staticmethod
    def _check_simple(text, options):
        allowed = {kind for kind in KIND_LABELS if options.get(kind)} or set(KIND_LABELS)
        refused = sorted({_kind(char) for char in text} - allowed, key=list(KIND_LABELS).index)
        if refused:
            allowed_labels = [KIND_LABELS[kind] for kind in KIND_LABELS if kind in allowed]
            raise ValidationError(
                f"Seuls {_joined(allowed_labels)} sont acceptés : retirez {_joined([KIND_LABELS[k] for k in refused])}."
            )
        minimum, maximum = _int_option(options, "min_length"), _int_option(options, "max_length")
        if minimum and len(text) < minimum:
            raise ValidationError(
                gettext("La valeur doit comporter au moins %(min)s caractères (actuellement %(longueur)s).")
                % {"min": minimum, "longueur": len(text)}
            )
        if maximum and len(text) > maximum:
            raise ValidationError(
                gettext("La valeur ne doit pas dépasser %(max)s caractères (actuellement %(longueur)s).")
                % {"max": maximum, "longueur": len(text)}
            )

    def widget_context(self, *, options, stored):
        return {"hint": self.hint(options)}


def _joined(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]
