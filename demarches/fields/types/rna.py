"""RNA: the number of an association in the Répertoire national des associations (« W » then 9
characters: digits, or 2A/2B for Corsica and letters for some overseas registries), then the
association fetched through the association adapter. Degraded mode as for the SIRET.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from demarches.referentiels import adapters

from ..registry import register
from ._lookup import RegistryLookupType
from ._util import address_line

DEGRADED_MESSAGE = gettext_noop(
    "Les informations de l'association n'ont pas pu être récupérées : le répertoire des associations ne répond pas "
    "pour le moment. Le numéro RNA est enregistré ; les informations seront recherchées de nouveau à votre "
    "prochaine modification."
)
_RNA = re.compile(r"W[0-9A-Z]{9}")


@register
class Rna(RegistryLookupType):
    key = "rna"
    label = "Numéro RNA (association)"
    prefill_format = "Un numéro RNA d'association (W suivi de 9 chiffres)."
    prefill_example = 'W751234567'
    template = "fields/widgets/rna.html"
    details_template = "fields/widgets/details/rna.html"
    data_key = "association"

    @staticmethod
    def number(text: str) -> str:
        compact = re.sub(r"\s", "", text or "").upper()
        if not _RNA.fullmatch(compact):
            raise ValidationError(gettext("Le numéro RNA commence par la lettre W suivie de 9 chiffres (par exemple : W751234567)."))
        return compact

    def lookup(self, number):
        return adapters.get("association").association(number)

    def not_found_message(self, number):
        return gettext("Aucune association ne correspond au numéro RNA %(numero)s : vérifiez le numéro saisi.") % {"numero": number}

    def display(self, stored):
        lines = [stored.value]
        data = stored.data if isinstance(stored.data, dict) else {}
        association = data.get("association")
        if association:
            lines.append(association["titre"])
            address = address_line(association)
            if address:
                lines.append(address)
            if association.get("objet"):
                lines.append(gettext("Objet : %(objet)s") % {"objet": association["objet"]})
        elif data.get("etat") == "indisponible":
            lines.append(gettext("Informations de l'association non disponibles (répertoire injoignable lors de la saisie)."))
        return "\n".join(lines)

    def widget_context(self, *, options, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return {
            "association": data.get("association"),
            "indisponible": data.get("etat") == "indisponible",
            "degraded_message": gettext(DEGRADED_MESSAGE),
        }
