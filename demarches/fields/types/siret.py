"""SIRET: 14 digits with a valid checksum, then the établissement fetched from the company registry.

Stored: value = the 14 digits; data = {"etat": "ok", "etablissement": {...}} once found, or
{"etat": "indisponible", "tente_le": ...} when the registry did not answer (degraded mode: the
number is kept, the details are looked up again on a later save).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from stdnum.fr import siret as stdnum_siret

from demarches.referentiels import adapters

from ..registry import register
from ._lookup import RegistryLookupType
from ._util import address_line

DEGRADED_MESSAGE = gettext_noop(
    "Les informations de l'établissement n'ont pas pu être récupérées : le service de l'INSEE ne répond pas "
    "pour le moment. Le numéro SIRET est enregistré ; les informations seront recherchées de nouveau "
    "à votre prochaine modification."
)


def format_siret(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}" if len(number) == 14 else number


@register
class Siret(RegistryLookupType):
    key = "siret"
    label = "SIRET"
    prefill_format = 'Un numéro SIRET de 14 chiffres.'
    prefill_example = '81234567600017'
    template = "fields/widgets/siret.html"
    details_template = "fields/widgets/details/siret.html"
    data_key = "etablissement"

    @staticmethod
    def number(text: str) -> str:
        compact = re.sub(r"[\s.\-]", "", text or "")
        if not re.fullmatch(r"\d{14}", compact):
            raise ValidationError(gettext("Le numéro SIRET doit comporter exactement 14 chiffres (par exemple : 130 025 265 00013)."))
        if not stdnum_siret.is_valid(compact):
            raise ValidationError(gettext("Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis (la clé de contrôle ne correspond pas)."))
        return compact

    def lookup(self, number):
        return adapters.get("entreprise").etablissement(number)

    def not_found_message(self, number):
        return gettext("Aucun établissement ne correspond au numéro SIRET %(numero)s : vérifiez le numéro saisi.") % {"numero": format_siret(number)}

    def display(self, stored):
        lines = [format_siret(stored.value)]
        data = stored.data if isinstance(stored.data, dict) else {}
        etab = data.get("etablissement")
        if etab:
            name = etab["raison_sociale"] + (f" ({etab['enseigne']})" if etab.get("enseigne") else "")
            lines.append(name)
            address = address_line(etab)
            if address:
                lines.append(address)
            if etab.get("libelle_forme_juridique"):
                lines.append(gettext("Forme juridique : %(forme)s") % {"forme": etab["libelle_forme_juridique"]})
            if etab.get("naf"):
                lines.append(gettext("Activité (NAF) : %(naf)s") % {"naf": etab["naf"]} + (f" – {etab['libelle_naf']}" if etab.get("libelle_naf") else ""))
            if not etab.get("actif", True):
                lines.append(gettext("Établissement fermé"))
        elif data.get("etat") == "indisponible":
            lines.append(gettext("Informations de l'établissement non disponibles (service de l'INSEE injoignable lors de la saisie)."))
        return "\n".join(lines)

    def widget_context(self, *, options, stored):
        data = stored.data if isinstance(stored.data, dict) else {}
        return {
            "etablissement": data.get("etablissement"),
            "indisponible": data.get("etat") == "indisponible",
            "degraded_message": gettext(DEGRADED_MESSAGE),
        }
