import datetime
import re
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext
from django.core.validators import validate_email
from django.utils import formats
from django.utils.dates import MONTHS

from ..registry import FieldType, StoredValue, register
from ._util import ORDER_OPERATORS, TEXT_OPERATORS, first


_MONTH_NAMES: dict[str | None, tuple[str, ...]] = {}


def jour_mois_annee(value) -> str:
    """formats.date_format(value, "j F Y") ("15 mars 2026"), without parsing the format string nor
    translating the month again at every call: the API and the exports format thousands of dates per
    request (bench/api_bench.py)."""
    language = get_language()
    names = _MONTH_NAMES.get(language)
    if names is None:
        names = _MONTH_NAMES[language] = ("", *(str(MONTHS[month]) for month in range(1, 13)))
    return f"{value.day} {names[value.month]} {value.year:04d}"


OVERSEAS_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF")


def _first(raw):
    return first(raw)


@register
class Text(FieldType):
    key = "text"
    label = "Texte court"
    prefill_format = 'Un texte sur une ligne.'
    prefill_example = 'Association des amis du parc'
    condition_operators = TEXT_OPERATORS


@register
class Textarea(FieldType):
    key = "textarea"
    label = "Texte long"
    prefill_format = "Un texte, sur plusieurs lignes si besoin (dans un lien, les retours à la ligne s'écrivent %0A)."
    prefill_example = 'Premier paragraphe'
    template = "fields/widgets/textarea.html"
    condition_operators = TEXT_OPERATORS

    def parse(self, raw, *, options):
        text = _first(raw)
        limit = options.get("character_limit")
        if limit and len(text) > int(limit):
            raise ValidationError(
                gettext("Le texte ne doit pas dépasser %(max)s caractères (actuellement %(longueur)s).")
                % {"max": limit, "longueur": len(text)}
            )
        return StoredValue(value=text)


class _Number(FieldType):
    condition_operators = ORDER_OPERATORS

    def condition_value(self, stored):
        if not stored.value:
            return None
        try:
            return Decimal(stored.value)
        except InvalidOperation:
            return None


def _check_bounds(number, options):
    minimum, maximum = options.get("min"), options.get("max")
    if options.get("positive") and number < 0:
        raise ValidationError(gettext("La valeur doit être positive."))
    if minimum not in (None, "") and number < Decimal(str(minimum)):
        raise ValidationError(gettext("La valeur doit être supérieure ou égale à %(min)s.") % {"min": minimum})
    if maximum not in (None, "") and number > Decimal(str(maximum)):
        raise ValidationError(gettext("La valeur doit être inférieure ou égale à %(max)s.") % {"max": maximum})


@register
class IntegerNumber(_Number):
    key = "integer_number"
    label = "Nombre entier"
    prefill_format = 'Un nombre entier, sans espace ni virgule.'
    prefill_example = '42'
    input_type = "number"

    def parse(self, raw, *, options):
        text = _first(raw).replace(" ", "").replace("\u202f", "")
        if not text:
            return StoredValue()
        if not re.fullmatch(r"[-+]?\d+", text):
            raise ValidationError(gettext("Saisissez un nombre entier, sans virgule ni lettre (par exemple : 42)."))
        _check_bounds(Decimal(text), options)
        return StoredValue(value=str(int(text)))

    def export_value(self, stored):
        """A number cell in spreadsheets."""
        try:
            return int(stored.value)
        except ValueError:
            return stored.value


@register
class DecimalNumber(_Number):
    key = "decimal_number"
    label = "Nombre décimal"
    prefill_format = 'Un nombre, avec un point ou une virgule pour les décimales.'
    prefill_example = '12.5'
    input_type = "text"

    def parse(self, raw, *, options):
        text = _first(raw).replace(" ", "").replace("\u202f", "").replace(",", ".")
        if not text:
            return StoredValue()
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise ValidationError(gettext("Saisissez un nombre, avec une virgule pour les décimales (par exemple : 12,5).")) from None
        _check_bounds(number, options)
        return StoredValue(value=format(number.normalize(), "f"))

    def display(self, stored):
        return stored.value.replace(".", ",")

    def initial(self, stored):
        return stored.value.replace(".", ",")

    def export_value(self, stored):
        try:
            number = Decimal(stored.value)
        except InvalidOperation:
            return self.display(stored)
        return number if number.is_finite() else self.display(stored)


def _date_option(options, name):
    try:
        return datetime.date.fromisoformat(str(options.get(name) or "")[:10])
    except ValueError:
        return None


def _check_date_bounds(day: datetime.date, options):
    """Options « date_in_past » (not after today), « min » and « max » (ISO dates, included)."""
    if options.get("date_in_past") and day > datetime.date.today():
        raise ValidationError(gettext("La date doit être dans le passé."))
    minimum, maximum = _date_option(options, "min"), _date_option(options, "max")
    if minimum and day < minimum:
        raise ValidationError(gettext("La date doit être le %(date)s ou après.") % {"date": formats.date_format(minimum, "j F Y")})
    if maximum and day > maximum:
        raise ValidationError(gettext("La date doit être le %(date)s ou avant.") % {"date": formats.date_format(maximum, "j F Y")})


