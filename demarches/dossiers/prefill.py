"""Prefill (préremplissage): opening a démarche with values for some of its champs.

Two ways, one format (`champ_<stable_id>` → value, and `identite_nom`, `identite_prenom`,
`identite_civilite` for a démarche addressed to individuals; documented per démarche on its prefill
page):

- a link: /commencer/<path>?champ_12=…&champ_34=… — the values are checked, the valid ones kept in
  the session (`SESSION_KEY`) until the usager creates his draft, then written into it;
- the public API (prefill_api.py): the values are checked and a real brouillon is created at once,
  without owner (`prefilled`, `user` empty), reachable through a random `prefill_token`. The usager
  opening /preremplissage/<token> claims it once logged in and becomes its owner; a claimed dossier
  cannot be claimed by anybody else. Unclaimed drafts are purged after PURGE_DELAY by the hourly
  retention job (services_usager.retention_appliquer).

Values are checked with each type's own parsing (registry: prefill_raw, parse_champ); a value a
type refuses is left out with its French message. Files, layout and repetition blocks cannot be
prefilled.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.fields.registry import StoredValue

from .models import Champ, Dossier

PARAM_PREFIX = "champ_"
SESSION_KEY = "preremplissage:{procedure_id}"
SESSION_IDENTITE = "identite"
PURGE_DELAY = timedelta(days=5)  # an unclaimed prefilled draft, untouched that long, is deleted
IDENTITE = {"identite_civilite": "civilite", "identite_nom": "nom", "identite_prenom": "prenom"}
CIVILITES = ("M.", "Mme")
MAX_IDENTITE_LENGTH = 255
MAX_VALUES = 200
MAX_VALUE_LENGTH = 100_000
UNKNOWN_MESSAGE = "Ce champ n'existe pas dans la démarche ou ne peut pas être prérempli."


@dataclass
class Preremplissage:
    """Checked values: raw (parse() input) by stable_id, and the French refusal by parameter name."""

    valeurs: dict[int, list[str]] = field(default_factory=dict)
    erreurs: dict[str, str] = field(default_factory=dict)
    # The demandeur's identity ({"civilite": "Mme", "nom": …, "prenom": …}), individuals only.
    identite: dict[str, str] = field(default_factory=dict)

    def as_session(self) -> dict:
        stored: dict = {str(stable_id): raw for stable_id, raw in self.valeurs.items()}
        if self.identite:
            stored[SESSION_IDENTITE] = dict(self.identite)
        return stored

    def __bool__(self) -> bool:
        return bool(self.valeurs or self.identite)


def champs_preremplissables(revision) -> list:
    """The public champs of a revision that accept a prefill value, in form order."""
    return [tdc for tdc in revision.public_types_de_champ() if tdc.field_type.prefillable]


def documentation(procedure) -> list[dict]:
    """For the démarche's prefill page: each prefillable champ with its parameter, format and example."""
    result = []
    for tdc in champs_preremplissables(procedure.active_revision):
        format_text, example = tdc.field_type.prefill_doc(tdc.options or {})
        result.append({
            "parametre": f"{PARAM_PREFIX}{tdc.stable_id}",
            "libelle": tdc.libelle,
            "type": tdc.field_type.label,
            "obligatoire": tdc.mandatory,
            "format": format_text,
            "exemple": example,
        })
    return result


def documentation_identite(procedure) -> list[dict]:
    """The identity parameters (démarches addressed to individuals only)."""
    if not procedure.for_individual:
        return []
    return [
        {"parametre": "identite_civilite", "libelle": "Civilité du demandeur", "format": "« M. » ou « Mme ».", "exemple": "Mme"},
        {"parametre": "identite_nom", "libelle": "Nom du demandeur", "format": "Texte, 255 caractères au plus.", "exemple": "Dupont"},
        {"parametre": "identite_prenom", "libelle": "Prénom du demandeur", "format": "Texte, 255 caractères au plus.", "exemple": "Camille"},
    ]


