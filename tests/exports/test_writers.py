"""Each streaming writer, read back by an independent reader: types, texts, sheets."""

import datetime
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demarches.exports.writers import writer_for
from demarches.exports.writers.xlsx import XlsxWriter

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


def test_xlsx_package_is_well_formed_with_styled_dates_and_a_frozen_bold_header(tmp_path):
    import openpyxl

    # given an XLSX file with dates, times and numbers
    rows = [[1, datetime.date(2026, 7, 14), datetime.datetime(2026, 3, 2, 10, 30), 12.5, datetime.date(1899, 12, 31)]]
    path, _ = _write(tmp_path, "xlsx", [("Dossiers", ["N°", "Date", "Horodatage", "Montant", "Ancienne"], rows)])
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        # then the package has its parts, every one well-formed XML
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/styles.xml", "xl/worksheets/sheet1.xml"} <= names
        for name in names:
            ElementTree.fromstring(package.read(name))
    # and a spreadsheet program shows the dates as dates, in the French order, under a frozen bold header
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet["B2"].is_date and sheet["B2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].is_date and sheet["C2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["C2"].value == datetime.datetime(2026, 3, 2, 10, 30)
    assert sheet["D2"].data_type == "n" and sheet["D2"].value == 12.5
    # a date Excel cannot hold (before 1900) stays readable, as text
    assert sheet["E2"].value == "31/12/1899"


@pytest.mark.parametrize("format", ["xlsx", "ods"])
def test_sheet_names_are_cleaned_and_made_unique(tmp_path, format):
    sheets_in = [("Avis", ["A"], [[1]]), ("avis", ["A"], [[2]]), ("Lignes [1/2] : détail?", ["A"], [[3]])]
    path, _ = _write(tmp_path, format, sheets_in)
    names = list(read(path, format))
    assert len(names) == 3 and len({n.casefold() for n in names}) == 3
    assert names[0] == "Avis"
    assert not set(names[2]) & set("[]:*?/\\")


@pytest.mark.parametrize("format", ["xlsx", "ods"])
def test_a_sheet_interrupted_by_an_error_stops_its_compression_thread(tmp_path, format):
    import threading

    before = threading.active_count()

    def rows():
        yield [1, "ligne"]
        raise RuntimeError("la base ne répond plus")

    writer = writer_for(format)(str(tmp_path / f"interrompu.{format}"))
    with pytest.raises(RuntimeError):
        writer.write_sheet("Dossiers", ["N°", "Texte"], rows())
    writer.close()
    assert threading.active_count() == before


@pytest.mark.parametrize("format", ["xlsx", "ods"])
def test_many_rows_stream_through_several_compressed_blocks(tmp_path, format):
    # given more rows than one block of the compressing thread holds
    count = 20_000
    rows = ([i, f"Texte numéro {i} & suite", i / 4] for i in range(count))
    path, (written,) = _write(tmp_path, format, [("Dossiers", ["N°", "Texte", "Quart"], rows)])
    sheet = read(path, format)["Dossiers"]
    # then every row is there, in order
    assert written == count and len(sheet) == count + 1
    assert sheet[1] == [0, "Texte numéro 0 & suite", 0] and sheet[-1] == [count - 1, f"Texte numéro {count - 1} & suite", (count - 1) / 4]


def test_csv_writes_numbers_with_a_decimal_comma_and_dates_in_iso_order(tmp_path):
    rows = [[1, 12.5, Decimal("1500.50"), Decimal("-0.1"), datetime.date(2026, 7, 14), datetime.datetime(2026, 3, 2, 10, 30, 15, 999), True, None]]
    path, _ = _write(tmp_path, "csv", [("Dossiers", list("ABCDEFGH"), rows)])
    assert read(path, "csv")["Dossiers"][1] == ["1", "12,5", "1500,50", "-0,1", "2026-07-14", "2026-03-02 10:30:15", "Oui"]


def test_xlsx_cells_carry_their_reference_only_after_an_empty_cell(tmp_path):
    # given rows with empty cells at the start, in the middle and at the end
    path = tmp_path / "creux.xlsx"
    writer = XlsxWriter(str(path))
    writer.write_sheet("Dossiers", ["A", "B", "C", "D", "E"], [
        [None, "b", "", 4, None],
        [1, None, None, datetime.date(2026, 1, 2), "e"],
        ["a", "b", "c", "d", "e"],
    ])
    writer.close()
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    # then a cell following a written one has no reference, the first one after a gap has one
    assert '<row r="2"><c r="B2" t="inlineStr"><is><t>b</t></is></c><c r="D2"><v>4</v></c></row>' in xml
    assert '<row r="4"><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr">' in xml
    # and an independent reader puts every value in its column
    assert read(str(path), "xlsx")["Dossiers"][1:] == [
        [None, "b", None, 4],
        [1, None, None, datetime.datetime(2026, 1, 2), "e"],
        ["a", "b", "c", "d", "e"],
    ]


def _stdlib_csv(path, headers, rows):
    """The file the standard library's csv module writes from the same texts (the reference)."""
    import csv

    from demarches.exports.writers.csv import cell_text

    with open(path, "w", newline="", encoding="utf-8-sig", errors="replace") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(headers)
        writer.writerows([[cell_text(cell) for cell in row] for row in rows])
    return path.read_bytes()


_CELLS = st.one_of(
    st.none(), st.integers(), st.booleans(), st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.dates(), st.datetimes(), st.text(alphabet=st.sampled_from(list('ab é;"\n\r\t=+-@,.0 \x1f')), max_size=8),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=st.integers(1, 4), data=st.data())
def test_csv_writer_writes_the_bytes_of_the_csv_module(tmp_path, width, data):
    # given rows of any cells: texts with delimiters, quotes, line breaks, formulas, lone empty fields
    rows = data.draw(st.lists(st.lists(_CELLS, min_size=width, max_size=width), max_size=5))
    headers = [f"Colonne {i}" for i in range(width - 1)] + ['Dernière "colonne"; avec\nretour']
    # when written by our writer, from typed cells and from their texts
    from demarches.exports.writers.csv import CsvWriter, cell_text

    for textes in (False, True):
        path = tmp_path / f"ecrivain-{textes}.csv"
        writer = CsvWriter(str(path))
        given_rows = [[cell_text(cell) for cell in row] for row in rows] if textes else rows
        assert writer.write_sheet("Dossiers", headers, iter(given_rows), textes=textes) == len(rows)
        writer.close()
        # then the file is, byte for byte, what the csv module writes
        assert path.read_bytes() == _stdlib_csv(tmp_path / "reference.csv", headers, rows)
