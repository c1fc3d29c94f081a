"""The fast converters of numbers and dates (exports.selectors._RAPIDES) give the cell the type's
own export API gives (is_empty, export_value), for every kind of stored text, valid or not."""

import datetime
from decimal import Decimal

import pytest

from demarches.exports import selectors
from demarches.fields.registry import StoredValue
from demarches.fields.types.basic import Date, DecimalNumber, IntegerNumber

VALUES = [
    "", "0", "-0", "42", "+7", " 12", "007", "12345678901234567890", "1.5", "12.50", "-3.25", "1e5", "NaN",
    "Infinity", "-Infinity", "abc", "1,5", "2024-03-05", "2024-02-30", "2024-3-5", "20240305", "١٢", "12 ",
]


def _by_the_type(field_type, value, data=None):
    stored = StoredValue(value=value, data=data)
    if field_type.is_empty(stored):
        return None
    cell = field_type.export_value(stored)
    return None if cell == "" else cell


@pytest.mark.parametrize("cls", [IntegerNumber, DecimalNumber, Date])
def test_fast_converters_give_the_cells_of_the_types_export_api(cls):
    field_type = cls()
    convert = selectors.convertisseur(field_type)
    assert convert is not None
    for value in VALUES:
        expected = _by_the_type(field_type, value)
        cell = convert(value, None)
        assert type(cell) is type(expected) and cell == expected, (cls.__name__, value)
        if isinstance(expected, Decimal):
            assert str(cell) == str(expected)  # same exponent: same text in the files
    assert convert(None, None) is None


def test_fast_converters_are_the_ones_used_and_give_typed_cells():
    assert selectors.convertisseur(IntegerNumber())("42", None) == 42
    assert selectors.convertisseur(DecimalNumber())("12.50", None) == Decimal("12.50")
    assert selectors.convertisseur(DecimalNumber())("NaN", None) == "NaN"
    assert selectors.convertisseur(DecimalNumber())("1.x", None) == "1,x"
    assert selectors.convertisseur(Date())("2024-03-05", None) == datetime.date(2024, 3, 5)
    assert selectors.convertisseur(Date())("2024-02-30", None) == "2024-02-30"


def test_with_data_the_types_export_api_decides():
    for cls in (IntegerNumber, DecimalNumber, Date):
        field_type = cls()
        convert = selectors.convertisseur(field_type)
        for data in ({"x": 1}, '{"x": 1}', {}):
            for value in ("", "42", "2024-03-05", "abc"):
                decoded = {"x": 1} if isinstance(data, str) else data
                assert convert(value, data) == _by_the_type(field_type, value, decoded)


def test_cells_are_memoised_by_stored_text_and_data_text():
    calls = []

    def convert(value, data):
        calls.append((value, data))
        return f"{value}|{data}"

    spec = (0, {}, convert)
    assert selectors._cellule(spec, "v", '{"a": 1}') == 'v|{"a": 1}'
    assert selectors._cellule(spec, "v", '{"a": 2}') == 'v|{"a": 2}'  # same text, other data: its own cell
    assert selectors._cellule(spec, "v", None) == "v|None"
    assert selectors._cellule(spec, "v", '{"a": 1}') == 'v|{"a": 1}'
    assert selectors._cellule(spec, "v", {"a": 1}) == "v|{'a': 1}"  # decoded data: not memoised
    assert selectors._cellule(spec, "v", {"a": 1}) == "v|{'a': 1}"
    assert calls == [("v", '{"a": 1}'), ("v", '{"a": 2}'), ("v", None), ("v", {"a": 1}), ("v", {"a": 1})]
