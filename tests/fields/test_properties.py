"""Property-based checks of every registered type's parsing (hypothesis):

- no input crashes: parse() returns a value or raises ValidationError;
- every refusal is a message in French;
- a valid value survives storage: parse(raw(stored)) == stored, and display/condition values work.
"""

import datetime
import decimal
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
from demarches.fields.types.repetition import summary as repetition_summary
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


# Every registered type: valid values through storage, display, export and conditions ---------------
#
# VALIDES gives, for each type, a strategy of inputs the type accepts; the test below fails when a
# type is registered without one, so that no type is forgotten. Each value goes through parse(), the
# database (a real Champ row: JSON data must survive), display, the export cell, the condition value
# with each of the type's condition operators, and check() before a deposit.

FILE_NAMES = st.lists(
    st.text(alphabet=string.ascii_letters + string.digits + "-_ éà", min_size=1, max_size=30).map(lambda n: n.strip() + ".pdf").filter(lambda n: n != ".pdf"),
    min_size=1, max_size=10,
)
EMAILS = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}[a-z0-9]", fullmatch=True).filter(lambda s: ".." not in s),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}[a-z0-9]", fullmatch=True),
    st.sampled_from(["fr", "com", "org", "re", "gp"]),
)
FRENCH_PHONES = st.builds(
    lambda digit, rest, spaced: (
        " ".join(["06"] + [(digit + rest)[i : i + 2] for i in range(0, 8, 2)]) if spaced else "06" + digit + rest
    ),
    st.sampled_from("01245678"),  # mobile numbers 06 0x, 06 1x… (06 3x and 06 9x are only partly allocated)
    st.text(alphabet=string.digits, min_size=7, max_size=7),
    st.booleans(),
)
PHONES = st.one_of(
    FRENCH_PHONES,
    st.sampled_from(["+33 1 23 45 67 89", "+44 20 7946 0958", "0590 27 12 34", "0696 12 34 56", "0262 21 34 56", "+1 202 555 0143"]),
)
POSITIONS = st.tuples(
    st.floats(min_value=-5.0, max_value=9.0, allow_nan=False), st.floats(min_value=41.0, max_value=51.0, allow_nan=False)
).map(lambda p: [round(p[0], 6), round(p[1], 6)])
GEOMETRIES = st.one_of(
    POSITIONS.map(lambda p: {"type": "Point", "coordinates": p}),
    st.lists(POSITIONS, min_size=2, max_size=6, unique_by=tuple).map(lambda ps: {"type": "LineString", "coordinates": ps}),
    st.tuples(POSITIONS, st.floats(min_value=0.001, max_value=0.5)).map(
        lambda t: {"type": "Polygon", "coordinates": [[t[0], [t[0][0] + t[1], t[0][1]], [t[0][0] + t[1], t[0][1] + t[1]], t[0]]]}
    ),
)
CARTES = st.lists(GEOMETRIES, min_size=1, max_size=5).map(
    lambda gs: json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": g, "properties": {}} for g in gs]})
)


def _selectors():
    from demarches.referentiels import selectors

    return selectors


VALIDES = {
    "text": lambda ctx: st.text(max_size=200).filter(lambda t: t.replace("\x00", "").strip()).map(lambda t: [t]),
    "textarea": lambda ctx: st.text(max_size=50).filter(lambda t: t.replace("\x00", "").strip()).map(lambda t: [t]),
    "integer_number": lambda ctx: st.integers(min_value=-1000, max_value=1000).map(lambda n: [str(n)]),
    "decimal_number": lambda ctx: st.decimals(min_value=0, max_value=10**9, places=2).map(lambda d: [str(d).replace(".", ",")]),
    "date": lambda ctx: st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2030, 12, 31)).map(lambda d: [d.isoformat()]),
    "datetime": lambda ctx: st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2020, 1, 1)).map(
        lambda d: [d.isoformat(timespec="minutes")]
    ),
    "checkbox": lambda ctx: st.just(["true"]),
    "engagement": lambda ctx: st.just(["true"]),
    "yes_no": lambda ctx: st.sampled_from([["true"], ["false"]]),
    "civilite": lambda ctx: st.sampled_from([["M."], ["Mme"]]),
    "email": lambda ctx: EMAILS.map(lambda e: [e]),
    "phone": lambda ctx: PHONES.map(lambda p: [p]),
    "formatted": lambda ctx: st.text(alphabet=string.ascii_letters + string.digits + "éèàç", min_size=2, max_size=12).map(lambda t: [t]),
    "drop_down_list": lambda ctx: st.one_of(
        st.sampled_from(["Création", "Modification", "Cession"]).map(lambda c: [c, ""]),
        st.text(max_size=40).filter(lambda t: t.replace("\x00", "").strip()).map(lambda t: [AUTRE, t]),
    ),
    "multiple_drop_down_list": lambda ctx: st.lists(st.sampled_from(["Stockage", "Livraison", "Vente"]), unique=True, min_size=1),
    # A primary choice that has secondary ones is not an answer until one of them is chosen.
    "linked_drop_down_list": lambda ctx: st.sampled_from([["Fruits", "Pomme"], ["Fruits", "Poire"], ["Légumes", "Carotte"], ["Autre", ""]]),
    "repetition": lambda ctx: st.lists(st.text(alphabet="0123456789abcdef", min_size=1, max_size=32), min_size=1, max_size=5),
    "dossier_link": lambda ctx: st.sampled_from(["", "n°", "N° ", "no "]).map(lambda prefix: [f"{prefix}{ctx['dossier'].pk}"]),
    "address": lambda ctx: st.sampled_from(["12 rue de la république lyon", "avenue de ségur", "10 Rue de Rivoli 75001 Paris", "Quelque part"]).map(lambda a: [a]),
    "communes": lambda ctx: st.sampled_from(_selectors().communes_rechercher("sai") + _selectors().communes_rechercher("75")).map(lambda c: [c.label]),
    "departements": lambda ctx: st.sampled_from(_selectors().departements()).map(lambda d: [d.code]),
    "regions": lambda ctx: st.sampled_from(_selectors().regions()).map(lambda r: [r.code]),
    "epci": lambda ctx: st.sampled_from(_selectors().epci_du_departement("69") + _selectors().epci_du_departement("13")).map(lambda e: ["", e.code]),
    "pays": lambda ctx: st.sampled_from(_selectors().pays()).map(lambda p: [p.code]),
    "iban": lambda ctx: st.text(alphabet=string.digits, min_size=23, max_size=23).map(
        lambda bban: ["FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban]
    ),
    "siret": lambda ctx: st.sampled_from(SIRETS).map(lambda s: [s]),
    "rna": lambda ctx: st.sampled_from(RNAS).map(lambda r: [r]),
    "carte": lambda ctx: CARTES.map(lambda c: [c]),
}
# Types whose value is not typed but attached: the stored data are the names of the files.
FICHIERS = {"piece_justificative", "titre_identite"}
EXPORT_CELLS = (str, int, float, decimal.Decimal, datetime.date, datetime.datetime)