def _identite_verifier(procedure, key: str, value) -> str:
    """The identity value to keep; ValidationError (French) when refused."""
    if not procedure.for_individual:
        raise ValidationError(
            "Cette démarche s'adresse aux personnes morales : l'identité d'une personne ne peut pas être préremplie."
        )
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError("La valeur doit être un texte.")
    text = str(value).strip()
    if IDENTITE[key] == "civilite":
        if text not in CIVILITES:
            raise ValidationError("La civilité doit être « M. » ou « Mme ».")
    elif len(text) > MAX_IDENTITE_LENGTH:
        raise ValidationError(f"Le texte doit faire {MAX_IDENTITE_LENGTH} caractères au plus.")
    return text


def _raw_length(raw: list[str]) -> int:
    return sum(len(item) for item in raw)


def valeurs_verifier(procedure, valeurs: dict) -> Preremplissage:
    """Check `valeurs` ({"champ_<stable_id>": value}) against the démarche's active revision.
    Other keys are ignored; a value refused by its type is left out with its message."""
    types = {f"{PARAM_PREFIX}{tdc.stable_id}": tdc for tdc in champs_preremplissables(procedure.active_revision)}
    result = Preremplissage()
    for key, value in list(valeurs.items())[: MAX_VALUES * 2]:
        if key in IDENTITE:
            try:
                text = _identite_verifier(procedure, key, value)
            except ValidationError as exc:
                result.erreurs[key] = exc.messages[0]
                continue
            if text:
                result.identite[IDENTITE[key]] = text
            continue
        if not isinstance(key, str) or not key.startswith(PARAM_PREFIX):
            continue
        tdc = types.get(key)
        if tdc is None:
            result.erreurs[key] = UNKNOWN_MESSAGE
            continue
        if len(result.valeurs) >= MAX_VALUES:
            result.erreurs[key] = f"Trop de valeurs : {MAX_VALUES} champs au plus peuvent être préremplis."
            continue
        raw = tdc.field_type.prefill_raw(value)
        if _raw_length(raw) > MAX_VALUE_LENGTH:
            result.erreurs[key] = "La valeur est trop longue pour être préremplie."
            continue
        try:
            stored = tdc.field_type.parse_champ(raw, options=tdc.options or {}, previous=None)
        except ValidationError as exc:
            result.erreurs[key] = exc.messages[0]
            continue
        if not tdc.field_type.is_empty(stored):
            result.valeurs[tdc.stable_id] = raw
    return result


def valeurs_de_la_requete(procedure, query) -> Preremplissage:
    """The champ_<id> parameters of a /commencer link (a QueryDict: a repeated parameter is a list)."""
    valeurs = {}
    for key in query:
        if key in IDENTITE:
            valeurs[key] = query.get(key)
        elif key.startswith(PARAM_PREFIX):
            items = query.getlist(key)
            valeurs[key] = items if len(items) > 1 else items[0]
    return valeurs_verifier(procedure, valeurs)


# --- Session (links) ------------------------------------------------------------------------


def session_garder(request, procedure, preremplissage: Preremplissage) -> None:
    key = SESSION_KEY.format(procedure_id=procedure.pk)
    if preremplissage:
        request.session[key] = preremplissage.as_session()
    else:
        request.session.pop(key, None)


def session_lire(request, procedure) -> Preremplissage:
    stored = request.session.get(SESSION_KEY.format(procedure_id=procedure.pk)) or {}
    valeurs = {int(stable_id): raw for stable_id, raw in stored.items() if str(stable_id).isdigit()}
    identite = stored.get(SESSION_IDENTITE) or {}
    return Preremplissage(valeurs=valeurs, identite={k: v for k, v in identite.items() if k in IDENTITE.values()})


def session_appliquer(request, *, procedure, dossier: Dossier) -> int:
    """After the draft was created from /commencer: write the values kept in the session, once."""
    preremplissage = session_lire(request, procedure)
    request.session.pop(SESSION_KEY.format(procedure_id=procedure.pk), None)
    if not preremplissage:
        return 0
    return dossier_preremplir(
        dossier=dossier, user=request.user, valeurs=preremplissage.valeurs, identite=preremplissage.identite
    )


