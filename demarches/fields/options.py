"""What an administrateur may set on a champ of each type, and how those settings are checked.

Each type declares its options as a tuple of `Option` (its `options_editeur` attribute); the
editor's form is generated from that declaration and `verifier` checks a whole set of options
(French messages keyed by option). Types that do not (yet) carry the attribute fall back on the
declarations of `DECLARATIONS`, keyed by type: moving one into its type class is a one-line change.

Stored in TypeDeChamp.options (JSON), next to « condition » which the condition editor owns.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from .registry import FieldType

BOOL, ENTIER, DECIMAL, DATE, CHOIX, CHOIX_MULTIPLE, TEXTE, REGEX, LISTE, LISTE_LIEE, FICHIER = (
    "bool", "entier", "decimal", "date", "choix", "choix_multiple", "texte", "regex", "liste", "liste_liee", "fichier",
)
LISTE_MAX_LIGNES = 5000
LIGNE_MAX = 1000
TEXTE_MAX = 1000

# Families of files a pièce justificative may restrict itself to.
FORMATS = {
    "pdf": ("Documents PDF", (".pdf",)),
    "images": ("Images (JPG, PNG, GIF, TIFF, HEIC)", (".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".heic")),
    "bureautique": (
        "Documents bureautiques (Word, Excel, PowerPoint, OpenDocument)",
        (".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp"),
    ),
    "texte": ("Texte et tableaux CSV", (".txt", ".csv")),
    "archives": ("Archives ZIP", (".zip",)),
}


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    kind: str
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    minimum: int | None = None  # for ENTIER
    maximum: int | None = None
    # Shown only when another option has a value: (key, value), e.g. ("mode", "avance").
    visible_si: tuple[str, str] | None = None
    initial: object = None


@dataclass(frozen=True)
class Regle:
    """A check on several options at once: `check(options)` returns {key: message} of problems."""

    check: object = field(default=None)


def _ordre(cle_min: str, cle_max: str, message: str, convert):
    def check(options):
        low, high = options.get(cle_min), options.get(cle_max)
        if low in (None, "") or high in (None, ""):
            return {}
        try:
            if convert(low) > convert(high):
                return {cle_max: message}
        except (ValueError, TypeError, InvalidOperation):
            return {}
        return {}

    return check


def _regex_coherente(options):
    if options.get("mode") != "avance":
        return {}
    errors = {}
    pattern = options.get("regex") or ""
    if not pattern:
        return {"regex": "Indiquez l'expression régulière que la valeur doit respecter."}
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        return {"regex": f"L'expression régulière est invalide : {error}."}
    example = options.get("example") or ""
    if not example:
        errors["example"] = "Donnez un exemple de valeur valide : il est montré à l'usager."
    elif compiled.fullmatch(example) is None:
        errors["example"] = "L'exemple ne respecte pas l'expression régulière."
    if not (options.get("error_message") or "").strip():
        errors["error_message"] = "Écrivez le message affiché à l'usager quand sa saisie ne respecte pas le format."
    return errors


def _classes_de_caracteres(options):
    if options.get("mode") == "avance":
        return {}
    if not any(options.get(kind) for kind in ("letters", "digits", "special")):
        return {"letters": "Autorisez au moins une sorte de caractères : lettres, chiffres ou caractères spéciaux."}
    return {}


def _liste_non_vide(options):
    if not valeurs_de_liste(options.get("choices") or []):
        return {"choices": "Indiquez au moins une option (une par ligne)."}
    return {}


def _liste_liee_non_vide(options):
    lignes = options.get("choices") or []
    primaires = [line for line in lignes if _TITRE.match(line)]
    if not primaires:
        return {"choices": "Écrivez au moins une valeur du premier menu entre doubles tirets, par exemple : --Bretagne--."}
    if lignes and not _TITRE.match(lignes[0]):
        return {"choices": f"La première ligne doit être une valeur du premier menu entre doubles tirets (« --{lignes[0]}-- »)."}
    return {}


_TITRE = re.compile(r"^--(?P<titre>.+)--$")


def valeurs_de_liste(lignes) -> list[str]:
    """The selectable values of a list: every line except the --titres de groupe--."""
    return [line for line in lignes if line and not _TITRE.match(line)]


_nombre = Decimal
_date = date.fromisoformat
CHIFFRES = (("letters", "Lettres"), ("digits", "Chiffres"), ("special", "Caractères spéciaux (espaces compris)"))

OPTIONS_NOMBRE = lambda kind: (  # noqa: E731 (a small factory read like a declaration)
    Option("min", "Valeur minimale", kind, "Facultative. L'usager ne pourra pas saisir moins."),
    Option("max", "Valeur maximale", kind, "Facultative. L'usager ne pourra pas saisir plus."),
    Option("positive", "Nombre positif uniquement", BOOL),
    Regle(_ordre("min", "max", "La valeur maximale doit être supérieure ou égale à la valeur minimale.", _nombre)),
)
OPTIONS_DATE = (
    Option("date_in_past", "Date dans le passé uniquement", BOOL, "L'usager ne pourra pas choisir une date après le jour de sa saisie."),
    Option("min", "Date minimale", DATE, "Facultative. Format attendu : JJ/MM/AAAA."),
    Option("max", "Date maximale", DATE, "Facultative. Format attendu : JJ/MM/AAAA."),
    Regle(_ordre("min", "max", "La date maximale doit être postérieure ou égale à la date minimale.", _date)),
)
OPTION_LISTE = Option(
    "choices", "Options (une par ligne)", LISTE,
    "Une valeur par ligne. Une ligne écrite entre doubles tirets, comme --Groupe--, est un titre de groupe "
    "grisé que l'usager ne peut pas choisir. Vous pouvez aussi importer la liste d'un fichier CSV (première colonne).",
)

DECLARATIONS: dict[str, tuple] = {
    "textarea": (
        Option("character_limit", "Nombre maximal de caractères", ENTIER, "Facultatif. Laissez vide pour ne pas limiter.",
               minimum=1, maximum=100_000),
    ),
    "integer_number": OPTIONS_NOMBRE(ENTIER),
    "decimal_number": OPTIONS_NOMBRE(DECIMAL),
    "date": OPTIONS_DATE,
    "datetime": OPTIONS_DATE,
    "formatted": (
        Option("mode", "Format attendu", CHOIX, choices=(
            ("simple", "Simple : sortes de caractères et longueur"),
            ("avance", "Avancé : expression régulière"),
        ), initial="simple"),
        *(Option(key, label, BOOL, visible_si=("mode", "simple"), initial=True) for key, label in CHIFFRES),
        Option("min_length", "Longueur minimale", ENTIER, "En nombre de caractères.", minimum=1, maximum=1000, visible_si=("mode", "simple")),
        Option("max_length", "Longueur maximale", ENTIER, "En nombre de caractères.", minimum=1, maximum=1000, visible_si=("mode", "simple")),
        Option("regex", "Expression régulière", REGEX, "La valeur entière doit la respecter, par exemple : [A-Z]{2}[0-9]{4}.",
               visible_si=("mode", "avance")),
        Option("example", "Exemple de valeur valide", TEXTE, "Montré à l'usager sous le libellé.", visible_si=("mode", "avance")),
        Option("error_message", "Message d'erreur", TEXTE, "Affiché quand la saisie ne respecte pas le format.",
               visible_si=("mode", "avance")),
        Regle(_ordre("min_length", "max_length", "La longueur maximale doit être supérieure ou égale à la longueur minimale.", int)),
        Regle(_regex_coherente),
        Regle(_classes_de_caracteres),
    ),
    "drop_down_list": (
        OPTION_LISTE,
        Option("other", "Proposer le choix « Autre » avec une zone de texte libre", BOOL),
        Regle(_liste_non_vide),
    ),
    "multiple_drop_down_list": (OPTION_LISTE, Regle(_liste_non_vide)),
    "linked_drop_down_list": (
        Option(
            "choices", "Options (une par ligne)", LISTE_LIEE,
            "Chaque valeur du premier menu entre doubles tirets (--Primaire--), suivie des valeurs du second menu, "
            "une par ligne. Un fichier CSV peut aussi être importé : première colonne pour le premier menu, "
            "deuxième colonne pour le second.",
        ),
        Regle(_liste_liee_non_vide),
    ),
    "header_section": (
        Option("level", "Niveau du titre", CHOIX, choices=(
            ("1", "Niveau 1 : section"), ("2", "Niveau 2 : sous-section"), ("3", "Niveau 3"),
        ), initial="1"),
    ),
    "explication": (
        Option("collapsible", "Texte repliable", BOOL,
               "L'usager voit le libellé et déplie la description s'il en a besoin."),
    ),
    "piece_justificative": (
        Option("formats", "Formats acceptés", CHOIX_MULTIPLE, "Aucune case cochée : tous les formats habituels sont acceptés.",
               choices=tuple((key, label) for key, (label, _) in FORMATS.items())),
        Option("modele", "Modèle de pièce justificative", FICHIER,
               "Facultatif. Un document que l'usager télécharge, remplit et joint à son dossier (20 Mo au maximum)."),
    ),
}


def declaration(field_type: FieldType) -> tuple:
    declared = getattr(field_type, "options_editeur", None)
    if declared is not None:
        return tuple(declared)
    return DECLARATIONS.get(field_type.key, ())


def options_de(field_type: FieldType) -> list[Option]:
    return [item for item in declaration(field_type) if isinstance(item, Option)]


def regles_de(field_type: FieldType) -> list[Regle]:
    return [item for item in declaration(field_type) if isinstance(item, Regle)]


def _cleaned_value(option: Option, value):
    """One option's value normalised for storage; ValueError(message) when it cannot be."""
    if option.kind == BOOL:
        return bool(value)
    if value in (None, "", [], ()):
        return [] if option.kind in (LISTE, LISTE_LIEE, CHOIX_MULTIPLE) else None
    if option.kind == ENTIER:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError("Indiquez un nombre entier.") from None
        if option.minimum is not None and number < option.minimum:
            raise ValueError(f"Indiquez un nombre supérieur ou égal à {option.minimum}.")
        if option.maximum is not None and number > option.maximum:
            raise ValueError(f"Indiquez un nombre inférieur ou égal à {option.maximum}.")
        return number
    if option.kind == DECIMAL:
        try:
            number = Decimal(str(value).strip().replace(",", ".").replace(" ", ""))
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise ValueError("Indiquez un nombre, avec une virgule pour les décimales.") from None
        return format(number.normalize(), "f")
    if option.kind == DATE:
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            raise ValueError("Indiquez une date valide, au format JJ/MM/AAAA.") from None
    if option.kind == CHOIX:
        value = str(value)
        if value not in dict(option.choices):
            raise ValueError("Choisissez une des valeurs proposées.")
        return value
    if option.kind == CHOIX_MULTIPLE:
        values = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        if any(v not in dict(option.choices) for v in values):
            raise ValueError("Choisissez parmi les valeurs proposées.")
        return [key for key, _ in option.choices if key in values]
    if option.kind in (LISTE, LISTE_LIEE):
        lines = value if isinstance(value, (list, tuple)) else str(value).splitlines()
        lines = [str(line).replace("\x00", "").strip() for line in lines]
        lines = [line for line in lines if line]
        if len(lines) > LISTE_MAX_LIGNES:
            raise ValueError(f"La liste ne peut pas dépasser {LISTE_MAX_LIGNES} lignes.")
        if any(len(line) > LIGNE_MAX for line in lines):
            raise ValueError(f"Chaque ligne doit faire au plus {LIGNE_MAX} caractères.")
        return lines
    if option.kind == FICHIER:
        return value if isinstance(value, dict) else None
    text = str(value).replace("\x00", "").strip()
    if len(text) > TEXTE_MAX:
        raise ValueError(f"Le texte ne doit pas dépasser {TEXTE_MAX} caractères.")
    return text


