"""Communes: one commune of the official geography, with the postal code the usager chose.

The widget is a text input with suggestions (/referentiels/communes?q=); without JavaScript the
usager types « Nom (code postal) », a postal code or a name, and the server resolves it or says
precisely what is missing.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.urls import reverse

from demarches.referentiels import selectors

from ..registry import FieldType, StoredValue, register
from ._util import GEO_OPERATORS, first

_NOM_ET_CODE_POSTAL = re.compile(r"^(?P<nom>.+?)\s*\((?P<cp>\d{5})\)$")
_CODE_POSTAL = re.compile(r"^\d{5}$")


def _stored(commune) -> StoredValue:
    return StoredValue(value=commune.label, data=commune.as_data())


@register
class Communes(FieldType):
    key = "communes"
    label = "Communes"
    prefill_format = 'Le nom de la commune suivi de son code postal entre parenthèses, ou un code postal propre à une seule commune.'
    prefill_example = 'Dijon (21000)'
    template = "fields/widgets/communes.html"
    condition_operators = GEO_OPERATORS

    def parse(self, raw, *, options):
        text = re.sub(r"\s+", " ", first(raw))
        if not text:
            return StoredValue()
        if len(text) > 200:
            raise ValidationError(gettext("Saisissez le nom de la commune ou son code postal (200 caractères au maximum)."))
        match = _NOM_ET_CODE_POSTAL.match(text)
        if match:
            commune = selectors.commune_par_nom_et_code_postal(match["nom"], match["cp"])
            if commune is None:
                raise ValidationError(
                    f"Aucune commune « {match['nom']} » n'a le code postal {match['cp']} : choisissez une des communes proposées."
                )
            return _stored(commune)
        if _CODE_POSTAL.match(text):
            communes = selectors.communes_du_code_postal(text)
            if not communes:
                raise ValidationError(gettext("Aucune commune n'a le code postal %(code)s : vérifiez-le.") % {"code": text})
            if len(communes) > 1:
                raise ValidationError(
                    f"Plusieurs communes ont le code postal {text} : précisez laquelle, par exemple « {communes[0].label} »."
                )
            return _stored(communes[0])
        candidates = selectors.communes_du_nom(text)
        if not candidates:
            raise ValidationError(
                f"Aucune commune ne s'appelle « {text} » : tapez le début de son nom ou son code postal, puis choisissez-la dans la liste."
            )
        if len(candidates) > 1:
            example = candidates[0]
            raise ValidationError(
                f"Plusieurs communes s'appellent « {example.nom} » : précisez le code postal, "
                f"par exemple « {example.nom} ({(example.codes_postaux or [''])[0]}) »."
            )
        commune = candidates[0]
        if len(commune.codes_postaux) > 1:
            raise ValidationError(
                f"La commune « {commune.nom} » a plusieurs codes postaux : précisez le vôtre, "
                f"par exemple « {commune.nom} ({commune.codes_postaux[0]}) »."
            )
        code_postal = commune.codes_postaux[0] if commune.codes_postaux else ""
        return _stored(selectors.CommuneTrouvee(
            code_insee=commune.code_insee, nom=commune.nom, code_postal=code_postal,
            departement=commune.departement_code, region=commune.region_code,
        ))

    def condition_value(self, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        if not data.get("code_insee"):
            return None
        return {"code": data["code_insee"], "departement": data.get("departement", ""), "region": data.get("region", "")}

    def widget_context(self, *, options, stored):
        return {"autocomplete_url": reverse("referentiels:communes")}