# --- Writing --------------------------------------------------------------------------------------


@transaction.atomic
def dossier_preremplir(*, dossier: Dossier, user, valeurs: dict[int, list[str]], identite: dict | None = None) -> int:
    """Write prefill values into a brouillon of `user` (values are checked again: the revision may
    have changed since). Returns how many champs were filled."""
    if dossier.state != Dossier.State.BROUILLON or dossier.user_id != getattr(user, "pk", None):
        raise ValidationError(gettext("Seul le propriétaire d'un brouillon peut le préremplir."))
    filled = _remplir(dossier, valeurs, identite or {})
    if (filled or identite) and not dossier.prefilled:
        # Marked like the API's drafts (GraphQL Dossier.prefilled), without token: it already has its owner.
        dossier.prefilled = True
        dossier.save(update_fields=["prefilled", "updated_at"])
    return filled


def _remplir(dossier: Dossier, valeurs: dict[int, list[str]], identite: dict) -> int:
    types = {tdc.stable_id: tdc for tdc in champs_preremplissables(dossier.revision)}
    filled = 0
    for stable_id, raw in valeurs.items():
        tdc = types.get(stable_id)
        if tdc is None:
            continue
        try:
            stored = tdc.field_type.parse_champ(list(raw), options=tdc.options or {}, previous=None)
        except ValidationError:
            continue
        if tdc.field_type.is_empty(stored):
            continue
        _ecrire(dossier, tdc, stored)
        filled += 1
    fields = []
    if identite and dossier.procedure.for_individual:
        for attribute in IDENTITE.values():
            if identite.get(attribute):
                setattr(dossier, attribute, identite[attribute])
                fields.append(attribute)
    if filled:
        dossier.last_champ_updated_at = timezone.now()
        fields.append("last_champ_updated_at")
    if fields:
        dossier.save(update_fields=[*fields, "updated_at"])
    return filled


def _ecrire(dossier: Dossier, tdc, stored: StoredValue) -> None:
    Champ.objects.update_or_create(
        dossier=dossier, stable_id=tdc.stable_id, row_id="",
        defaults={"type_de_champ": tdc, "value": stored.value, "data": stored.data, "prefilled": True},
    )


# --- Prefilled drafts of the public API ----------------------------------------------------------


@transaction.atomic
def dossier_prerempli_creer(*, procedure, preremplissage: Preremplissage) -> Dossier:
    """A brouillon without owner holding the checked values, claimed later through its prefill_token.
    No expiry date until claimed: unclaimed drafts follow PURGE_DELAY instead."""
    if not can_preremplir(procedure):
        raise ValidationError(gettext("Cette démarche n'accepte pas de nouveaux dossiers."))
    dossier = Dossier.objects.create(
        procedure=procedure,
        revision=procedure.active_revision,
        user=None,
        groupe_instructeur=procedure.default_groupe,
        prefilled=True,
        prefill_token=secrets.token_urlsafe(32),
    )
    _remplir(dossier, preremplissage.valeurs, preremplissage.identite)
    operation_enregistrer(
        operation=OperationLog.Operation.DOSSIER_CREER, automatic=True, dossier=dossier,
        data={"prerempli": True, "champs": len(preremplissage.valeurs)},
    )
    return dossier


def dossier_par_jeton(token: str) -> Dossier | None:
    if not token or len(token) > 64:
        return None
    return Dossier.objects.select_related("procedure", "procedure__service").filter(
        prefilled=True, prefill_token=token
    ).first()


def est_orphelin(dossier: Dossier) -> bool:
    return dossier.prefilled and dossier.user_id is None and dossier.state == Dossier.State.BROUILLON


def can_reclamer(user, dossier: Dossier) -> bool:
    """Any logged-in person holding the link may claim a prefilled draft nobody claimed yet."""
    return bool(getattr(user, "is_authenticated", False)) and est_orphelin(dossier) and dossier.procedure.accepts_dossiers