def test_every_registered_type_has_valid_values_here():
    fillable = {t.key for t in registry.all_types() if t.fillable}
    assert fillable - set(VALIDES) - FICHIERS == set()
    assert set(VALIDES) | FICHIERS <= fillable


@pytest.mark.parametrize("key", sorted(t.key for t in registry.all_types() if not t.fillable))
def test_layout_types_never_hold_a_value(key):
    field_type = registry.get(key)
    assert field_type.is_empty(field_type.parse(["une valeur"], options={}))


@pytest.fixture
def champ_de_test(db):
    """A Champ row of a real dossier, whose type is switched for each key (storage only)."""
    from demarches.dossiers.models import Champ, Dossier
    from tests import factories
    from tests.fields.demarches import demarche_creer

    procedure = demarche_creer([("text", "Champ", False)])
    dossier = factories.dossier_creer(procedure=procedure)
    lie = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    tdc = dossier.revision.types_de_champ.get()
    champ = Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id)
    return {"champ": champ, "dossier": lie}


def stocker(champ, stored: StoredValue) -> StoredValue:
    champ.value, champ.data = stored.value, stored.data
    champ.save(update_fields=["value", "data", "updated_at"])
    champ.refresh_from_db()
    return champ.stored


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(t.key for t in registry.all_types() if t.fillable))
@HYPOTHESIS
@given(data=st.data())
def test_valid_values_round_trip_through_storage_display_export_and_conditions(key, data, champ_de_test):
    from demarches.fields import conditions

    field_type = registry.get(key)
    options = OPTIONS.get(key, {})
    if key in FICHIERS:
        stored = StoredValue(data=data.draw(FILE_NAMES))
    else:
        raw = data.draw(VALIDES[key](champ_de_test))
        stored = field_type.parse(raw, options=options)
        assert field_type.parse(field_type.raw(stored), options=options) == stored
        field_type.check(stored, options=options)
        if field_type.has_children:
            # A block's text is the summary of its rows' answers, written by the dossier services.
            stored = StoredValue(value=repetition_summary([[("Nom", "Durand")]] * len(raw)), data=stored.data)
    assert not field_type.is_empty(stored)
    # Storage: the database gives the same value back (JSON data included).
    assert stocker(champ_de_test["champ"], stored) == stored
    # Display (screen, PDF, e-mail tag) and export cell.
    shown = field_type.display(stored)
    assert isinstance(shown, str) and shown.strip()
    cell = field_type.export_value(stored)
    assert isinstance(cell, EXPORT_CELLS) and cell != "", cell
    # Conditions: an answered champ is « not empty » for every operator set the type offers.
    operand = field_type.condition_value(stored)
    valeurs = {1: operand}
    assert conditions.evaluer({"champ": 1, "operator": "not_empty"}, valeurs) is True
    assert conditions.evaluer({"champ": 1, "operator": "empty"}, valeurs) is False
    for operator in field_type.condition_operators:
        assert operator in conditions.OPERATEURS
        assert isinstance(conditions.evaluer({"champ": 1, "operator": operator, "value": stored.value}, valeurs), bool)
    # The empty value is empty everywhere (an unchecked box is « false » for conditions).
    empty = StoredValue()
    assert field_type.is_empty(empty) and field_type.condition_value(empty) in (None, "", [], {}, False)
