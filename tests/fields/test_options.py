"""The options each type declares for the editor, and their checks (French messages by option)."""

import pytest

from demarches.fields import options, registry


def verifier(type_champ, **values):
    return options.verifier(registry.get(type_champ), values)


def test_every_declared_option_has_a_french_label_and_a_known_kind():
    kinds = {options.BOOL, options.ENTIER, options.DECIMAL, options.DATE, options.CHOIX, options.CHOIX_MULTIPLE,
             options.TEXTE, options.REGEX, options.LISTE, options.LISTE_LIEE, options.FICHIER}
    for field_type in registry.all_types():
        for option in options.options_de(field_type):
            assert option.label and option.kind in kinds, (field_type.key, option)


def test_a_type_may_declare_its_own_options():
    class Declared(registry.FieldType):
        key = "essai"
        options_editeur = (options.Option("taille", "Taille", options.ENTIER, minimum=1),)

    assert [o.key for o in options.options_de(Declared())] == ["taille"]
    assert options.verifier(Declared(), {"taille": "0"})[1] == {"taille": "Indiquez un nombre supérieur ou égal à 1."}


@pytest.mark.parametrize("type_champ, values, errors", [
    ("integer_number", {"min": "10", "max": "2"}, {"max": "La valeur maximale doit être supérieure ou égale à la valeur minimale."}),
    ("integer_number", {"min": "dix"}, {"min": "Indiquez un nombre entier."}),
    ("decimal_number", {"min": "1,5", "max": "abc"}, {"max": "Indiquez un nombre, avec une virgule pour les décimales."}),
    ("date", {"min": "2026-05-01", "max": "2026-04-01"}, {"max": "La date maximale doit être postérieure ou égale à la date minimale."}),
    ("date", {"min": "31/02/2026"}, {"min": "Indiquez une date valide, au format JJ/MM/AAAA."}),
    ("textarea", {"character_limit": "0"}, {"character_limit": "Indiquez un nombre supérieur ou égal à 1."}),
    ("header_section", {"level": "4"}, {"level": "Choisissez une des valeurs proposées."}),
    ("drop_down_list", {"choices": "--Groupe--\n"}, {"choices": "Indiquez au moins une option (une par ligne)."}),
    ("piece_justificative", {"formats": ["exe"]}, {"formats": "Choisissez parmi les valeurs proposées."}),
    ("formatted", {"mode": "simple", "letters": False, "digits": False, "special": False},
     {"letters": "Autorisez au moins une sorte de caractères : lettres, chiffres ou caractères spéciaux."}),
    ("formatted", {"mode": "simple", "min_length": "8", "max_length": "4"},
     {"max_length": "La longueur maximale doit être supérieure ou égale à la longueur minimale."}),
    ("formatted", {"mode": "avance", "regex": "(", "example": "a", "error_message": "Non"},
     {"regex": "L'expression régulière est invalide : missing ), unterminated subpattern at position 0."}),
])
def test_invalid_options_get_french_messages(type_champ, values, errors):
    assert verifier(type_champ, **values)[1] == errors


def test_valid_options_are_normalised():
    cleaned, errors = verifier("decimal_number", min="1,50", max="10", positive=True)
    assert errors == {} and cleaned == {"min": "1.5", "max": "10", "positive": True}
    cleaned, errors = verifier("drop_down_list", choices=" Ain \n\n--Nord--\nNord\n", other=True)
    assert errors == {} and cleaned == {"choices": ["Ain", "--Nord--", "Nord"], "other": True}
    cleaned, errors = verifier("formatted")  # nothing given: every character allowed, simple mode
    assert errors == {} and cleaned["mode"] == "simple" and cleaned["letters"] is True
    cleaned, errors = verifier("formatted", mode="avance", regex=r"\d{5}", example="75001", error_message="5 chiffres.")
    assert errors == {} and cleaned["regex"] == r"\d{5}"


def test_linked_list_needs_primaries_first():
    assert verifier("linked_drop_down_list", choices="A1\n--A--")[1] == {
        "choices": "La première ligne doit être une valeur du premier menu entre doubles tirets (« --A1-- »)."
    }
    assert verifier("linked_drop_down_list", choices="--A--\nA1\n--B--")[1] == {}


def test_allowed_extensions_and_summary():
    assert options.extensions_autorisees({}) is None
    assert options.extensions_autorisees({"formats": ["pdf", "texte"]}) == {".pdf", ".txt", ".csv"}
    assert options.resume(registry.get("piece_justificative"), {"formats": ["pdf"], "modele": {"nom": "m.xlsx"}}) == [
        "Formats acceptés : Documents PDF", "Modèle de pièce justificative : m.xlsx",
    ]


def test_condition_choices_by_type():
    assert options.choix_de_condition(registry.get("yes_no"), {}, "eq") == [("true", "Oui"), ("false", "Non")]
    assert options.choix_de_condition(registry.get("drop_down_list"), {"choices": ["--G--", "A", "B"]}, "eq") == [("A", "A"), ("B", "B")]
    assert options.choix_de_condition(registry.get("linked_drop_down_list"), {"choices": ["--A--", "a1", "--B--"]}, "eq") == [
        ("A", "A"), ("B", "B"),
    ]
    assert options.choix_de_condition(registry.get("integer_number"), {}, "gt") is None
