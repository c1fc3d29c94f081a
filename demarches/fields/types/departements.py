from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from demarches.referentiels import selectors

from ..registry import FieldType, StoredValue, register
from ._util import GEO_OPERATORS, first


def label(departement) -> str:
    return f"{departement.code} – {departement.nom}"


@register
class Departements(FieldType):
    key = "departements"
    label = "Départements"
    prefill_format = 'Le code du département.'
    prefill_example = '21'
    template = "fields/widgets/referentiel_select.html"
    condition_operators = GEO_OPERATORS

    def parse(self, raw, *, options):
        text = first(raw)
        if not text:
            return StoredValue()
        code = text.split("–")[0].split(" ")[0].strip().upper()
        departement = selectors.departement_par_code(code[:3])
        if departement is None:
            departement = next((d for d in selectors.departements() if d.nom.casefold() == text.casefold()), None)
        if departement is None:
            raise ValidationError(gettext("Choisissez un département de la liste."))
        return StoredValue(
            value=departement.code,
            data={"code": departement.code, "nom": departement.nom, "region": departement.region_code},
        )

    def display(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return f"{stored.value} – {data['nom']}" if data.get("nom") else stored.value

    def condition_value(self, stored):
        if not stored.value:
            return None
        data = stored.data if isinstance(stored.data, dict) else {}
        return {"code": stored.value, "departement": stored.value, "region": data.get("region", "")}

    def widget_context(self, *, options, stored):
        return {"choices": [(d.code, label(d)) for d in selectors.departements()], "placeholder": "Choisissez un département"}
