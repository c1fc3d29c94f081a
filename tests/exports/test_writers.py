"""Each streaming writer, read back by an independent reader: types, texts, sheets."""

import datetime
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from demarches.exports.writers import writer_for

from .readers import read

HEADERS = ["N° dossier", "Texte", "Montant", "Décimal", "Date", "Horodatage", "Vide", "Booléen"]
ROWS = [
    [1, "Simple", 12.5, Decimal("1500.50"), datetime.date(2026, 7, 14), datetime.datetime(2026, 3, 2, 10, 30), None, True],
    [2, "A & B < C > D \"guillemets\" 'apostrophe'", -3, Decimal("0.1"), None, None, "", False],
    [3, "Ligne 1\nLigne 2\n\nLigne 4", 0, Decimal("-7"), datetime.date(1999, 12, 31), None, None, None],
    [4, "  deux espaces devant, trois   au milieu et un derrière ", 10**12, None, None, None, None, None],
    [5, "Émoji 🎉, tabulation\tici, espace fine\u202finsécable", None, None, None, None, None, None],
]


def _write(tmp_path, format, sheets):
    path = tmp_path / f"export.{format}"
    writer = writer_for(format)(str(path))
    counts = [writer.write_sheet(name, headers, iter(rows)) for name, headers, rows in sheets]
    writer.close()
    return path, counts


def _day(value):
    """openpyxl reads every date as a datetime; odfpy keeps plain dates."""
    return value.date() if isinstance(value, datetime.datetime) else value


@pytest.mark.parametrize("format", ["xlsx", "ods"])
def test_spreadsheet_writers_keep_types_texts_and_sheets(tmp_path, format):
    # given two sheets of mixed cells
    sheets_in = [("Dossiers", HEADERS, ROWS), ("Avis", ["N° dossier", "Avis"], [[1, "Favorable"]])]
    # when they are written, then read by an independent reader
    path, counts = _write(tmp_path, format, sheets_in)
    sheets = read(path, format)
    # then both sheets are there, in order, with their headers and every row
    assert counts == [5, 1]
    assert list(sheets) == ["Dossiers", "Avis"]
    dossiers = sheets["Dossiers"]
    assert dossiers[0] == HEADERS
    assert len(dossiers) == 1 + len(ROWS)
    # numbers are numbers, dates are dates, booleans are written in French
    assert dossiers[1][0] == 1 and dossiers[1][2] == 12.5 and dossiers[1][3] == 1500.5
    assert _day(dossiers[1][4]) == datetime.date(2026, 7, 14)
    assert dossiers[1][5] == datetime.datetime(2026, 3, 2, 10, 30)
    assert dossiers[1][7] == "Oui" and dossiers[2][7] == "Non"
    assert dossiers[2][2:4] == [-3, 0.1]
    assert dossiers[4][2] == 10**12
    # empty cells stay empty
    assert dossiers[2][4:7] == [None, None, None]
    # texts come back exactly: markup characters, line breaks, runs of spaces, emoji, tabs
    assert [row[1] for row in dossiers[1:]] == [row[1] for row in ROWS]
    assert sheets["Avis"] == [["N° dossier", "Avis"], [1, "Favorable"]]


def test_ods_package_is_valid_opendocument(tmp_path):
    # given an ODS file with a text full of markup and a control character XML forbids
    path, _ = _write(tmp_path, "ods", [("Dossiers « 2026 » & co", ["Texte"], [["<b>&amp;\x07</b>"]])])
    with zipfile.ZipFile(path) as package:
        # then the mimetype comes first, uncompressed, as OpenDocument requires
        first = package.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert package.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        assert {"content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"} <= set(package.namelist())
        # and every XML part is well formed
        for name in ("content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"):
            ElementTree.fromstring(package.read(name))
    sheets = read(path, "ods")
    assert list(sheets) == ["Dossiers « 2026 » & co"]
    assert sheets["Dossiers « 2026 » & co"][1] == ["<b>&amp;</b>"]


def test_xlsx_sheet_names_and_long_texts_fit_excel_limits(tmp_path):
    long_text = "x" * 40000
    path, _ = _write(tmp_path, "xlsx", [("Feuille: [trop] longue pour Excel / vraiment", ["Texte"], [[long_text]])])
    sheets = read(path, "xlsx")
    (name,) = sheets
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert sheets[name][1] == ["x" * 32767]


def test_csv_writer_has_one_sheet_bom_semicolons_and_neutralised_formulas(tmp_path):
    # given texts a spreadsheet program would run as formulas, and harmless signed numbers
    rows = [[1, "=HYPERLINK(\"http://pirate.example\")", "+33 6 12 34 56 78", "-12", "@SUM(A1)", "-moins"]]
    path, counts = _write(tmp_path, "csv", [("Dossiers", ["N°", "A", "B", "C", "D", "E"], rows)])
    # when read by the csv module
    sheets = read(path, "csv")
    # then formulas are neutralised with an apostrophe, phone numbers and numbers are untouched
    assert counts == [1]
    assert sheets["Dossiers"][1] == ["1", "'=HYPERLINK(\"http://pirate.example\")", "+33 6 12 34 56 78", "-12", "'@SUM(A1)", "'-moins"]
    # and a second sheet is refused: CSV holds the dossiers only
    writer = writer_for("csv")(str(tmp_path / "autre.csv"))
    writer.write_sheet("Dossiers", ["N°"], [])
    with pytest.raises(ValueError):
        writer.write_sheet("Avis", ["N°"], [])
    writer.close()


def _peak_memory(tmp_path, format, count):
    import tracemalloc

    def rows():
        for i in range(count):
            yield [i, f"Texte du dossier {i}", i * 1.5, datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1, 12, 0)]

    tracemalloc.start()
    try:
        _write(tmp_path, format, [("Dossiers", ["N°", "Texte", "Montant", "Date", "Horodatage"], rows())])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("format", ["csv", "xlsx", "ods"])
def test_writers_memory_does_not_grow_with_the_number_of_rows(tmp_path, format):
    # given the same rows, 1 000 then 10 000 of them, produced one by one
    small = _peak_memory(tmp_path, format, 1_000)
    large = _peak_memory(tmp_path, format, 10_000)
    # then ten times more rows do not need more memory (allowing for noise)
    assert large < small * 1.5 + 256 * 1024, (small, large)
