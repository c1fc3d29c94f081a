"""Who files the dossier: a personne physique (civilité, nom, prénom) or a personne morale (SIRET).

For a personne morale, the établissement's details come from the company registry adapter
(referentiels.adapters, kind « entreprise »). When the registry does not answer, the SIRET is kept
and the dossier goes on in a degraded mode (etablissement = {"etat": "indisponible"}); the details are
looked up again at the deposit.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from demarches.audit.services import operation_enregistrer
from demarches.fields.types._util import now_iso
from demarches.fields.types.siret import Siret, format_siret
from demarches.referentiels import adapters

from . import policies
from .models import Dossier


class Operation:
    DEMANDEUR_ENREGISTRER = "demandeur_enregistrer"


@dataclass(frozen=True)
class RechercheSiret:
    siret: str
    etablissement: dict | None  # Etablissement.as_data() when found
    indisponible: bool  # the registry did not answer: degraded mode

    @property
    def stored(self) -> dict:
        if self.indisponible:
            return {"etat": "indisponible", "tente_le": now_iso()}
        return {"etat": "ok", "etablissement": self.etablissement}


def siret_normaliser(text: str) -> str:
    """14 digits with a valid checksum (python-stdnum), or ValidationError with a French message."""
    return Siret.number((text or "").strip()[:100])


def siret_rechercher(siret: str) -> RechercheSiret:
    """Ask the company registry. ValidationError when the number is invalid or unknown."""
    number = siret_normaliser(siret)
    try:
        found = adapters.get("entreprise").etablissement(number)
    except adapters.ServiceIndisponible:
        return RechercheSiret(siret=number, etablissement=None, indisponible=True)
    if found is None:
        raise ValidationError(
            f"Aucun établissement ne correspond au numéro SIRET {format_siret(number)} : vérifiez le numéro saisi."
        )
    return RechercheSiret(siret=number, etablissement=found.as_data(), indisponible=False)


def _require_editable(dossier: Dossier, user):
    if not policies.can_edit_as_usager(user, dossier):
        raise PermissionDenied("Ce dossier ne peut plus être modifié.")


@transaction.atomic
def dossier_etablissement_enregistrer(*, dossier: Dossier, user, siret: str) -> Dossier:
    """« Continuer avec ces informations »: the établissement becomes the dossier's demandeur."""
    _require_editable(dossier, user)
    if dossier.procedure.for_individual:
        raise ValidationError("Cette démarche est destinée aux particuliers : elle ne demande pas de numéro SIRET.")
    recherche = siret_rechercher(siret)
    dossier.siret = recherche.siret
    dossier.etablissement = recherche.stored
    dossier.save(update_fields=["siret", "etablissement", "updated_at"])
    operation_enregistrer(
        operation=Operation.DEMANDEUR_ENREGISTRER, actor=user, dossier=dossier,
        data={"siret": recherche.siret, "etat": dossier.etablissement["etat"]},
    )
    return dossier


def etablissement_actualiser(dossier: Dossier) -> Dossier:
    """Degraded mode: look the établissement up again (at the deposit). Never fails: a registry still
    down leaves the dossier as it was."""
    if not dossier.etablissement_indisponible:
        return dossier
    try:
        recherche = siret_rechercher(dossier.siret)
    except ValidationError:
        return dossier
    if recherche.indisponible:
        return dossier
    dossier.etablissement = recherche.stored
    Dossier.objects.filter(pk=dossier.pk).update(etablissement=dossier.etablissement)
    return dossier


def identite_manquante(dossier: Dossier) -> str:
    """Why the deposit cannot happen yet because of the identity step ("" when complete)."""
    if dossier.procedure.for_individual:
        if not (dossier.nom and dossier.prenom):
            return "Renseignez votre identité (nom et prénom) avant de déposer le dossier."
        if dossier.procedure.demander_date_naissance and not dossier.date_naissance:
            return "Renseignez votre date de naissance avant de déposer le dossier."
    elif not dossier.siret:
        return "Renseignez le numéro SIRET de votre établissement avant de déposer le dossier."
    return ""
