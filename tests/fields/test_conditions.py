"""Conditional display: the pure evaluation of condition trees and of which champs they hide."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demarches.fields.conditions import (
    ChampConditionnel,
    ConditionInvalide,
    champs_masques,
    est_visible,
    evaluer,
    references,
    valider,
)


def leaf(champ, operator, value=None):
    return {"champ": champ, "operator": operator, "value": value}


@pytest.mark.parametrize(
    "operand, operator, value, expected",
    [
        ("Oui", "eq", "Oui", True),
        ("Oui", "eq", "Non", False),
        ("Oui", "not_eq", "Non", True),
        (None, "not_eq", "Non", True),
        (None, "eq", "Non", False),
        (True, "eq", "true", True),
        (True, "eq", "Oui", True),
        (False, "eq", "true", False),
        (False, "not_eq", True, True),
        (Decimal("12"), "eq", "12,0", True),
        (Decimal("12"), "lt", "13", True),
        (Decimal("12"), "lte", "12", True),
        (Decimal("12"), "gt", "12", False),
        (Decimal("12"), "gte", "12", True),
        (Decimal("12"), "lt", "abc", False),
        (datetime.date(2024, 5, 1), "gt", "2024-01-01", True),
        (datetime.date(2024, 5, 1), "lt", "2024-01-01", False),
        (datetime.datetime(2024, 5, 1, 10, 0), "lte", "2024-05-01T10:00", True),
        ("Bonjour le monde", "include", "MONDE", True),
        (["Stockage", "Livraison"], "include", "Livraison", True),
        (["Stockage"], "include", "Vente", False),
        (["Stockage"], "eq", "Stockage", True),
        ({"code": "69123", "departement": "69", "region": "84"}, "eq", "69123", True),
        ({"code": "69123", "departement": "69", "region": "84"}, "in_departement", "69", True),
        ({"code": "69123", "departement": "69", "region": "84"}, "in_departement", "75", False),
        ({"code": "69123", "departement": "69", "region": "84"}, "in_region", "84", True),
        ("texte", "in_region", "84", False),
        ("texte", "gt", "1", False),
        (None, "empty", None, True),
        ("", "empty", None, True),
        ([], "empty", None, True),
        ("x", "empty", None, False),
        ("x", "not_empty", None, True),
        (None, "not_empty", None, False),
    ],
)
def test_leaf_operators(operand, operator, value, expected):
    assert evaluer(leaf(1, operator, value), {1: operand}) is expected


def test_and_or_groups():
    values = {1: "Oui", 2: Decimal("5")}
    assert evaluer({"and": [leaf(1, "eq", "Oui"), leaf(2, "gt", "3")]}, values)
    assert not evaluer({"and": [leaf(1, "eq", "Oui"), leaf(2, "gt", "10")]}, values)
    assert evaluer({"or": [leaf(1, "eq", "Non"), leaf(2, "gt", "3")]}, values)
    assert evaluer({"or": [leaf(1, "eq", "Non"), {"and": [leaf(2, "gte", "5"), leaf(1, "not_empty")]}]}, values)


@pytest.mark.parametrize(
    "condition",
    [
        "pas un dict",
        {},
        {"and": []},
        {"or": "x"},
        leaf(1, "ressemble", "x"),
        leaf(99, "eq", "x"),
        {"champ": "abc", "operator": "eq", "value": "x"},
        {"and": [leaf(1, "eq", "Oui"), leaf(99, "eq", "x")]},
    ],
)
def test_unreadable_conditions_raise_and_leave_the_champ_visible(condition):
    with pytest.raises(ConditionInvalide):
        evaluer(condition, {1: "Oui"})
    assert est_visible(condition, {1: "Non"}) is True


def test_no_condition_is_visible():
    assert est_visible(None, {}) and est_visible({}, {})


def test_hidden_champs_count_as_empty_for_the_next_ones():
    champs = [
        ChampConditionnel(1),
        ChampConditionnel(2, condition=leaf(1, "eq", "Oui")),
        ChampConditionnel(3, condition=leaf(2, "not_empty")),
        ChampConditionnel(4, condition=leaf(2, "empty")),
    ]
    values = {1: "Non", 2: "déjà rempli", 3: None, 4: None}
    assert champs_masques(champs, values.get) == {2, 3}
    values[1] = "Oui"
    assert champs_masques(champs, values.get) == {4}


def test_a_condition_on_a_later_champ_is_ignored():
    champs = [ChampConditionnel(1, condition=leaf(2, "eq", "x")), ChampConditionnel(2)]
    assert champs_masques(champs, {2: "y"}.get) == set()


def test_a_hidden_section_hides_its_champs_up_to_the_next_section_of_its_level():
    champs = [
        ChampConditionnel(1),
        ChampConditionnel(10, condition=leaf(1, "eq", "Oui"), section_level=1),
        ChampConditionnel(11),
        ChampConditionnel(20, section_level=2),
        ChampConditionnel(21),
        ChampConditionnel(30, section_level=1),
        ChampConditionnel(31),
    ]
    assert champs_masques(champs, {1: "Non"}.get) == {10, 11, 20, 21}
    assert champs_masques(champs, {1: "Oui"}.get) == set()


def test_references():
    condition = {"or": [leaf(1, "eq", "x"), {"and": [leaf(2, "empty"), leaf("3", "eq", 1)]}]}
    assert references(condition) == {1, 2, 3}


def test_valider_speaks_french_to_the_administrateur():
    earlier = {1: ("Nombre de salariés", ("eq", "lt", "gt", "empty")), 2: ("Commune", ("eq", "in_departement"))}
    assert valider(leaf(1, "lt", "10"), earlier) == []
    assert valider({"and": [leaf(1, "lt", "10"), leaf(2, "in_departement", "69")]}, earlier) == []
    assert valider(leaf(3, "eq", "x"), earlier) == ["Une condition ne peut porter que sur un champ placé avant celui-ci."]
    assert valider(leaf(2, "gt", "3"), earlier) == ["La comparaison « est supérieur à » n'est pas possible pour le champ « Commune »."]
    assert valider(leaf(1, "lt", ""), earlier) == ["Indiquez la valeur à comparer pour le champ « Nombre de salariés »."]
    assert valider(leaf(1, "empty"), earlier) == []
    assert valider({"or": []}, earlier) == ["Un groupe de conditions « et » / « ou » doit contenir au moins une condition."]
    assert valider({"champ": None}, earlier) == ["Choisissez le champ sur lequel porte la condition."]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["and", "or", "champ", "operator", "value", "x"]), children, max_size=4),
    max_leaves=15,
)
OPERAND = st.none() | st.booleans() | st.text(max_size=8) | st.decimals(allow_nan=False, allow_infinity=False) | st.dates() | st.lists(st.text(max_size=5), max_size=3)


@settings(max_examples=300, deadline=None)
@given(condition=JSON, operand=OPERAND)
def test_any_json_either_evaluates_or_is_declared_unreadable(condition, operand):
    try:
        result = evaluer(condition, {1: operand, 2: operand})
    except ConditionInvalide:
        result = None
    assert result in (True, False, None)
    assert est_visible(condition, {1: operand}) in (True, False)
    assert isinstance(valider(condition, {1: ("Champ", ("eq",))}), list)


@settings(max_examples=200, deadline=None)
@given(operator=st.sampled_from(["eq", "not_eq", "lt", "lte", "gt", "gte", "include", "empty", "not_empty", "in_departement", "in_region"]), value=st.text(max_size=12) | st.integers() | st.booleans(), operand=OPERAND)
def test_every_operator_on_every_kind_of_value_gives_a_boolean(operator, value, operand):
    assert evaluer(leaf(1, operator, value), {1: operand}) in (True, False)


def test_decrire():
    from demarches.fields.conditions import decrire

    libelles = {1: "Avez-vous des salariés ?", 2: "Nombre de salariés", 3: "Commune"}
    assert decrire(leaf(1, "eq", "Oui"), libelles) == "« Avez-vous des salariés ? » est égal à « Oui »"
    condition = {"and": [leaf(2, "gte", "50"), {"or": [leaf(3, "in_departement", "69"), leaf(3, "empty")]}]}
    assert decrire(condition, libelles) == (
        "« Nombre de salariés » est supérieur ou égal à « 50 » et "
        "(« Commune » est dans le département « 69 » ou « Commune » n'est pas rempli)"
    )
    assert decrire("x", libelles) == "condition illisible"
    assert decrire(leaf(9, "eq", "x"), libelles) == "« champ inconnu » est égal à « x »"
