from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from demarches.referentiels import selectors

from ..registry import FieldType, StoredValue, register
from ._util import first


@register
class Regions(FieldType):
    key = "regions"
    label = "Régions"
    prefill_format = 'Le code INSEE de la région.'
    prefill_example = '27'
    template = "fields/widgets/referentiel_select.html"
    condition_operators = ("eq", "not_eq", "in_region", "empty", "not_empty")

    def parse(self, raw, *, options):
        text = first(raw)
        if not text:
            return StoredValue()
        region = selectors.region_par_code(text[:3])
        if region is None:
            region = next((r for r in selectors.regions() if r.nom.casefold() == text.casefold()), None)
        if region is None:
            raise ValidationError(gettext("Choisissez une région de la liste."))
        return StoredValue(value=region.code, data={"code": region.code, "nom": region.nom})

    def display(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return data.get("nom") or stored.value

    def condition_value(self, stored):
        return {"code": stored.value, "region": stored.value} if stored.value else None

    def widget_context(self, *, options, stored):
        return {"choices": [(r.code, r.nom) for r in selectors.regions()], "placeholder": "Choisissez une région"}
