"""OpenDocument spreadsheets (.ods), written as a stream.

No ODS library writes row by row, so this module writes the package itself: a ZIP whose first
entry is the uncompressed "mimetype", then content.xml produced row by row into a compressed
entry (memory stays flat whatever the number of rows), then the small fixed parts. Cells carry
their type: float for numbers, date for dates (with a French display format), string otherwise.
Rows are written by templates prepared once per shape of row (see "Rows, in bulk" below): the
per-cell Python work of a naive writer is what made ODS the slowest format.
"""

import datetime
import math
import operator
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import quoteattr

from ._zipentry import StreamedEntry

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)

_DAY_MONTH_YEAR = (
    '<number:day number:style="long"/><number:text>/</number:text>'
    '<number:month number:style="long"/><number:text>/</number:text>'
    '<number:year number:style="long"/>'
)
CONTENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<office:document-content {NS} office:version="1.2">'
    "<office:automatic-styles>"
    f'<number:date-style style:name="N_DATE">{_DAY_MONTH_YEAR}</number:date-style>'
    f'<number:date-style style:name="N_DATETIME">{_DAY_MONTH_YEAR}<number:text> </number:text>'
    '<number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/>'
    "</number:date-style>"
    '<style:style style:name="co1" style:family="table-column">'
    '<style:table-column-properties style:column-width="4.5cm"/></style:style>'
    '<style:style style:name="ceH" style:family="table-cell">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    '<style:style style:name="ceD" style:family="table-cell" style:data-style-name="N_DATE"/>'
    '<style:style style:name="ceDT" style:family="table-cell" style:data-style-name="N_DATETIME"/>'
    "</office:automatic-styles>"
    "<office:body><office:spreadsheet>"
)
CONTENT_TAIL = "</office:spreadsheet></office:body></office:document-content>"
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {NS} office:version="1.2">'
    "<office:styles/></office:document-styles>"
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)

EMPTY = "<table:table-cell/>"
# Characters XML 1.0 forbids (they would make the whole file unreadable): dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # lone surrogates too
_SPACES = re.compile(" {2,}|^ | $")


def _spaces(match: re.Match) -> str:
    # Runs, leading and trailing spaces would be collapsed or dropped: they become explicit spaces.
    return f'<text:s text:c="{len(match.group(0))}"/>'


def is_plain(value: str) -> bool:
    """A non-empty text that can be copied into the XML as is: no markup character, no line break,
    tab or character XML forbids (all "non printable"), no space that ODF would collapse or drop.
    String methods, faster than a regex over millions of cells."""
    return (
        value.isprintable() and "&" not in value and "<" not in value and ">" not in value and "  " not in value
        and value[0] != " " and value[-1] != " "
    )


def text_paragraphs(value: str) -> str:
    """The text:p elements showing a text exactly, escaped for XML."""
    if not value:
        return "<text:p/>"
    if is_plain(value):
        return f"<text:p>{value}</text:p>"
    value = _INVALID_XML.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    paragraphs = []
    for line in value.split("\n"):
        line = _SPACES.sub(_spaces, line).replace("\t", "<text:tab/>")
        paragraphs.append(f"<text:p>{line}</text:p>" if line else "<text:p/>")
    return "".join(paragraphs)


def _string(value: str) -> str:
    if not value:
        return EMPTY
    return f'<table:table-cell office:value-type="string">{text_paragraphs(value)}</table:table-cell>'


def _float(value) -> str:
    text = repr(value) if type(value) is float else str(value)
    if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
        return _string(text)  # infinities and NaN have no place in a float cell: shown as text
    return f'<table:table-cell office:value-type="float" office:value="{text}"/>'


def _datetime(value: datetime.datetime) -> str:
    return (
        f'<table:table-cell table:style-name="ceDT" office:value-type="date" '
        f'office:date-value="{value.replace(tzinfo=None).isoformat(timespec="seconds")}"/>'
    )


def _date(value: datetime.date) -> str:
    return (
        f'<table:table-cell table:style-name="ceD" office:value-type="date" '
        f'office:date-value="{value.isoformat()}"/>'
    )


CELLS = {
    str: _string,
    int: _float,
    float: _float,
    Decimal: _float,
    datetime.datetime: _datetime,
    datetime.date: _date,
    bool: lambda value: _string("Oui" if value else "Non"),
    type(None): lambda value: EMPTY,
}


FORBIDDEN_IN_SHEET_NAME = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(name: str) -> str:
    """Spreadsheet programs refuse these characters and an apostrophe at either end of a sheet's name."""
    return name.translate(FORBIDDEN_IN_SHEET_NAME).strip().strip("'").strip() or "Feuille"


def _cell(value) -> str:
    convert = CELLS.get(type(value))
    return convert(value) if convert else _string(str(value))


