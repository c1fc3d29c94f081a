"""Conditional display of champs: pure functions, no database.

A condition lives in TypeDeChamp.options["condition"] as a JSON tree:

    {"and": [<condition>, ...]}   every sub-condition holds
    {"or":  [<condition>, ...]}   at least one holds
    {"champ": <stable_id>, "operator": "<operator>", "value": <value>}

where the champ is an earlier champ of the form. The server evaluates conditions (it is the
authority: hidden champs are neither required nor validated, and are emptied at deposit); the
browser shows the result after each autosave.

Rules:
- a champ that is hidden counts as empty for the conditions of the champs after it;
- a hidden section title hides every champ up to the next section title of the same or a higher level;
- a condition that cannot be read (unknown operator, champ that does not exist or comes later)
  is ignored: the champ stays visible, so that a mistake in the editor never hides a question.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

OPERATEURS = {
    "eq": "est égal à",
    "not_eq": "est différent de",
    "lt": "est inférieur à",
    "lte": "est inférieur ou égal à",
    "gt": "est supérieur à",
    "gte": "est supérieur ou égal à",
    "include": "contient",
    "empty": "n'est pas rempli",
    "not_empty": "est rempli",
    "in_departement": "est dans le département",
    "in_region": "est dans la région",
}
WITHOUT_VALUE = ("empty", "not_empty")
MAX_DEPTH = 10


class ConditionInvalide(ValueError):
    """The condition cannot be read; its champ is shown."""


@dataclass(frozen=True)
class ChampConditionnel:
    """What evaluation needs to know about one champ definition, in form order."""

    stable_id: int
    condition: dict | None = None
    section_level: int | None = None  # set for section titles (1 to 3)


def _is_empty(operand) -> bool:
    return operand is None or operand == "" or operand == [] or operand == {}


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "oui", "1", "vrai", "on"):
        return True
    if text in ("false", "non", "0", "faux", ""):
        return False
    raise ValueError(text)


def _as_number(value) -> Decimal:
    number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    if not number.is_finite():
        raise InvalidOperation
    return number


def _coerce(operand, expected):
    """`expected` (from the editor, usually text) converted to the operand's kind; ValueError if impossible."""
    if isinstance(operand, bool):
        return _as_bool(expected)
    if isinstance(operand, Decimal):
        return _as_number(expected)
    if isinstance(operand, datetime.datetime):
        value = datetime.datetime.fromisoformat(str(expected))
        return value.replace(tzinfo=None) if operand.tzinfo is None else value
    if isinstance(operand, datetime.date):
        return datetime.date.fromisoformat(str(expected))
    return expected


def _leaf(operator: str, operand, expected) -> bool:
    if operator == "empty":
        return _is_empty(operand)
    if operator == "not_empty":
        return not _is_empty(operand)
    if _is_empty(operand):
        return operator == "not_eq"
    try:
        if operator in ("eq", "not_eq"):
            if isinstance(operand, dict):
                equal = str(expected) == str(operand.get("code", ""))
            elif isinstance(operand, list):
                wanted = expected if isinstance(expected, list) else [expected]
                equal = sorted(map(str, wanted)) == sorted(map(str, operand))
            elif isinstance(operand, str):
                equal = str(expected).strip() == operand
            else:
                equal = _coerce(operand, expected) == operand
            return equal if operator == "eq" else not equal
        if operator in ("lt", "lte", "gt", "gte"):
            if isinstance(operand, (str, list, dict, bool)):
                return False
            value = _coerce(operand, expected)
            return {
                "lt": operand < value, "lte": operand <= value, "gt": operand > value, "gte": operand >= value,
            }[operator]
        if operator == "include":
            if isinstance(operand, list):
                return str(expected) in map(str, operand)
            if isinstance(operand, str):
                return str(expected).casefold() in operand.casefold()
            return False
        if operator == "in_departement":
            return isinstance(operand, dict) and str(expected) == str(operand.get("departement", ""))
        if operator == "in_region":
            return isinstance(operand, dict) and str(expected) == str(operand.get("region", ""))
    except (ValueError, TypeError, InvalidOperation, ArithmeticError):
        # The value typed in the editor does not fit this champ (e.g. « abc » for a number).
        return False
    raise ConditionInvalide(f"opérateur inconnu : {operator}")


def evaluer(condition, valeurs: Mapping[int, object], *, _depth: int = 0) -> bool:
    """Whether `condition` holds; `valeurs` maps the stable_id of every champ that may be
    referenced (earlier champs) to its condition value (None when empty or hidden)."""
    if _depth > MAX_DEPTH or not isinstance(condition, dict):
        raise ConditionInvalide("condition illisible")
    for group, combine in (("and", all), ("or", any)):
        if group in condition:
            items = condition[group]
            if not isinstance(items, list) or not items:
                raise ConditionInvalide(f"groupe « {group} » vide")
            # Evaluate everything (no short-circuit) so that an unreadable part is always noticed.
            return combine([evaluer(item, valeurs, _depth=_depth + 1) for item in items])
    operator = condition.get("operator")
    if not isinstance(operator, str) or operator not in OPERATEURS:
        raise ConditionInvalide(f"opérateur inconnu : {operator}")
    try:
        stable_id = int(condition.get("champ"))
    except (TypeError, ValueError, OverflowError):
        raise ConditionInvalide("champ manquant") from None
    if stable_id not in valeurs:
        raise ConditionInvalide(f"champ {stable_id} inconnu ou placé après")
    return _leaf(operator, valeurs[stable_id], condition.get("value"))


