from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from demarches.referentiels import selectors

from ..registry import FieldType, StoredValue, register
from ._util import first


@register
class PaysType(FieldType):
    key = "pays"
    label = "Pays"
    prefill_format = 'Le code ISO 3166 du pays sur deux lettres.'
    prefill_example = 'FR'
    template = "fields/widgets/referentiel_select.html"

    def parse(self, raw, *, options):
        text = first(raw)
        if not text:
            return StoredValue()
        pays = selectors.pays_par_code(text.upper()) if len(text) == 2 else None
        pays = pays or selectors.pays_par_nom(text[:100])
        if pays is None:
            raise ValidationError(gettext("Choisissez un pays de la liste."))
        return StoredValue(value=pays.code, data={"code": pays.code, "nom": pays.nom})

    def display(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return data.get("nom") or stored.value

    def widget_context(self, *, options, stored):
        return {"choices": [(p.code, p.nom) for p in selectors.pays()], "placeholder": "Choisissez un pays"}
