"""The ODS writer's bulk path (one template per shape of row, texts escaped together) gives the
same cells as the cell-by-cell path, whatever the texts; files read back by odfpy."""

import datetime
import random
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from demarches.exports.writers import ods
from demarches.exports.writers.ods import OdsWriter

from .readers import read

TRICKY_TEXTS = [
    "", " ", "  ", "simple", " devant", "derrière ", "  deux devant", "deux derrière  ", "au   milieu",
    "a & b", "<b>gras</b>", "x > y", "ligne 1\nligne 2", "ligne 1 \n ligne 2", "\n", "\n\n", "fin\n",
    "\r\nwindows\r\nretours\r", "tab\tici", "\tdevant", "contrôle\x07 et\x0b", "\x01", "a \x01 b",
    "insécable\u00a0: oui", "fine\u202finsécable", "émoji 🎉", "sépar¦ateur", "¦", " ¦ ", "lone \ud800 surrogate",
    "Ça va ?", "guillemets \"doubles\" et 'simples'", "{accolades} {0}", "%s %d",
]
OTHER_VALUES = [
    None, 0, -3, 10**15, 1.5, -0.25, float("inf"), float("nan"), Decimal("1500.50"), Decimal("-7"), Decimal("NaN"),
    Decimal("Infinity"), Decimal("1E+3"), True, False, datetime.date(2026, 7, 14), datetime.date(999, 1, 2),
    datetime.datetime(2026, 3, 2, 10, 30, 5, 123456), datetime.datetime(2026, 3, 2, 10, 30, tzinfo=datetime.UTC),
]


class Label(str):
    """A str subclass (such as Django's SafeString): written as a text."""


def _content(path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("content.xml").decode()


def _cell_by_cell(rows) -> str:
    return "".join(OdsWriter._row_xml(row) for row in rows)


def _written_rows(path) -> str:
    content = _content(path)
    start = content.index("</table:table-row>") + len("</table:table-row>")  # after the header row
    return content[start : content.index("</table:table>")]


def _same_xml(bulk: str, by_cell: str) -> bool:
    # An empty paragraph may be written either way: the same element.
    return bulk.replace("<text:p></text:p>", "<text:p/>") == by_cell.replace("<text:p></text:p>", "<text:p/>")


def test_every_tricky_text_gives_the_same_cells_as_the_cell_by_cell_path(tmp_path):
    rows = [[text, 1, text] for text in TRICKY_TEXTS] + [[a, b] for a in TRICKY_TEXTS for b in TRICKY_TEXTS]
    path = tmp_path / "textes.ods"
    writer = OdsWriter(str(path))
    assert writer.write_sheet("Textes", ["A", "B", "C"], rows) == len(rows)
    writer.close()

    assert _same_xml(_written_rows(path), _cell_by_cell(rows))
    ElementTree.fromstring(_content(path).encode())  # well formed, whatever the texts


def test_random_rows_of_mixed_types_give_the_same_cells_as_the_cell_by_cell_path(tmp_path):
    chooser = random.Random(8)
    values = TRICKY_TEXTS + OTHER_VALUES + [Label("étiquette"), Label("")]
    rows = [[chooser.choice(values) for _ in range(chooser.randint(0, 9))] for _ in range(3000)]
    path = tmp_path / "hasard.ods"
    writer = OdsWriter(str(path))
    writer.write_sheet("Hasard", [f"C{i}" for i in range(9)], iter(rows))
    writer.close()

    assert _same_xml(_written_rows(path), _cell_by_cell(rows))
    ElementTree.fromstring(_content(path).encode())


def test_the_shape_cache_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(ods, "_MAX_SHAPES", 4)
    rows = [[None] * i + ["texte", i] for i in range(20)]
    path = tmp_path / "formes.ods"
    writer = OdsWriter(str(path))
    writer.write_sheet("Formes", ["A"], rows)
    assert len(writer._shapes) <= 4
    writer.close()
    sheet = read(path, "ods")["Formes"]
    assert sheet[1:] == [[None] * i + ["texte", i] for i in range(20)]


def test_odfpy_reads_types_texts_and_empty_cells(tmp_path):
    rows = [
        [1, "Ligne 1\nLigne 2", Decimal("12.50"), datetime.date(2026, 7, 14),
         datetime.datetime(2026, 3, 2, 10, 30, 59, 900000), ""],
        [2, "  espaces  ", None, None, None, "A & B < C"],
        [3, "Décision", float("inf"), datetime.date(2025, 1, 1), datetime.datetime(2025, 1, 1, 8, 0), True],
    ]
    path = tmp_path / "odfpy.ods"
    writer = OdsWriter(str(path))
    writer.write_sheet("Dossiers", ["N°", "Texte", "Montant", "Date", "Horodatage", "Divers"], rows)
    writer.close()

    sheet = read(path, "ods")["Dossiers"]
    assert sheet[0] == ["N°", "Texte", "Montant", "Date", "Horodatage", "Divers"]
    # date-times are written to the second (the fraction is dropped, not rounded); inf is shown as a text
    assert sheet[1] == [
        1, "Ligne 1\nLigne 2", 12.5, datetime.date(2026, 7, 14), datetime.datetime(2026, 3, 2, 10, 30, 59)
    ]
    assert sheet[2] == [2, "  espaces  ", None, None, None, "A & B < C"]
    assert sheet[3] == [3, "Décision", "inf", datetime.date(2025, 1, 1), datetime.datetime(2025, 1, 1, 8, 0), "Oui"]


@pytest.mark.parametrize("count", [1, 2, 40])
def test_rows_of_one_to_many_texts(tmp_path, count):
    rows = [[f"texte {i} {c}" for c in range(count)] for i in range(50)]
    path = tmp_path / "textes.ods"
    writer = OdsWriter(str(path))
    writer.write_sheet("Textes", [f"C{c}" for c in range(count)], rows)
    writer.close()
    assert read(path, "ods")["Textes"][1:] == rows