@transaction.atomic
def dossier_prerempli_reclamer(*, dossier: Dossier, user) -> Dossier:
    """The usager who opened the link becomes the owner of the prefilled draft (once, first come)."""
    dossier = Dossier.objects.select_for_update().select_related("procedure").get(pk=dossier.pk)
    if dossier.user_id is not None:
        raise PermissionDenied("Ce dossier prérempli a déjà été repris par un autre compte.")
    if not can_reclamer(user, dossier):
        raise ValidationError(gettext("Cette démarche n'accepte plus de nouveaux dossiers."))
    dossier.user = user
    dossier.expire_at = timezone.now() + timedelta(days=30 * dossier.procedure.duree_conservation_dossiers)
    dossier.save(update_fields=["user", "expire_at", "updated_at"])
    operation_enregistrer(
        operation=OperationLog.Operation.DOSSIER_CREER, actor=user, dossier=dossier, data={"prerempli": True, "repris": True}
    )
    from . import notifications

    notifications.brouillon_cree(dossier)
    return dossier


def etat_prerempli(dossier: Dossier) -> str:
    """`dossier_prefill_state` of the API: "prefilled" until claimed, then the dossier's state."""
    return "prefilled" if est_orphelin(dossier) else dossier.state


def dossiers_preremplis_purger(*, now=None) -> int:
    """Delete the prefilled drafts nobody claimed, untouched for PURGE_DELAY (idempotent)."""
    from .models import DossierSupprime
    from .services_usager import _dossier_detruire

    limit = (now or timezone.now()) - PURGE_DELAY
    abandoned = Dossier.objects.filter(
        prefilled=True, user__isnull=True, state=Dossier.State.BROUILLON, updated_at__lte=limit
    )
    count = 0
    for pk in list(abandoned.values_list("pk", flat=True)):
        with transaction.atomic():
            dossier = abandoned.select_for_update().filter(pk=pk).first()
            if dossier is None:
                continue
            _dossier_detruire(dossier, reason=DossierSupprime.Reason.PREREMPLI_ABANDONNE)
            count += 1
    return count


# --- Policies and the /commencer page ---------------------------------------------------------


def can_voir_documentation(user, procedure) -> bool:
    """The prefill page of a démarche: public once published; its administrateurs see it before."""
    from demarches.procedures.models import Procedure
    from demarches.procedures.policies import can_administer

    return procedure.state == Procedure.State.PUBLIEE or can_administer(user, procedure)


def can_preremplir(procedure) -> bool:
    """The public API creates prefilled drafts only for a published démarche open to new dossiers."""
    from demarches.procedures.models import Procedure

    return procedure.state == Procedure.State.PUBLIEE and procedure.accepts_dossiers


def commencer_preparer(request, procedure) -> Preremplissage | None:
    """On GET /commencer/…: the link's champ_<id> (and identite_*) values are checked and kept in the session (they
    survive the detour through the login page); without any, what the session already holds."""
    if any(key.startswith(PARAM_PREFIX) or key in IDENTITE for key in request.GET):
        preremplissage = valeurs_de_la_requete(procedure, request.GET)
        session_garder(request, procedure, preremplissage)
        return preremplissage
    preremplissage = session_lire(request, procedure)
    return preremplissage if preremplissage else None


def libelles(procedure, preremplissage: Preremplissage) -> dict:
    """What the notice on /commencer lists: the libellés of the prefilled champs and of the refused ones."""
    types = {tdc.stable_id: tdc for tdc in procedure.active_revision.public_types_de_champ()}
    remplis = [types[stable_id].libelle for stable_id in preremplissage.valeurs if stable_id in types]
    if preremplissage.identite:
        remplis.insert(0, "Identité du demandeur")
    refuses = []
    for key, message in preremplissage.erreurs.items():
        stable_id = key[len(PARAM_PREFIX):]
        tdc = types.get(int(stable_id)) if stable_id.isdigit() else None
        libelle = tdc.libelle if tdc else next(
            (row["libelle"] for row in documentation_identite(procedure) if row["parametre"] == key), key
        )
        refuses.append({"champ": libelle, "message": message})
    return {"remplis": remplis, "refuses": refuses}