@register
class Date(FieldType):
    key = "date"
    label = "Date"
    prefill_format = 'Une date au format ISO 8601 : aaaa-mm-jj.'
    prefill_example = '2024-03-31'
    input_type = "date"
    condition_operators = ORDER_OPERATORS

    def parse(self, raw, *, options):
        text = _first(raw)
        if not text:
            return StoredValue()
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(gettext("Saisissez une date valide au format jj/mm/aaaa.")) from None
        _check_date_bounds(value, options)
        return StoredValue(value=value.isoformat())

    def condition_value(self, stored):
        try:
            return datetime.date.fromisoformat(stored.value) if stored.value else None
        except ValueError:
            return None

    def display(self, stored):
        if not stored.value:
            return ""
        return jour_mois_annee(datetime.date.fromisoformat(stored.value))

    def export_value(self, stored):
        """A date cell in spreadsheets (the writers format it dd/mm/yyyy)."""
        try:
            return datetime.date.fromisoformat(stored.value)
        except ValueError:
            return stored.value


def _maintenant() -> datetime.datetime:
    """The local time of the platform, naive like the values typed in the form."""
    from django.utils import timezone

    return timezone.localtime().replace(tzinfo=None)


@register
class DateTime(FieldType):
    key = "datetime"
    label = "Date et heure"
    prefill_format = 'Une date et une heure au format ISO 8601, sans fuseau horaire : aaaa-mm-jjThh:mm.'
    prefill_example = '2024-03-31T14:30'
    input_type = "datetime-local"
    condition_operators = ORDER_OPERATORS

    def parse(self, raw, *, options):
        text = _first(raw)
        if not text:
            return StoredValue()
        try:
            value = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(gettext("Saisissez une date et une heure valides (jj/mm/aaaa hh:mm).")) from None
        if value.tzinfo is not None:
            raise ValidationError(gettext("Saisissez une date et une heure valides (jj/mm/aaaa hh:mm)."))
        # « Dans le passé » holds to the minute for a date et heure: later today is still to come.
        if options.get("date_in_past") and value.replace(second=0, microsecond=0) > _maintenant():
            raise ValidationError(gettext("La date doit être dans le passé."))
        _check_date_bounds(value.date(), options)
        return StoredValue(value=value.replace(second=0, microsecond=0).isoformat(timespec="minutes"))

    def condition_value(self, stored):
        try:
            return datetime.datetime.fromisoformat(stored.value) if stored.value else None
        except ValueError:
            return None

    def display(self, stored):
        if not stored.value:
            return ""
        moment = datetime.datetime.fromisoformat(stored.value)
        return f"{jour_mois_annee(moment)} à {moment.hour:02d}:{moment.minute:02d}"

    def export_value(self, stored):
        try:
            return datetime.datetime.fromisoformat(stored.value).replace(tzinfo=None)
        except ValueError:
            return stored.value


@register
class Checkbox(FieldType):
    key = "checkbox"
    label = "Case à cocher seule"
    prefill_format = 'true pour cocher la case, false pour la laisser décochée.'
    prefill_example = 'true'
    template = "fields/widgets/checkbox.html"

    def parse(self, raw, *, options):
        return StoredValue(value="true" if "true" in raw or "on" in raw else "")

    def display(self, stored):
        return gettext("Oui") if stored.value == "true" else gettext("Non")

    def condition_value(self, stored):
        return stored.value == "true"


@register
class YesNo(FieldType):
    key = "yes_no"
    label = "Oui/Non"
    prefill_format = 'true pour « Oui », false pour « Non ».'
    prefill_example = 'false'
    template = "fields/widgets/yes_no.html"

    def parse(self, raw, *, options):
        text = _first(raw)
        if text not in ("", "true", "false"):
            raise ValidationError(gettext("Choisissez « Oui » ou « Non »."))
        return StoredValue(value=text)

    def display(self, stored):
        return {"true": gettext("Oui"), "false": gettext("Non")}.get(stored.value, "")

    def condition_value(self, stored):
        return {"true": True, "false": False}.get(stored.value)


@register
class Civilite(FieldType):
    key = "civilite"
    label = "Civilité"
    prefill_format = '« M. » ou « Mme ».'
    prefill_example = 'Mme'
    template = "fields/widgets/radios.html"
    CHOICES = ("M.", "Mme")

    def parse(self, raw, *, options):
        text = _first(raw)
        if text and text not in self.CHOICES:
            raise ValidationError(gettext("Choisissez « M. » ou « Mme »."))
        return StoredValue(value=text)

    def choices_for(self, options):
        return list(self.CHOICES)


@register
class Email(FieldType):
    key = "email"
    label = "Adresse électronique"
    prefill_format = 'Une adresse électronique.'
    prefill_example = 'camille.martin@example.fr'
    input_type = "email"
    condition_operators = TEXT_OPERATORS

    def parse(self, raw, *, options):
        text = _first(raw)
        if not text:
            return StoredValue()
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(gettext("Saisissez une adresse électronique valide, par exemple : prenom.nom@exemple.fr.")) from None
        return StoredValue(value=text)


@register
class Phone(FieldType):
    key = "phone"
    label = "Téléphone"
    prefill_format = 'Un numéro de téléphone français (métropole ou outre-mer) ou international.'
    prefill_example = '01 23 45 67 89'
    input_type = "tel"
    condition_operators = TEXT_OPERATORS

    def parse(self, raw, *, options):
        text = _first(raw)
        if not text:
            return StoredValue()
        for region in OVERSEAS_REGIONS:
            try:
                number = phonenumbers.parse(text, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number):
                return StoredValue(value=text)
        raise ValidationError(gettext("Saisissez un numéro de téléphone valide, par exemple : 01 23 45 67 89 ou +33 1 23 45 67 89."))
