"""Property-based checks of every registered type's parsing (hypothesis):

- no input crashes: parse() returns a value or raises ValidationError;
- every refusal is a message in French;
- a valid value survives storage: parse(raw(stored)) == stored, and display/condition values work.
"""

import datetime
import json
import re
import string
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from demarches.fields import registry
from demarches.fields.registry import StoredValue
from demarches.fields.types.choice import AUTRE
from demarches.fields.types.siret import Siret

DATA = Path(__file__).resolve().parents[2] / "demarches" / "referentiels" / "data"
SIRETS = [row["siret"] for row in json.loads((DATA / "etablissements.json").read_text())]
RNAS = [row["rna"] for row in json.loads((DATA / "associations.json").read_text())]

DROP_DOWN = {"choices": ["Création", "--Groupe--", "Modification", "Cession"], "other": True}
LINKED = {"choices": ["--Fruits--", "Pomme", "Poire", "--Légumes--", "Carotte", "--Autre--"]}
OPTIONS = {
    "textarea": {"character_limit": 50},
    "integer_number": {"min": -1000, "max": 1000},
    "decimal_number": {"positive": True},
    "date": {"min": "2000-01-01", "max": "2030-12-31"},
    "datetime": {"date_in_past": True},
    "drop_down_list": DROP_DOWN,
    "multiple_drop_down_list": {"choices": ["Stockage", "Livraison", "Vente"]},
    "linked_drop_down_list": LINKED,
    "formatted": {"letters": True, "digits": True, "min_length": 2, "max_length": 12},
}
HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
ENGLISH = re.compile(r"\b(Enter|This field|Ensure|invalid|value must|Select a valid)\b")


def is_french_message(message: str) -> bool:
    return bool(message) and message[0].isupper() and message.rstrip().endswith((".", "»", ")")) and not ENGLISH.search(message)


def round_trip(key: str, raw: list[str]) -> StoredValue:
    field_type = registry.get(key)
    options = OPTIONS.get(key, {})
    stored = field_type.parse(raw, options=options)
    assert field_type.parse(field_type.raw(stored), options=options) == stored
    assert isinstance(field_type.display(stored), str)
    field_type.condition_value(stored)
    if not field_type.is_empty(stored):
        field_type.check(stored, options=options)
    return stored


ANY_INPUT = st.lists(st.text(max_size=80), max_size=3)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(t.key for t in registry.all_types()))
@HYPOTHESIS
@given(raw=ANY_INPUT)
def test_no_input_crashes_and_refusals_are_in_french(key, raw):
    field_type = registry.get(key)
    options = OPTIONS.get(key, {})
    try:
        stored = field_type.parse(raw, options=options)
    except ValidationError as exc:
        assert is_french_message(exc.messages[0]), exc.messages[0]
        kept = field_type.keep_invalid(raw)
        assert isinstance(kept, StoredValue)
    else:
        assert isinstance(stored, StoredValue)
        # Whatever was accepted goes through storage unchanged.
        assert field_type.parse(field_type.raw(stored), options=options) == stored
        assert isinstance(field_type.display(stored), str)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["siret", "rna", "communes", "address", "dossier_link", "iban", "formatted"])
@HYPOTHESIS
@given(text=st.text(alphabet=string.ascii_letters + string.digits + " ()-'", max_size=40))
def test_text_like_inputs_never_crash(key, text):
    try:
        registry.get(key).parse([text], options=OPTIONS.get(key, {}))
    except ValidationError as exc:
        assert is_french_message(exc.messages[0]), exc.messages[0]


# Valid values round-trip -------------------------------------------------------------------------


@HYPOTHESIS
@given(st.text(max_size=200).filter(lambda t: t.strip()))
def test_text_round_trip(text):
    assert round_trip("text", [text]).value == text.replace("\x00", "").strip()


@HYPOTHESIS
@given(st.integers(min_value=-1000, max_value=1000))
def test_integer_round_trip(number):
    assert round_trip("integer_number", [str(number)]).value == str(number)


@HYPOTHESIS
@given(st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=3))
def test_decimal_round_trip(number):
    round_trip("decimal_number", [str(number).replace(".", ",")])


@HYPOTHESIS
@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2030, 12, 31)))
def test_date_round_trip(day):
    assert round_trip("date", [day.isoformat()]).value == day.isoformat()


@HYPOTHESIS
@given(st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2020, 1, 1)))
def test_datetime_round_trip(moment):
    round_trip("datetime", [moment.isoformat()])


