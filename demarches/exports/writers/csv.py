"""CSV: the main sheet only (the format has no sheets), written as the standard library's csv
module would (";" separators, minimal quoting, "\\r\\n" line ends), but line by line with str.join:
the csv module copies every character one by one, which took 4 of the 6 seconds of 100 000
dossiers × 49 columns (bench/exports_bench.py; tests/exports/test_writers.py compares the bytes)."""

import datetime
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

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
FORMULA_START_SET = frozenset(FORMULA_STARTS)
DELIMITER = ";"
LINE_END = "\r\n"
# What makes the csv module quote a field (QUOTE_MINIMAL): the delimiter, the quote, a line end.
QUOTE = '"'
LINES_PER_WRITE = 2000


def cell_text(value) -> str:
    """The text of a cell in the file (before quoting): what CONVERTERS give, other objects as
    str() gives them (as the csv module would)."""
    kind = type(value)
    if kind is str:
        return value if value[:1] not in FORMULA_START_SET else _text(value)
    return CONVERTERS.get(kind, str)(value)


class Textes(NamedTuple):
    """How the rows of a sheet may be given already as texts (selectors.lignes_dossiers(textes=…)):
    text(cell) is a cell's text; a str whose first character is not in special_starts is its own."""

    text: Callable[[object], str]
    special_starts: frozenset[str]


TEXTES = Textes(cell_text, FORMULA_START_SET)


def _texts(row: Sequence) -> list[str]:
    special = CONVERTERS.get
    starts = FORMULA_START_SET
    # Harmless texts (most cells), empty cells and numbers first: no call for them.
    return [
        value if (kind := type(value)) is str and value[:1] not in starts
        else "" if value is None
        else str(value) if kind is int
        else special(kind, str)(value)
        for value in row
    ]


def _quoted(text: str) -> str:
    if DELIMITER in text or QUOTE in text or "\n" in text or "\r" in text:
        return QUOTE + text.replace(QUOTE, QUOTE + QUOTE) + QUOTE
    return text


def _line(texts: Sequence[str]) -> str:
    """The fields joined as the csv module writes them (QUOTE_MINIMAL), without the line end."""
    line = DELIMITER.join(texts)
    if line.count(DELIMITER) != len(texts) - 1 or QUOTE in line or "\r" in line:
        return DELIMITER.join([_quoted(text) for text in texts])
    if "\n" in line:
        return _multi_line_fields_quoted(line)
    return line if line or len(texts) != 1 else QUOTE + QUOTE  # the csv module quotes a lone empty field


def _multi_line_fields_quoted(line: str) -> str:
    """The line with its fields holding a line break quoted, when every delimiter of the line
    separates two fields and no field holds a quote: a few multi-line texts per row are found from
    the line itself, rather than by looking into every field."""
    parts = []
    done = 0
    position = line.find("\n")
    while position != -1:
        start = line.rfind(DELIMITER, done, position) + 1
        end = line.find(DELIMITER, position)
        if end == -1:
            end = len(line)
        parts += (line[done:start], QUOTE, line[start:end], QUOTE)
        done = end
        position = line.find("\n", end)
    parts.append(line[done:])
    return "".join(parts)


class CsvWriter:
    """UTF-8 with a byte-order mark and ";" separators, which spreadsheet programs set to French open as is."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    multiple_sheets = False
    delimiter = DELIMITER
    # Rows may come as texts already (write_sheet(textes=True)).
    textes = TEXTES

    def __init__(self, path: str) -> None:
        self._file = open(path, "w", newline="", encoding="utf-8-sig", errors="replace")  # noqa: SIM115 (closed in close())
        self._sheets = 0

    def write_sheet(self, name, headers, rows: Iterable[Sequence], *, textes: bool = False) -> int:
        """textes: every cell of rows is already its text (TEXTES), a str."""
        if self._sheets:
            raise ValueError("Un fichier CSV ne contient qu'une feuille.")
        self._sheets += 1
        write = self._file.write
        write(_line(["" if h is None else repr(h) if type(h) is float else str(h) for h in headers]) + LINE_END)
        lines: list[str] = []
        count = 0
        for row in rows:
            lines.append(_line(row if textes else _texts(row)))
            if len(lines) == LINES_PER_WRITE:
                write(LINE_END.join(lines) + LINE_END)
                lines.clear()
            count += 1
        if lines:
            write(LINE_END.join(lines) + LINE_END)
        return count

    def close(self) -> None:
        self._file.close()
