"""Bloc répétable: child champ definitions (TypeDeChamp.parent) filled once per row.

The block's own champ keeps the ordered list of its rows (data = {"rows": [row ids]}) and, as its
value, a plain-text summary of every row (what lists, exports and e-mails show); each child value
is a champ of its own with the row's id (Champ.row_id). There is always at least one row.
"""

import re
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from ..registry import FieldType, StoredValue, register
from ._util import clean

MAX_ROWS = 100
_ROW_ID = re.compile(r"^[0-9a-f]{1,32}$")
FIRST_ROW = "1"


def new_row_id(existing) -> str:
    while True:
        row_id = secrets.token_hex(4)
        if row_id not in existing:
            return row_id


def rows_of(stored: StoredValue | None) -> list[str]:
    data = stored.data if stored is not None and isinstance(stored.data, dict) else {}
    rows = [row for row in data.get("rows") or [] if isinstance(row, str) and _ROW_ID.match(row)]
    return rows or [FIRST_ROW]


def summary(lines: list[list[tuple[str, str]]]) -> str:
    """« Ligne 1 : Nom : Dupont ; Montant : 12 » for every row that has an answer."""
    rows = []
    for index, answers in enumerate(lines, start=1):
        filled = [f"{libelle} : {value}" for libelle, value in answers if value]
        if filled:
            rows.append(f"Ligne {index} : " + " ; ".join(filled))
    return "\n".join(rows)


@register
class Repetition(FieldType):
    key = "repetition"
    label = "Bloc répétable"
    template = "fields/widgets/repetition.html"
    has_children = True
    condition_operators = ("empty", "not_empty")

    def parse(self, raw, *, options):
        """raw: the row ids, in order (the children's values are parsed champ by champ)."""
        rows = []
        for row in raw:
            row = clean(row)
            if not _ROW_ID.match(row):
                raise ValidationError(gettext("Les lignes de ce bloc sont illisibles : rechargez la page."))
            if row not in rows:
                rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ValidationError(gettext("Ce bloc ne peut pas compter plus de %(max)s lignes.") % {"max": MAX_ROWS})
        return StoredValue(data={"rows": rows or [FIRST_ROW]})

    def raw(self, stored):
        return rows_of(stored)

    def is_empty(self, stored):
        # Empty when no child has a value: the summary lists only the answers.
        return not stored.value

    def check(self, stored, *, options):
        """The rows are checked champ by champ (see the dossier services)."""

    def keep_invalid(self, raw):
        return StoredValue(data={"rows": [FIRST_ROW]})
