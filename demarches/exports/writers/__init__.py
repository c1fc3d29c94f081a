"""Streaming spreadsheet writers behind one interface.

A writer receives sheets one after the other, each as a header row and an iterable of rows, and
writes them to a file path without keeping the rows in memory. Cells are Python values: ``None``,
``str``, ``bool``, ``int``, ``float``, ``Decimal``, ``date`` or naive ``datetime`` (local time);
each writer maps them to the format's own types (numbers, dates, text).
"""

from collections.abc import Iterable, Sequence
from typing import Protocol


class SheetWriter(Protocol):
    extension: str
    content_type: str
    multiple_sheets: bool

    def __init__(self, path: str) -> None: ...

    def write_sheet(self, name: str, headers: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Write one sheet and return the number of data rows written."""

    def close(self) -> None: ...


def writer_for(format: str) -> type[SheetWriter]:
    from .csv import CsvWriter
    from .ods import OdsWriter
    from .xlsx import XlsxWriter

    return {"csv": CsvWriter, "xlsx": XlsxWriter, "ods": OdsWriter}[format]