def verifier(field_type: FieldType, options: dict) -> tuple[dict, dict[str, str]]:
    """The declared options of `options`, normalised, and the problems found {option key: French message}.

    Options that are hidden in the current mode are kept as given but not required."""
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for option in options_de(field_type):
        if option.kind == FICHIER:
            continue  # files are stored by the editor's service, not typed in
        try:
            cleaned[option.key] = _cleaned_value(option, options.get(option.key, option.initial))
        except ValueError as error:
            errors[option.key] = str(error)
            cleaned[option.key] = options.get(option.key)
    if not errors:
        for regle in regles_de(field_type):
            for key, message in regle.check(cleaned).items():
                errors.setdefault(key, message)
    return cleaned, errors


def extensions_autorisees(options: dict) -> set[str] | None:
    """Extensions a pièce justificative accepts with these options; None for « every usual format »."""
    families = [family for family in (options or {}).get("formats") or [] if family in FORMATS]
    if not families:
        return None
    return {ext for family in families for ext in FORMATS[family][1]}


def resume(field_type: FieldType, options: dict) -> list[str]:
    """The options in words, for the editor's list of champs (« Autre » proposé, 500 caractères au maximum…)."""
    lines = []
    for option in options_de(field_type):
        value = (options or {}).get(option.key)
        if option.visible_si and (options or {}).get(option.visible_si[0], "simple") != option.visible_si[1]:
            continue
        if option.kind in (LISTE, LISTE_LIEE) or value in (None, "", [], False):
            continue
        if option.kind == BOOL:
            lines.append(option.label)
        elif option.kind == CHOIX:
            lines.append(f"{option.label} : {dict(option.choices).get(str(value), value)}")
        elif option.kind == CHOIX_MULTIPLE:
            lines.append(f"{option.label} : " + ", ".join(dict(option.choices).get(v, v) for v in value))
        elif option.kind == FICHIER:
            lines.append(f"{option.label} : {value.get('nom', '')}" if isinstance(value, dict) else option.label)
        else:
            lines.append(f"{option.label} : {value}")
    return lines