@HYPOTHESIS
@given(st.sampled_from(["checkbox", "engagement"]), st.booleans())
def test_checkboxes_round_trip(key, checked):
    round_trip(key, ["true"] if checked else [])


@HYPOTHESIS
@given(st.sampled_from(["", "true", "false"]))
def test_yes_no_round_trip(value):
    round_trip("yes_no", [value])


@HYPOTHESIS
@given(st.text(alphabet=string.ascii_letters + string.digits + "éèàç", min_size=2, max_size=12))
def test_formatted_round_trip(text):
    assert round_trip("formatted", [text]).value == text


@HYPOTHESIS
@given(st.text(alphabet=string.digits, min_size=23, max_size=23), st.booleans())
def test_iban_round_trip(bban, spaced):
    number = "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban
    typed = " ".join(number[i : i + 4] for i in range(0, len(number), 4)) if spaced else number.lower()
    assert round_trip("iban", [typed]).value == number


@pytest.mark.django_db
@HYPOTHESIS
@given(st.sampled_from(SIRETS), st.sampled_from(["", " ", "."]))
def test_siret_round_trip(siret, separator):
    typed = separator.join([siret[:3], siret[3:6], siret[6:9], siret[9:]])
    stored = round_trip("siret", [typed])
    assert stored.value == siret and stored.data["etablissement"]["siret"] == siret


@HYPOTHESIS
@given(st.text(alphabet=string.digits, min_size=14, max_size=14))
def test_siret_random_numbers_are_refused_in_french_or_found(number):
    try:
        Siret.number(number)
    except ValidationError as exc:
        assert is_french_message(exc.messages[0])


@pytest.mark.django_db
@HYPOTHESIS
@given(st.sampled_from(RNAS))
def test_rna_round_trip(rna):
    assert round_trip("rna", [rna.lower()]).value == rna


@HYPOTHESIS
@given(st.sampled_from(["Création", "Modification", "Cession", AUTRE]), st.text(max_size=40))
def test_drop_down_round_trip(choice, other):
    try:
        stored = round_trip("drop_down_list", [choice, other])
    except ValidationError as exc:
        assert choice == AUTRE and not other.replace("\x00", "").strip()
        assert is_french_message(exc.messages[0])
    else:
        assert stored.value


@HYPOTHESIS
@given(st.lists(st.sampled_from(["Stockage", "Livraison", "Vente"]), unique=True))
def test_multiple_round_trip(values):
    round_trip("multiple_drop_down_list", values)


@HYPOTHESIS
@given(st.sampled_from([("Fruits", "Pomme"), ("Fruits", "Poire"), ("Fruits", ""), ("Légumes", "Carotte"), ("Autre", ""), ("", "")]))
def test_linked_round_trip(pair):
    round_trip("linked_drop_down_list", list(pair))


@pytest.mark.django_db
@HYPOTHESIS
@given(data=st.data())
def test_geography_round_trip(data):
    from demarches.referentiels import selectors

    commune = data.draw(st.sampled_from(selectors.communes_rechercher("sai") + selectors.communes_rechercher("75")))
    assert round_trip("communes", [commune.label]).data["code_insee"] == commune.code_insee
    departement = data.draw(st.sampled_from(selectors.departements()))
    assert round_trip("departements", [departement.code]).value == departement.code
    region = data.draw(st.sampled_from(selectors.regions()))
    assert round_trip("regions", [region.code]).value == region.code
    pays = data.draw(st.sampled_from(selectors.pays()))
    assert round_trip("pays", [pays.code]).value == pays.code
    epci = data.draw(st.sampled_from(selectors.epci_du_departement("69") + selectors.epci_du_departement("13")))
    assert round_trip("epci", ["", epci.code]).value == epci.code


@pytest.mark.django_db
@HYPOTHESIS
@given(st.sampled_from(["12 rue de la république lyon", "avenue de ségur", "10 Rue de Rivoli 75001 Paris", "Quelque part"]))
def test_adresse_round_trip(text):
    from demarches.referentiels import adapters

    found = adapters.get("adresse").rechercher(text)
    for candidate in [text] + [a.label for a in found]:
        round_trip("address", [candidate])


@HYPOTHESIS
@given(st.lists(st.text(alphabet="0123456789abcdef", min_size=1, max_size=32), max_size=5))
def test_repetition_round_trip(rows):
    round_trip("repetition", rows)
