import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from ..registry import FieldType, StoredValue, register
from ._util import first, group_digits


@register
class Iban(FieldType):
    key = "iban"
    label = "IBAN"
    prefill_format = 'Un IBAN, avec ou sans espaces.'
    prefill_example = 'FR76 3000 6000 0112 3456 7890 189'
    template = "fields/widgets/iban.html"

    def parse(self, raw, *, options):
        text = first(raw)
        if not text:
            return StoredValue()
        compact = stdnum_iban.compact(text[:100])
        if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", compact):
            raise ValidationError(gettext("Saisissez un IBAN valide, par exemple : FR76 3000 6000 0112 3456 7890 189."))
        try:
            value = stdnum_iban.validate(compact)
        except InvalidChecksum:
            raise ValidationError(gettext("Cet IBAN n'est pas valide : la clé de contrôle ne correspond pas. Vérifiez les caractères saisis.")) from None
        except InvalidLength:
            raise ValidationError(gettext("Cet IBAN n'a pas le bon nombre de caractères pour son pays (27 pour un IBAN français).")) from None
        except (InvalidFormat, InvalidComponent, StdnumError):
            raise ValidationError(gettext("Saisissez un IBAN valide, par exemple : FR76 3000 6000 0112 3456 7890 189.")) from None
        return StoredValue(value=value)

    def display(self, stored):
        return group_digits(stored.value, 4)

    def initial(self, stored):
        return group_digits(stored.value, 4)
