"""EPCI: the usager chooses a département, then one of the EPCI with communes in it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.urls import reverse

from demarches.referentiels import selectors

from ..registry import FieldType, StoredValue, register
from ._util import clean
from .departements import label as departement_label


@register
class EpciType(FieldType):
    key = "epci"
    label = "EPCI"
    prefill_format = "Deux valeurs : le code du département puis le code SIREN de l'EPCI (dans un lien, répétez le paramètre : ?champ_1=21&champ_1=242100410)."
    prefill_example = '["21", "242100410"]'
    template = "fields/widgets/epci.html"
    condition_operators = ("eq", "not_eq", "in_departement", "empty", "not_empty")

    def raw_from_post(self, posted, name):
        return [posted.get(f"{name}-departement", ""), posted.get(name, "")]

    def parse(self, raw, *, options):
        departement_code = clean(raw[0] if raw else "")[:3]
        code = clean(raw[1] if len(raw) > 1 else "")[:9]
        if not departement_code and not code:
            return StoredValue()
        departement = selectors.departement_par_code(departement_code) if departement_code else None
        if departement_code and departement is None:
            raise ValidationError(gettext("Choisissez un département de la liste."))
        if not code:
            return StoredValue(data={"departement": departement_code})
        epci = selectors.epci_par_code(code)
        if epci is None:
            raise ValidationError(gettext("Choisissez un EPCI de la liste."))
        departements = list(epci.departements.values_list("departement_code", flat=True))
        if departement_code and departement_code not in departements:
            # The département was changed after the EPCI was chosen: choose the EPCI again.
            return StoredValue(data={"departement": departement_code})
        return StoredValue(
            value=epci.code,
            data={"code": epci.code, "nom": epci.nom, "departement": departement_code or (departements or [""])[0]},
        )

    def is_empty(self, stored):
        return not stored.value

    def raw(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return [data.get("departement", ""), stored.value]

    def keep_invalid(self, raw):
        return StoredValue(value="", data={"departement": clean(raw[0] if raw else "")[:3]})

    def display(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return data.get("nom") or stored.value

    def initial(self, stored):
        return stored.value

    def condition_value(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return {"code": stored.value, "departement": data.get("departement", "")} if stored.value else None

    def widget_context(self, *, options, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        departement = data.get("departement", "")
        return {
            "departements": [(d.code, departement_label(d)) for d in selectors.departements()],
            "departement": departement,
            "epcis": [(e.code, e.nom) for e in selectors.epci_du_departement(departement)] if departement else [],
            "options_url": reverse("referentiels:epci"),
        }
