"""OpenDocument spreadsheets (.ods), written as a stream.

No ODS library writes row by row, so this module writes the package itself: a ZIP whose first
entry is the uncompressed "mimetype", then content.xml produced row by row into a compressed
entry (memory stays flat whatever the number of rows), then the small fixed parts. Cells carry
their type: float for numbers, date for dates (with a French display format), string otherwise.
"""

import datetime
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
    if text in ("inf", "-inf", "nan", "Infinity", "-Infinity", "NaN"):
        return _string(text)
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
        self._emit(CONTENT_HEAD)

    def write_sheet(self, name, headers, rows) -> int:
        emit, cells, fallback = self._emit, CELLS, _cell
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
        count = 0
        for row in rows:
            parts = ["<table:table-row>"]
            append = parts.append
            for value in row:
                # Texts and empty cells are most cells: handled inline, the rest by type.
                kind = type(value)
                if kind is str:
                    if not value:
                        append(EMPTY)
                    elif (
                        value.isprintable() and "&" not in value and "<" not in value and ">" not in value
                        and "  " not in value and value[0] != " " and value[-1] != " "
                    ):
                        # is_plain(), inline: this runs for most of the millions of cells.
                        append(f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>')
                    else:
                        append(_string(value))
                elif value is None:
                    append(EMPTY)
                else:
                    convert = cells.get(kind)
                    append(convert(value) if convert else fallback(value))
            append("</table:table-row>")
            emit("".join(parts))
            count += 1
        emit("</table:table>")
        return count

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
