"""CSV with the standard library: the main sheet only (the format has no sheets)."""

import csv
import datetime
from decimal import Decimal

# A text starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "@", "\t", "\r", "+", "-")


def _text(value: str) -> str:
    if value and value[0] in FORMULA_STARTS:
        # "+33 6 12 34 56 78" or "-12" are harmless; anything else gets a leading apostrophe.
        if value[0] in "+-" and all(c.isdigit() or c in " .,()" for c in value[1:]):
            return value
        return "'" + value
    return value


CONVERTERS = {
    str: _text,
    int: str,
    # A decimal comma, as spreadsheet programs set to French read numbers (the separator is ";").
    float: lambda v: repr(v).replace(".", ","),
    Decimal: lambda v: format(v, "f").replace(".", ","),
    bool: lambda v: "Oui" if v else "Non",
    datetime.datetime: lambda v: v.isoformat(" ", "seconds"),
    datetime.date: datetime.date.isoformat,
    type(None): lambda v: "",
}
# What the csv module would not write as wanted by itself.
SPECIAL = {kind: convert for kind, convert in CONVERTERS.items() if kind not in (int, type(None))}
FORMULA_START_SET = frozenset(FORMULA_STARTS)


class CsvWriter:
    """UTF-8 with a byte-order mark and ";" separators, which spreadsheet programs set to French open as is."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    multiple_sheets = False
    delimiter = ";"

    def __init__(self, path: str) -> None:
        self._file = open(path, "w", newline="", encoding="utf-8-sig", errors="replace")  # noqa: SIM115 (closed in close())
        self._writer = csv.writer(self._file, delimiter=self.delimiter, quoting=csv.QUOTE_MINIMAL)
        self._sheets = 0

    def write_sheet(self, name, headers, rows) -> int:
        if self._sheets:
            raise ValueError("Un fichier CSV ne contient qu'une feuille.")
        self._sheets += 1
        writerow = self._writer.writerow
        special = SPECIAL.get
        starts = FORMULA_START_SET
        datetime_ = datetime.datetime
        writerow(headers)
        count = 0
        for row in rows:
            # Numbers, empty cells and harmless texts (most cells) are written by the csv module as is.
            writerow([
                value if (kind := type(value)) is int or value is None or (kind is str and value[:1] not in starts)
                else value.isoformat(" ", "seconds") if kind is datetime_
                else special(kind, str)(value)
                for value in row
            ])
            count += 1
        return count

    def close(self) -> None:
        self._file.close()
