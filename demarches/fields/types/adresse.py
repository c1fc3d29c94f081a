"""Adresse: searched in the Base Adresse Nationale through the address adapter.

The widget is a text input with suggestions (/referentiels/adresses?q=). When the text is one of
the addresses found, the structured address is stored (street, postal code, commune and INSEE
code, département, région, coordinates); otherwise the text is kept as typed (free-text fallback,
for addresses the BAN does not know), and marked so. When the service is down, the text is kept
too (degraded mode) and looked up again on a later save.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.urls import reverse

from demarches.referentiels import adapters
from demarches.referentiels.normalisation import normaliser

from ..registry import FieldType, StoredValue, register
from ._util import GEO_OPERATORS, clean, now_iso, retry_due

MAX_LENGTH = 300


@register
class AdresseType(FieldType):
    key = "address"
    label = "Adresse"
    prefill_format = 'Une adresse complète : numéro, voie, code postal et commune.'
    prefill_example = '20 Avenue de Ségur 75007 Paris'
    template = "fields/widgets/adresse.html"
    details_template = "fields/widgets/details/adresse.html"
    condition_operators = GEO_OPERATORS

    def parse(self, raw, *, options):
        return self.parse_champ(raw, options=options)

    def parse_champ(self, raw, *, options, previous=None):
        text = re.sub(r"\s+", " ", clean(raw[0] if raw else ""))
        if not text:
            return StoredValue()
        if len(text) > MAX_LENGTH:
            raise ValidationError(gettext("L'adresse ne doit pas dépasser %(max)s caractères.") % {"max": MAX_LENGTH})
        if len(text) < 3:
            raise ValidationError(gettext("Saisissez une adresse complète : numéro, voie, code postal et commune."))
        if previous is not None and previous.value == text and isinstance(previous.data, dict):
            if previous.data.get("etat") != "indisponible" or not retry_due(previous.data):
                return previous
        try:
            found = adapters.get("adresse").rechercher(text, limit=5)
        except adapters.ServiceIndisponible:
            return StoredValue(value=text, data={"etat": "indisponible", "tente_le": now_iso()})
        wanted = normaliser(text)
        for adresse in found:
            if normaliser(adresse.label) == wanted:
                return StoredValue(value=adresse.label, data={"etat": "ok", "adresse": adresse.as_data()})
        return StoredValue(value=text, data={"etat": "non_trouvee"})

    def check(self, stored, *, options):
        if len(stored.value) > MAX_LENGTH or len(stored.value) < 3:
            self.parse([stored.value], options=options)

    def display(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        if data.get("etat") == "non_trouvee":
            return f"{stored.value} (adresse saisie librement, non trouvée dans la Base Adresse Nationale)"
        return stored.value

    def condition_value(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        adresse = data.get("adresse")
        if not adresse:
            return stored.value or None
        return {
            "code": adresse.get("code_insee", ""),
            "departement": adresse.get("departement", ""),
            "region": adresse.get("region", ""),
        }

    def widget_context(self, *, options, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return {
            "autocomplete_url": reverse("referentiels:adresses"),
            "adresse": data.get("adresse"),
            "etat": data.get("etat", ""),
        }