# --- Values a condition may compare a champ with ------------------------------------------------------

OUI_NON = (("true", "Oui"), ("false", "Non"))
CONDITION_CHOIX = {
    "yes_no": lambda options: list(OUI_NON),
    "checkbox": lambda options: [("true", "Cochée"), ("false", "Non cochée")],
    "engagement": lambda options: [("true", "Cochée"), ("false", "Non cochée")],
    "civilite": lambda options: [("M.", "M."), ("Mme", "Mme")],
    "linked_drop_down_list": lambda options: [
        (line[2:-2].strip(), line[2:-2].strip()) for line in options.get("choices", []) if _TITRE.match(line)
    ],
}


def _departements():
    from demarches.referentiels import selectors

    return [(d.code, f"{d.code} – {d.nom}") for d in selectors.departements()]


def _regions():
    from demarches.referentiels import selectors

    return [(r.code, r.nom) for r in selectors.regions()]


def choix_de_condition(field_type: FieldType, options: dict, operator: str) -> list[tuple[str, str]] | None:
    """The values the editor offers for a condition on a champ of this type with this operator;
    None when the administrateur types the value. A type may declare condition_choices(options, operator)."""
    hook = getattr(field_type, "condition_choices", None)
    if hook is not None:
        return hook(options or {}, operator)
    if operator == "in_departement":
        return _departements()
    if operator == "in_region":
        return _regions()
    if field_type.key in CONDITION_CHOIX:
        return CONDITION_CHOIX[field_type.key](options or {})
    if field_type.key == "departements":
        return _departements()
    if field_type.key == "regions":
        return _regions()
    choices_for = getattr(field_type, "choices_for", None)
    if choices_for is not None:
        return [(value, value) for value in choices_for(options or {})]
    return None