# --- Rows, in bulk ----------------------------------------------------------------------------------
# Most rows of an export have the same shape: the same type in each column, the same empty texts.
# For each shape the row's XML is prepared once as a list of fixed pieces (the cells' markup) with
# a slot between two pieces for each value; a row is then the list with its values put in the slots
# by one slice assignment, joined: no per-cell Python code. Texts go in as they are, numbers and
# plain dates by their str(), date-times by isoformat(); the texts of a row are checked, and escaped
# when needed, all together (joined by a separator) by a few passes of C string methods. Rows that do
# not fit (the separator inside a text, a non-finite number) take the cell-by-cell path, which gives
# the same XML.

STRING_OPEN = '<table:table-cell office:value-type="string"><text:p>'
STRING_CLOSE = "</text:p></table:table-cell>"
# The texts of a row are checked joined by " ¦ ": printable separator (isprintable() then checks
# them all), in Latin-1 (joining mostly Latin-1 French texts with it does not widen the string), and
# between spaces, so that a text starting or ending with a space makes a double space, found by the
# same single search as the runs of spaces inside a text. They are escaped joined by "¦" alone.
_SEP = "\xa6"  # BROKEN BAR, rare in texts (a text containing it takes the cell-by-cell path)
_CHECK_SEP = f" {_SEP} "
# Spaces ODF would collapse or drop: runs, and single ones at either end of a text or of a line.
_SPACES_BULK = re.compile(f" {{2,}}|(?<![^{_SEP}\n]) | (?![^{_SEP}\n])")
_MAX_SHAPES = 1024
_FLOATS = frozenset((float, Decimal))  # may be infinite or NaN: checked
_ISO_DATE = datetime.date.isoformat
_ISO_SECONDS = operator.methodcaller("isoformat", "T", "seconds")


def _getter(indexes):
    """A function giving the row's values at these indexes, always as a tuple."""
    indexes = list(indexes)
    if not indexes:
        return lambda row: ()
    if len(indexes) == 1:
        index = indexes[0]
        return lambda row: (row[index],)
    return operator.itemgetter(*indexes)


class _Shape:
    """The pieces of the rows with these cell types (and these empty texts) and how to fill them."""

    __slots__ = ("pieces", "texts", "text_count", "ints", "dates", "checked", "datetimes", "others", "order")

    def __init__(self, kinds: tuple, empty: tuple = ()) -> None:
        empty = set(empty)
        groups: dict[str, list[int]] = {
            name: [] for name in ("texts", "ints", "dates", "checked", "datetimes", "others")
        }
        pieces, fixed = [], ["<table:table-row>"]
        columns = []  # the columns with a slot, in the order of the row
        for column, kind in enumerate(kinds):
            if kind is str and column not in empty:
                group, before, after = "texts", STRING_OPEN, STRING_CLOSE
            elif kind is type(None) or kind is str:
                fixed.append(EMPTY)
                continue
            elif kind in _FLOATS:
                group, before, after = "checked", '<table:table-cell office:value-type="float" office:value="', '"/>'
            elif kind is int:
                group, before, after = "ints", '<table:table-cell office:value-type="float" office:value="', '"/>'
            elif kind is datetime.date:
                group = "dates"
                before = '<table:table-cell table:style-name="ceD" office:value-type="date" office:date-value="'
                after = '"/>'
            elif kind is datetime.datetime:
                group = "datetimes"
                before = '<table:table-cell table:style-name="ceDT" office:value-type="date" office:date-value="'
                after = '"/>'
            else:  # booleans and any other type: the whole cell, cell by cell
                group, before, after = "others", "", ""
            fixed.append(before)
            pieces.append("".join(fixed))
            fixed = [after]
            groups[group].append(column)
            columns.append(column)
        fixed.append("</table:table-row>")
        pieces.append("".join(fixed))
        # the fixed pieces with a slot (None) between two of them, where the values go
        self.pieces = [None] * (2 * len(pieces) - 1)
        self.pieces[::2] = pieces
        self.texts = _getter(groups["texts"])
        self.text_count = len(groups["texts"])
        self.ints = _getter(groups["ints"])
        self.dates = _getter(groups["dates"]) if groups["dates"] else None
        self.checked = _getter(groups["checked"]) if groups["checked"] else None
        self.datetimes = _getter(groups["datetimes"]) if groups["datetimes"] else None
        self.others = _getter(groups["others"]) if groups["others"] else None
        # the values are gathered group by group: this puts them back in the order of the columns
        gathered = [c for name in ("texts", "ints", "dates", "checked", "datetimes", "others") for c in groups[name]]
        position = {column: index for index, column in enumerate(gathered)}
        self.order = _getter(position[column] for column in columns)


