"""Every field type: what it accepts, what it refuses (in French), how it stores and shows values."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from demarches.fields import registry
from demarches.fields.registry import StoredValue

EXPECTED_TYPES = {
    "text", "textarea", "integer_number", "decimal_number", "date", "datetime", "checkbox", "yes_no", "civilite",
    "email", "phone", "drop_down_list", "multiple_drop_down_list", "header_section", "explication",
    "piece_justificative", "formatted", "engagement", "linked_drop_down_list", "repetition", "dossier_link",
    "address", "communes", "departements", "regions", "epci", "pays", "iban", "siret", "rna", "carte", "titre_identite",
}


def parse(key, raw, **options):
    return registry.get(key).parse(raw, options=options)


def refused(key, raw, **options) -> str:
    with pytest.raises(ValidationError) as error:
        parse(key, raw, **options)
    return error.value.messages[0]


def test_every_expected_type_is_registered_with_a_widget_template():
    types = {t.key: t for t in registry.all_types()}
    assert set(types) == EXPECTED_TYPES
    for field_type in types.values():
        assert field_type.label
        assert field_type.template.startswith("fields/widgets/") and field_type.template.endswith(".html")


def test_widget_templates_exist():
    from django.template.loader import get_template

    for field_type in registry.all_types():
        assert get_template(field_type.template)


def test_unknown_type_is_refused_in_french():
    with pytest.raises(ValidationError, match="Type de champ inconnu"):
        registry.get("annuaire_education")


def test_choices_are_the_registered_labels():
    assert ("text", "Texte court") in registry.choices()


# Texts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["text", "textarea"])
def test_texts_are_stripped_and_may_be_empty(key):
    assert parse(key, ["  Bonjour  "]) == StoredValue(value="Bonjour")
    assert parse(key, [""]) == StoredValue()
    assert parse(key, []) == StoredValue()


def test_textarea_character_limit():
    assert parse("textarea", ["a" * 10], character_limit=10).value == "a" * 10
    message = refused("textarea", ["a" * 11], character_limit=10)
    assert message == "Le texte ne doit pas dépasser 10 caractères (actuellement 11)."


# Numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, stored", [("42", "42"), ("-3", "-3"), ("+7", "7"), ("1 000", "1000"), ("007", "7")])
def test_integer_valid(raw, stored):
    assert parse("integer_number", [raw]).value == stored


@pytest.mark.parametrize("raw", ["12,5", "douze", "1e3", "4.0"])
def test_integer_invalid(raw):
    assert refused("integer_number", [raw]).startswith("Saisissez un nombre entier")


def test_integer_empty():
    assert parse("integer_number", [" "]) == StoredValue()


@pytest.mark.parametrize(
    "raw, options, message",
    [
        ("-1", {"min": 0}, "La valeur doit être supérieure ou égale à 0."),
        ("11", {"max": 10}, "La valeur doit être inférieure ou égale à 10."),
        ("-2", {"positive": True}, "La valeur doit être positive."),
    ],
)
def test_integer_bounds(raw, options, message):
    assert refused("integer_number", [raw], **options) == message


def test_integer_bounds_are_inclusive():
    assert parse("integer_number", ["0"], min=0, max=10).value == "0"
    assert parse("integer_number", ["10"], min=0, max=10).value == "10"
    assert parse("integer_number", ["5"], min="", max="").value == "5"


@pytest.mark.parametrize(
    "raw, stored", [("12,5", "12.5"), ("12.50", "12.5"), ("1 234,75", "1234.75"), ("-0,5", "-0.5"), ("3", "3")]
)
def test_decimal_valid_with_french_comma(raw, stored):
    assert parse("decimal_number", [raw]).value == stored


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "NaN", "Infinity"])
def test_decimal_invalid(raw):
    assert refused("decimal_number", [raw]).startswith("Saisissez un nombre, avec une virgule")


def test_decimal_bounds_and_display():
    assert refused("decimal_number", ["10,5"], max=10) == "La valeur doit être inférieure ou égale à 10."
    assert refused("decimal_number", ["-0,1"], min="0") == "La valeur doit être supérieure ou égale à 0."
    field_type = registry.get("decimal_number")
    assert field_type.display(StoredValue(value="12.5")) == "12,5"
    assert field_type.initial(StoredValue(value="12.5")) == "12,5"
    assert parse("decimal_number", [""]) == StoredValue()


# Dates ----------------------------------------------------------------------------------------


def test_date_valid_invalid_empty_and_display():
    assert parse("date", ["2025-06-11"]).value == "2025-06-11"
    assert refused("date", ["11/06/2025"]) == "Saisissez une date valide au format jj/mm/aaaa."
    assert refused("date", ["2025-02-30"]) == "Saisissez une date valide au format jj/mm/aaaa."
    assert parse("date", [""]) == StoredValue()
    assert registry.get("date").display(StoredValue(value="2025-06-11")) == "11 juin 2025"
    assert registry.get("date").display(StoredValue()) == ""


def test_date_in_past_option():
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert refused("date", [tomorrow], date_in_past=True) == "La date doit être dans le passé."
    assert parse("date", ["2000-01-01"], date_in_past=True).value == "2000-01-01"


def test_datetime_bounds_and_past_only(monkeypatch):
    from demarches.fields.types import basic

    monkeypatch.setattr(basic, "_maintenant", lambda: datetime.datetime(2026, 5, 10, 14, 30))
    # « Dans le passé »: to the minute, later the same day is refused.
    assert parse("datetime", ["2026-05-10T14:30"], date_in_past=True).value == "2026-05-10T14:30"
    assert parse("datetime", ["2026-05-10T09:00"], date_in_past=True).value == "2026-05-10T09:00"
    assert refused("datetime", ["2026-05-10T14:31"], date_in_past=True) == "La date doit être dans le passé."
    assert refused("datetime", ["2026-06-01T08:00"], date_in_past=True) == "La date doit être dans le passé."
    # Bounds are days, included.
    bounds = {"min": "2026-01-01", "max": "2026-12-31"}
    assert parse("datetime", ["2026-01-01T00:00"], **bounds).value == "2026-01-01T00:00"
    assert parse("datetime", ["2026-12-31T23:59"], **bounds).value == "2026-12-31T23:59"
    assert refused("datetime", ["2025-12-31T23:59"], **bounds) == "La date doit être le 1 janvier 2026 ou après."
    assert refused("datetime", ["2027-01-01T00:00"], **bounds) == "La date doit être le 31 décembre 2026 ou avant."


def test_datetime_valid_invalid_empty_and_display():
    assert parse("datetime", ["2025-06-11T09:32:45"]).value == "2025-06-11T09:32"
    assert refused("datetime", ["demain midi"]).startswith("Saisissez une date et une heure valides")
    assert parse("datetime", [""]) == StoredValue()
    assert registry.get("datetime").display(StoredValue(value="2025-06-11T09:32")) == "11 juin 2025 à 09:32"


# Choices ---------------------------------------------------------------------------------------


def test_checkbox():
    assert parse("checkbox", ["true"]).value == "true"
    assert parse("checkbox", ["on"]).value == "true"
    assert parse("checkbox", []) == StoredValue()
    field_type = registry.get("checkbox")
    assert field_type.display(StoredValue(value="true")) == "Oui"
    assert field_type.display(StoredValue()) == "Non"


def test_yes_no():
    assert parse("yes_no", ["true"]).value == "true"
    assert parse("yes_no", ["false"]).value == "false"
    assert parse("yes_no", []) == StoredValue()
    assert refused("yes_no", ["peut-être"]) == "Choisissez « Oui » ou « Non »."
    assert registry.get("yes_no").display(StoredValue(value="false")) == "Non"


def test_civilite():
    assert parse("civilite", ["Mme"]).value == "Mme"
    assert parse("civilite", [""]) == StoredValue()
    assert refused("civilite", ["Dr"]) == "Choisissez « M. » ou « Mme »."
    assert registry.get("civilite").choices_for({}) == ["M.", "Mme"]


CHOICES = {"choices": ["Création", "--separator--", "Modification", ""]}


def test_drop_down_list():
    assert parse("drop_down_list", ["Modification"], **CHOICES).value == "Modification"
    assert parse("drop_down_list", [""], **CHOICES) == StoredValue()
    assert refused("drop_down_list", ["Autre"], **CHOICES) == "Choisissez une des valeurs proposées."
    assert refused("drop_down_list", ["--separator--"], **CHOICES) == "Choisissez une des valeurs proposées."
    assert registry.get("drop_down_list").choices_for(CHOICES) == ["Création", "Modification"]


def test_multiple_drop_down_list_keeps_the_options_order():
    stored = parse("multiple_drop_down_list", ["Modification", "Création"], **CHOICES)
    assert stored == StoredValue(value="Création, Modification", data=["Création", "Modification"])
    assert parse("multiple_drop_down_list", [], **CHOICES) == StoredValue(value="", data=[])
    assert refused("multiple_drop_down_list", ["Création", "Autre"], **CHOICES).startswith("Choisissez uniquement")
    field_type = registry.get("multiple_drop_down_list")
    assert field_type.initial(stored) == ["Création", "Modification"]
    assert field_type.is_empty(StoredValue(value="", data=[]))


# Contacts -------------------------------------------------------------------------------------


def test_email():
    assert parse("email", [" prenom.nom@exemple.fr "]).value == "prenom.nom@exemple.fr"
    assert parse("email", [""]) == StoredValue()
    assert refused("email", ["prenom.nom@"]).startswith("Saisissez une adresse électronique valide")


@pytest.mark.parametrize("raw", ["01 23 45 67 89", "+33 1 23 45 67 89", "0690 12 34 56", "06 12 34 56 78"])
def test_phone_valid_including_overseas(raw):
    assert parse("phone", [raw]).value == raw


@pytest.mark.parametrize("raw", ["12", "abcdef", "01 23"])
def test_phone_invalid(raw):
    assert refused("phone", [raw]).startswith("Saisissez un numéro de téléphone valide")


def test_phone_empty():
    assert parse("phone", [""]) == StoredValue()


# Layout and files ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["header_section", "explication"])
def test_layout_types_are_not_fillable(key):
    field_type = registry.get(key)
    assert not field_type.fillable
    assert parse(key, ["ignoré"]) == StoredValue()


def test_piece_justificative_is_filled_by_its_attachments():
    field_type = registry.get("piece_justificative")
    assert field_type.accepts_files and field_type.fillable
    assert parse("piece_justificative", ["x"]) == StoredValue()
    assert field_type.is_empty(StoredValue())
    assert not field_type.is_empty(StoredValue(data=["plan.pdf"]))
    assert field_type.display(StoredValue(data=["plan.pdf", "note.pdf"])) == "plan.pdf, note.pdf"
