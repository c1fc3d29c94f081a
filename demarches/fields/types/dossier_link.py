"""Lien vers un autre dossier: the number of a dossier already deposited on the platform.

The dossier is looked up through the app registry (the dossiers app sits downstream of fields,
so fields does not import it). Only its existence is told to the usager; instructeurs who may
see the linked dossier get a link to it (instruction views).
"""

import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from ..registry import FieldType, StoredValue, register
from ._util import first

MAX_NUMBER = 2**63 - 1


def linked_dossier(number: int):
    Dossier = apps.get_model("dossiers", "Dossier")
    return Dossier.objects.filter(pk=number).exclude(state=Dossier.State.BROUILLON).only("pk", "state").first()


@register
class DossierLink(FieldType):
    key = "dossier_link"
    label = "Lien vers un autre dossier"
    prefill_format = "Le numéro d'un dossier déposé."
    prefill_example = '1234'
    template = "fields/widgets/dossier_link.html"
    details_template = "fields/widgets/details/dossier_link.html"
    input_type = "text"

    def parse(self, raw, *, options):
        text = first(raw)
        if not text:
            return StoredValue()
        compact = re.sub(r"^(n°|no|n)\s*", "", text.replace(" ", ""), flags=re.IGNORECASE)
        if not re.fullmatch(r"\d{1,19}", compact) or int(compact) > MAX_NUMBER or int(compact) == 0:
            raise ValidationError(gettext("Saisissez le numéro du dossier, en chiffres uniquement (par exemple : 1234)."))
        number = int(compact)
        if linked_dossier(number) is None:
            raise ValidationError(
                gettext("Aucun dossier déposé ne porte le numéro %(numero)s : vérifiez le numéro saisi.") % {"numero": number}
            )
        return StoredValue(value=str(number), data={"dossier_id": number})

    def display(self, stored):
        return gettext("Dossier n° %(numero)s") % {"numero": stored.value} if stored.value else ""

    def widget_context(self, *, options, stored):
        return {"dossier_id": (stored.data or {}).get("dossier_id") if isinstance(stored.data, dict) else None}
