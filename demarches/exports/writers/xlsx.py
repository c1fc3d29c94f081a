"""XLSX with xlsxwriter in constant-memory mode: each row goes to disk as soon as the next one starts."""

import datetime
import tempfile
from decimal import Decimal

import xlsxwriter

MAX_TEXT = 32767  # the longest text an Excel cell holds
MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAME = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(name: str) -> str:
    return name.translate(FORBIDDEN_IN_SHEET_NAME).strip("'")[:MAX_SHEET_NAME] or "Feuille"


class XlsxWriter:
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    multiple_sheets = True

    def __init__(self, path: str) -> None:
        self._workbook = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "tmpdir": tempfile.gettempdir(),
                # Values are written with their own type: never guess formulas, numbers or links in texts.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._header = self._workbook.add_format({"bold": True})
        self._date = self._workbook.add_format({"num_format": "dd/mm/yyyy"})
        self._datetime = self._workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})

    def write_sheet(self, name, headers, rows) -> int:
        sheet = self._workbook.add_worksheet(sheet_name(name))
        sheet.set_column(0, max(len(headers) - 1, 0), 20)
        sheet.freeze_panes(1, 0)
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, self._header)
        write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
        date_format, datetime_format = self._date, self._datetime
        date, dt = datetime.date, datetime.datetime
        r = 0
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                kind = type(value)
                if kind is str:
                    if value:
                        write_string(r, c, value if len(value) <= MAX_TEXT else value[:MAX_TEXT])
                elif value is None:
                    continue
                elif kind is int or kind is float or kind is Decimal:
                    write_number(r, c, value)
                elif kind is dt:
                    write_datetime(r, c, value, datetime_format)
                elif kind is date:
                    write_datetime(r, c, value, date_format)
                elif kind is bool:
                    write_string(r, c, "Oui" if value else "Non")
                else:
                    write_string(r, c, str(value))
        return r

    def close(self) -> None:
        self._workbook.close()
