"""XLSX (Office Open XML spreadsheets), written as a stream by this module.

A workbook is a ZIP of small XML parts. Each sheet's XML is produced row by row straight into its
compressed ZIP entry, so memory stays flat whatever the number of rows; texts are written inline
(``t="inlineStr"``: a shared-strings table would have to be kept in memory until the end), numbers
as numbers and dates as date serials with a French date style. The fixed parts (workbook, styles,
relationships, content types) are written at the end, once the sheets are known.
See docs/adr/0005-own-streaming-xlsx-writer.md; tests read the files back with openpyxl.
"""

import datetime
import math
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from ._zipentry import StreamedEntry

MAX_TEXT = 32767  # the longest text an Excel cell holds
MAX_SHEET_NAME = 31
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
FORBIDDEN_IN_SHEET_NAME = str.maketrans({c: " " for c in "[]:*?/\\"})
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell styles (index into cellXfs below): 0 default, 1 header, 2 date, 3 date and time.
STYLE_HEADER, STYLE_DATE, STYLE_DATETIME = 1, 2, 3
STYLES = (
    f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

# Characters XML 1.0 forbids (they would make the whole file unreadable), lone surrogates included: dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads "_x0041_" in a text as an escaped character: a literal one is itself escaped.
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_EPOCH_ORDINAL = datetime.date(1899, 12, 30).toordinal()  # Excel's day 0 (with its 1900 leap-year bug)
_FIRST_EXCEL_ORDINAL = datetime.date(1900, 1, 1).toordinal()


def sheet_name(name: str) -> str:
    name = _INVALID_XML.sub("", name.translate(FORBIDDEN_IN_SHEET_NAME))
    return name.strip().strip("'")[:MAX_SHEET_NAME].strip() or "Feuille"


def column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, remainder = divmod(index - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


def text_element(value: str) -> str:
    """The <is> content of an inline string: the text exactly, escaped for XML."""
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if "_x" in value:
        value = _ESCAPE_LIKE.sub(r"_x005F_\1", value)
    value = escape(_INVALID_XML.sub("", value)).replace("\r", "&#13;")
    if value[:1].isspace() or value[-1:].isspace() or "\n" in value or "\t" in value:
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


def date_serial(value: datetime.date) -> float | None:
    """Excel's number for a date (days since 1899-12-30, the time as a fraction); None before 1900."""
    ordinal = value.toordinal()
    if ordinal < _FIRST_EXCEL_ORDINAL:
        return None
    days = ordinal - _EPOCH_ORDINAL
    if days <= 60:  # Excel counts a 29 February 1900 that never was: earlier days shift by one
        days -= 1
    if type(value) is datetime.datetime:
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return days + seconds / 86400 if seconds else days
    return days


class XlsxWriter:
    extension = "xlsx"
    content_type = CONTENT_TYPE
    multiple_sheets = True

    def __init__(self, path: str) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets: list[str] = []
        self._entry: StreamedEntry | None = None

    def _unique_name(self, name: str) -> str:
        base = sheet_name(name)
        taken = {existing.casefold() for existing in self._sheets}
        candidate, number = base, 2
        while candidate.casefold() in taken:
            suffix = f" ({number})"
            candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
            number += 1
        return candidate

    def write_sheet(self, name, headers, rows) -> int:
        if len(headers) > MAX_COLUMNS:
            raise ValueError(f"Une feuille XLSX ne peut pas compter plus de {MAX_COLUMNS} colonnes.")
        self._sheets.append(self._unique_name(name))
        number = len(self._sheets)
        self._entry = StreamedEntry(self._zip, f"xl/worksheets/sheet{number}.xml")
        self._emit = self._entry.write
        width = max(len(headers), 1)
        selected = ' tabSelected="1"' if number == 1 else ""
        self._emit(
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f'<sheetViews><sheetView{selected} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="{width}" width="20" customWidth="1"/></cols>'
            "<sheetData>"
        )
        letters = column_letters(width)
        header_cells = "".join(
            f'<c r="{letters[c]}1" s="{STYLE_HEADER}" t="inlineStr">{text_element(str(h))}</c>'
            for c, h in enumerate(headers) if h not in (None, "")
        )
        self._emit(f'<row r="1">{header_cells}</row>')
        count = self._write_rows(rows, letters)
        self._emit("</sheetData></worksheet>")
        entry, self._entry = self._entry, None
        entry.close()
        return count

    def _write_rows(self, rows, letters: list[str]) -> int:
        """The data rows. A cell's reference (r="C7") is optional in the format: a cell without one
        is the next of its row. It is written only after an empty cell (left out), which saves a
        third of the XML of a full row, and of its compression."""
        emit, fallback = self._emit, self._cell
        date, dt = datetime.date, datetime.datetime
        r = 1
        for row in rows:
            r += 1
            if r > MAX_ROWS:
                raise ValueError(f"Une feuille XLSX ne peut pas compter plus de {MAX_ROWS - 1} lignes de données.")
            if len(row) > len(letters):
                if len(row) > MAX_COLUMNS:
                    raise ValueError(f"Une feuille XLSX ne peut pas compter plus de {MAX_COLUMNS} colonnes.")
                letters = column_letters(len(row))
            parts = [f'<row r="{r}">']
            append = parts.append
            gap = False  # an empty cell was left out: the next one says where it is
            for c, value in enumerate(row):
                # Texts and empty cells are most cells: handled inline, the rest by type.
                kind = type(value)
                if kind is str:
                    if not value:
                        gap = True
                        continue
                    at = f' r="{letters[c]}{r}"' if gap else ""
                    if (
                        value.isprintable() and "&" not in value and "<" not in value and ">" not in value
                        and "_x" not in value and value[0] != " " and value[-1] != " " and len(value) <= MAX_TEXT
                    ):
                        append(f'<c{at} t="inlineStr"><is><t>{value}</t></is></c>')
                    else:
                        append(f'<c{at} t="inlineStr">{text_element(value)}</c>')
                elif value is None:
                    gap = True
                    continue
                else:
                    at = f' r="{letters[c]}{r}"' if gap else ""
                    if kind is int:
                        append(f"<c{at}><v>{value}</v></c>")
                    elif kind is dt or kind is date:
                        serial = date_serial(value)
                        if serial is None:
                            text = value.strftime("%d/%m/%Y %H:%M" if kind is dt else "%d/%m/%Y")
                            append(f'<c{at} t="inlineStr"><is><t>{text}</t></is></c>')
                        else:
                            append(f'<c{at} s="{STYLE_DATETIME if kind is dt else STYLE_DATE}"><v>{serial}</v></c>')
                    else:
                        cell = fallback(f"{letters[c]}{r}", value)
                        if not cell:
                            gap = True
                            continue
                        append(cell)
                gap = False
            append("</row>")
            emit("".join(parts))
        return r - 1

    @staticmethod
    def _cell(ref: str, value) -> str:
        """Cells of the less common types: floats, decimals, booleans, subclasses, anything else as text."""
        if isinstance(value, bool):
            return f'<c r="{ref}" t="inlineStr"><is><t>{"Oui" if value else "Non"}</t></is></c>'
        if isinstance(value, int):
            return f'<c r="{ref}"><v>{int(value)}</v></c>'
        if isinstance(value, float) and math.isfinite(value):
            return f'<c r="{ref}"><v>{float(value)!r}</v></c>'
        if isinstance(value, Decimal) and value.is_finite():
            text = format(value, "f") if abs(value.adjusted()) < 20 else repr(float(value))
            return f'<c r="{ref}"><v>{text}</v></c>'
        if isinstance(value, datetime.date):  # subclasses of date and datetime
            serial = date_serial(value)
            if serial is not None:
                style = STYLE_DATETIME if isinstance(value, datetime.datetime) else STYLE_DATE
                return f'<c r="{ref}" s="{style}"><v>{serial}</v></c>'
            return f'<c r="{ref}" t="inlineStr"><is><t>{value.strftime("%d/%m/%Y")}</t></is></c>'
        text = str(value)
        return f'<c r="{ref}" t="inlineStr">{text_element(text)}</c>' if text else ""

    def close(self) -> None:
        if self._entry is not None:  # a sheet interrupted by an error: its thread is stopped, the file is unusable
            entry, self._entry = self._entry, None
            entry.abort()
            self._zip.close()
            return
        if not self._sheets:
            self.write_sheet("Feuille", [], [])
        count = len(self._sheets)
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(self._sheets, start=1)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets></workbook>',
        )
        relations = "".join(
            f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">{relations}'
            f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>',
        )
        self._zip.writestr("xl/styles.xml", STYLES)
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._zip.writestr(
            "docProps/core.xml",
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Démarches</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created></cp:coreProperties>',
        )
        self._zip.writestr(
            "docProps/app.xml",
            f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Démarches</Application></Properties>",
        )
        self._zip.writestr(
            "_rels/.rels",
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>",
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}"
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>",
        )
        self._zip.close()
