"""Independent readers of the produced files (openpyxl, odfpy, csv): what a spreadsheet program sees."""

import csv
import datetime
import io

import openpyxl
from odf import teletype
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from odf.text import P


def _trim(row: list) -> list:
    while row and row[-1] in (None, ""):
        row.pop()
    return row


def read_xlsx(path) -> dict[str, list[list]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: [_trim(list(row)) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}
    finally:
        workbook.close()


def _ods_value(cell):
    kind = cell.getAttribute("valuetype")
    if kind == "float":
        number = float(cell.getAttribute("value"))
        return int(number) if number.is_integer() else number
    if kind == "date":
        text = cell.getAttribute("datevalue")
        return datetime.datetime.fromisoformat(text) if "T" in text else datetime.date.fromisoformat(text)
    if kind == "string":
        return "\n".join(teletype.extractText(p) for p in cell.getElementsByType(P))
    return None


def read_ods(path) -> dict[str, list[list]]:
    document = load(str(path))
    sheets = {}
    for table in document.spreadsheet.getElementsByType(Table):
        rows = []
        for row in table.getElementsByType(TableRow):
            values = []
            for cell in row.getElementsByType(TableCell):
                repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                values.extend([_ods_value(cell)] * repeat)
            rows.append(_trim(values))
        sheets[table.getAttribute("name")] = rows
    return sheets


def read_csv(path) -> dict[str, list[list]]:
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    assert text.startswith("\ufeff"), "le fichier CSV commence par une marque d'ordre des octets (BOM)"
    return {"Dossiers": [_trim(row) for row in csv.reader(io.StringIO(text[1:]), delimiter=";")]}


READERS = {"xlsx": read_xlsx, "ods": read_ods, "csv": read_csv}


def read(path, format: str) -> dict[str, list[list]]:
    return READERS[format](path)


def as_dicts(rows: list[list]) -> list[dict]:
    headers = rows[0]
    return [dict(zip(headers, row + [None] * (len(headers) - len(row)))) for row in rows[1:]]