def _escape_texts(texts: tuple, checked: str) -> list[str] | None:
    """The texts of a row escaped for XML in bulk (as text_paragraphs() does one by one): joined by
    _SEP, escaped, split again; None when a text contains the separator itself. ``checked``: the
    texts joined by _CHECK_SEP, where a double space tells a space to make explicit."""
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:
        return None
    if "&" in joined:
        joined = joined.replace("&", "&amp;")
    if "<" in joined:
        joined = joined.replace("<", "&lt;")
    if ">" in joined:
        joined = joined.replace(">", "&gt;")
    spaces = "  " in checked or checked[:1] == " " or checked[-1:] == " "
    if joined.isprintable():
        if spaces:
            joined = _SPACES_BULK.sub(_spaces, joined)
        return joined.split(_SEP)
    # Line breaks are most non-printable characters: the lines are checked one by one (in C) for the others.
    if "\r" in joined:
        joined = joined.replace("\r\n", "\n").replace("\r", "\n")
    lines = joined.split("\n")
    messy = not all(map(str.isprintable, lines))  # tabs, characters XML forbids, or only unusual spaces
    if messy:
        joined = _INVALID_XML.sub("", joined)  # may also bring spaces together: checked again below
    if messy or spaces or any(line[:1] == " " or line[-1:] == " " for line in lines):
        joined = _SPACES_BULK.sub(_spaces, joined)
        lines = joined.split("\n")
    joined = "</text:p><text:p>".join(lines)
    if messy and "\t" in joined:
        joined = joined.replace("\t", "<text:tab/>")
    return joined.split(_SEP)


class OdsWriter:
    extension = "ods"
    content_type = MIMETYPE
    multiple_sheets = True

    def __init__(self, path: str) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        # The mimetype must be the first entry, stored uncompressed, so that the type is readable at a fixed offset.
        self._zip.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        self._content = StreamedEntry(self._zip, "content.xml")
        self._emit = self._content.write
        self._names: set[str] = set()
        self._shapes: dict[tuple, tuple] = {}
        self._emit(CONTENT_HEAD)

    def write_sheet(self, name, headers, rows) -> int:
        emit = self._emit
        base = candidate = sheet_name(name)
        number = 2
        while candidate.casefold() in self._names:
            candidate, number = f"{base} ({number})", number + 1
        self._names.add(candidate.casefold())
        emit(f"<table:table table:name={quoteattr(_INVALID_XML.sub('', candidate))}>")
        emit(f'<table:table-column table:style-name="co1" table:number-columns-repeated="{max(len(headers), 1)}"/>')
        header_cell = '<table:table-cell table:style-name="ceH" office:value-type="string">{}</table:table-cell>'
        cells_of_headers = "".join(header_cell.format(text_paragraphs(h)) for h in headers)
        emit(f"<table:table-row>{cells_of_headers}</table:table-row>")
        shapes, row_xml, empty_text = self._shapes, self._row_xml, operator.not_
        count = 0
        for row in rows:
            count += 1
            kinds = tuple(map(type, row))
            shape = shapes.get(kinds)
            if shape is None:
                if len(shapes) >= _MAX_SHAPES:
                    shapes.clear()
                shape = shapes[kinds] = _Shape(kinds)
            texts = shape.texts(row)
            if "" in texts:  # empty texts are empty cells: a shape of their own
                key = (kinds, tuple(map(empty_text, texts)))
                shape = shapes.get(key)
                if shape is None:
                    shape = shapes[key] = _Shape(kinds, [c for c, k in enumerate(kinds) if k is str and row[c] == ""])
                texts = shape.texts(row)
            if shape.text_count:
                checked = _CHECK_SEP.join(texts)
                if not (
                    checked.isprintable() and "&" not in checked and "<" not in checked and ">" not in checked
                    and "  " not in checked and checked[:1] != " " and checked[-1:] != " "
                ):
                    texts = _escape_texts(texts, checked)
                    if texts is None:
                        emit(row_xml(row))
                        continue
            values = (*texts, *map(str, shape.ints(row)))
            if shape.dates is not None:
                values += tuple(map(_ISO_DATE, shape.dates(row)))
            if shape.checked is not None:
                checked = tuple(map(str, shape.checked(row)))
                if "n" in "".join(checked).lower():  # inf, nan, Infinity, NaN: not a float cell
                    emit(row_xml(row))
                    continue
                values += checked
            if shape.datetimes is not None:
                stamps = tuple(map(_ISO_SECONDS, shape.datetimes(row)))
                if max(map(len, stamps)) > 19:  # an aware value: its offset is left out (local times)
                    stamps = tuple(stamp[:19] for stamp in stamps)
                values += stamps
            if shape.others is not None:
                values += tuple(map(_cell, shape.others(row)))
            pieces = shape.pieces[:]
            pieces[1::2] = shape.order(values)
            emit("".join(pieces))
        emit("</table:table>")
        return count

    @staticmethod
    def _row_xml(row) -> str:
        """A row cell by cell: the path of rows the templates do not fit."""
        return f"<table:table-row>{''.join(_cell(value) for value in row)}</table:table-row>"

    def close(self) -> None:
        self._emit(CONTENT_TAIL)
        self._content.close()
        now = datetime.datetime.now().replace(microsecond=0).isoformat()
        self._zip.writestr(
            "meta.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {NS} office:version="1.2"><office:meta>'
            f"<meta:generator>Démarches</meta:generator><meta:creation-date>{now}</meta:creation-date>"
            "</office:meta></office:document-meta>",
        )
        self._zip.writestr("styles.xml", STYLES)
        self._zip.writestr("META-INF/manifest.xml", MANIFEST)
        self._zip.close()