def est_visible(condition, valeurs: Mapping[int, object]) -> bool:
    if not condition:
        return True
    try:
        return evaluer(condition, valeurs)
    except ConditionInvalide:
        return True


def champs_masques(
    champs: Sequence[ChampConditionnel], valeur_de: Callable[[int], object], connues: Mapping[int, object] | None = None
) -> set[int]:
    """The stable_ids of the champs hidden by their own condition or by their section's.

    `champs` in form order; `valeur_de(stable_id)` gives a champ's condition value (None if empty);
    `connues`: values of champs placed before all of them (the public champs, for the annotations privées).
    """
    hidden: set[int] = set()
    known: dict[int, object] = dict(connues or {})
    sections: list[tuple[int, bool]] = []  # open section titles: (level, hidden)
    for champ in champs:
        if champ.section_level is not None:
            while sections and sections[-1][0] >= champ.section_level:
                sections.pop()
        inside_hidden_section = any(section_hidden for _, section_hidden in sections)
        visible = not inside_hidden_section and est_visible(champ.condition, known)
        if champ.section_level is not None:
            sections.append((champ.section_level, not visible))
        if visible:
            known[champ.stable_id] = valeur_de(champ.stable_id)
        else:
            hidden.add(champ.stable_id)
            known[champ.stable_id] = None
    return hidden


def references(condition) -> set[int]:
    """The stable_ids a condition refers to (whatever its validity)."""
    found: set[int] = set()
    if isinstance(condition, dict):
        for group in ("and", "or"):
            for item in condition.get(group) or []:
                found |= references(item)
        try:
            if "champ" in condition:
                found.add(int(condition["champ"]))
        except (TypeError, ValueError, OverflowError):
            pass
    return found


def valider(condition, champs_precedents: Mapping[int, tuple[str, tuple[str, ...]]]) -> list[str]:
    """Problems of a condition, in French, for the editor. `champs_precedents` maps the stable_id
    of each earlier champ to (libellé, operators its type accepts)."""
    errors: list[str] = []

    def visit(node, depth):
        if depth > MAX_DEPTH or not isinstance(node, dict):
            errors.append("La condition est illisible.")
            return
        for group in ("and", "or"):
            if group in node:
                items = node[group]
                if not isinstance(items, list) or not items:
                    errors.append("Un groupe de conditions « et » / « ou » doit contenir au moins une condition.")
                    return
                for item in items:
                    visit(item, depth + 1)
                return
        try:
            stable_id = int(node.get("champ"))
        except (TypeError, ValueError, OverflowError):
            errors.append("Choisissez le champ sur lequel porte la condition.")
            return
        if stable_id not in champs_precedents:
            errors.append("Une condition ne peut porter que sur un champ placé avant celui-ci.")
            return
        libelle, operators = champs_precedents[stable_id]
        operator = node.get("operator")
        if not isinstance(operator, str) or operator not in OPERATEURS:
            errors.append(f"Choisissez une comparaison pour le champ « {libelle} ».")
        elif operator not in operators:
            errors.append(f"La comparaison « {OPERATEURS[operator]} » n'est pas possible pour le champ « {libelle} ».")
        elif operator not in WITHOUT_VALUE and node.get("value") in (None, ""):
            errors.append(f"Indiquez la valeur à comparer pour le champ « {libelle} ».")

    visit(condition, 0)
    return errors


def _is_group(condition) -> bool:
    return isinstance(condition, dict) and any(
        isinstance(condition.get(group), list) and len(condition[group]) > 1 for group in ("and", "or")
    )


def decrire(condition, libelles: Mapping[int, str]) -> str:
    """The condition in words, for the editor and the instructeurs:
    « Avez-vous des salariés ? » est égal à « true » et « Nombre » est supérieur à « 50 »."""
    if not isinstance(condition, dict):
        return "condition illisible"
    for group, word in (("and", " et "), ("or", " ou ")):
        if group in condition and isinstance(condition[group], list):
            items = condition[group]
            if len(items) == 1:
                return decrire(items[0], libelles)
            return word.join(
                f"({decrire(item, libelles)})" if _is_group(item) else decrire(item, libelles) for item in items
            )
    try:
        libelle = libelles.get(int(condition.get("champ")), "champ inconnu")
    except (TypeError, ValueError, OverflowError):
        libelle = "champ inconnu"
    operator = condition.get("operator")
    words = OPERATEURS.get(operator, "?") if isinstance(operator, str) else "?"
    if operator in WITHOUT_VALUE:
        return f"« {libelle} » {words}"
    return f"« {libelle} » {words} « {condition.get('value')} »"
