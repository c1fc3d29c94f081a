"""Prefill (préremplissage): opening a démarche with values for some of its champs.

Two ways, one format (`champ_<stable_id>` → value, documented per démarche on its prefill page):

- a link: /commencer/<path>?champ_12=…&champ_34=… — the values are checked, the valid ones kept in
  the session (`SESSION_KEY`) until the usager creates his draft, then written into it;
- the public API (prefill_api.py): the values are checked and sealed into a signed token; the
  usager opens /preremplissage/<token>, logs in, and the draft is created with them.

Values are checked with each type's own parsing (registry: prefill_raw, parse_champ); a value a
type refuses is left out with its French message. Files, layout and repetition blocks cannot be
prefilled.
"""

from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from demarches.fields.registry import StoredValue

from .models import Champ, Dossier

PARAM_PREFIX = "champ_"
SESSION_KEY = "preremplissage:{procedure_id}"
TOKEN_SALT = "demarches.dossiers.prefill"
TOKEN_MAX_AGE = 30 * 24 * 3600  # a prefilled link stays valid 30 days
MAX_VALUES = 200
MAX_VALUE_LENGTH = 100_000
UNKNOWN_MESSAGE = "Ce champ n'existe pas dans la démarche ou ne peut pas être prérempli."


@dataclass
class Preremplissage:
    """Checked values: raw (parse() input) by stable_id, and the French refusal by parameter name."""

    valeurs: dict[int, list[str]] = field(default_factory=dict)
    erreurs: dict[str, str] = field(default_factory=dict)

    def as_session(self) -> dict[str, list[str]]:
        return {str(stable_id): raw for stable_id, raw in self.valeurs.items()}


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


def _raw_length(raw: list[str]) -> int:
    return sum(len(item) for item in raw)


def valeurs_verifier(procedure, valeurs: dict) -> Preremplissage:
    """Check `valeurs` ({"champ_<stable_id>": value}) against the démarche's active revision.
    Other keys are ignored; a value refused by its type is left out with its message."""
    types = {f"{PARAM_PREFIX}{tdc.stable_id}": tdc for tdc in champs_preremplissables(procedure.active_revision)}
    result = Preremplissage()
    for key, value in list(valeurs.items())[: MAX_VALUES * 2]:
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
        if key.startswith(PARAM_PREFIX):
            items = query.getlist(key)
            valeurs[key] = items if len(items) > 1 else items[0]
    return valeurs_verifier(procedure, valeurs)


# --- Session (links) ------------------------------------------------------------------------


def session_garder(request, procedure, preremplissage: Preremplissage) -> None:
    key = SESSION_KEY.format(procedure_id=procedure.pk)
    if preremplissage.valeurs:
        request.session[key] = preremplissage.as_session()
    else:
        request.session.pop(key, None)


def session_valeurs(request, procedure) -> dict[int, list[str]]:
    stored = request.session.get(SESSION_KEY.format(procedure_id=procedure.pk)) or {}
    return {int(stable_id): raw for stable_id, raw in stored.items() if str(stable_id).isdigit()}


def session_appliquer(request, *, procedure, dossier: Dossier) -> int:
    """After the draft was created from /commencer: write the values kept in the session, once."""
    valeurs = session_valeurs(request, procedure)
    request.session.pop(SESSION_KEY.format(procedure_id=procedure.pk), None)
    if not valeurs:
        return 0
    return dossier_preremplir(dossier=dossier, user=request.user, valeurs=valeurs)


# --- Signed tokens (public API) ---------------------------------------------------------------


def jeton_creer(procedure, preremplissage: Preremplissage) -> str:
    payload = {"p": procedure.pk, "v": preremplissage.as_session(), "t": timezone.now().isoformat(timespec="seconds")}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def jeton_lire(token: str) -> tuple[int, dict[int, list[str]]]:
    """(procedure id, values); signing.BadSignature (or SignatureExpired) when invalid or too old."""
    payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    valeurs = {int(k): [str(item) for item in v] for k, v in (payload.get("v") or {}).items() if str(k).isdigit()}
    return int(payload["p"]), valeurs


# --- Writing --------------------------------------------------------------------------------------


@transaction.atomic
def dossier_preremplir(*, dossier: Dossier, user, valeurs: dict[int, list[str]]) -> int:
    """Write prefill values into a brouillon of `user` (values are checked again: the revision may
    have changed since). Returns how many champs were filled."""
    if dossier.state != Dossier.State.BROUILLON or dossier.user_id != getattr(user, "pk", None):
        raise ValidationError("Seul le propriétaire d'un brouillon peut le préremplir.")
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
    if filled:
        dossier.last_champ_updated_at = timezone.now()
        dossier.save(update_fields=["last_champ_updated_at", "updated_at"])
    return filled


def _ecrire(dossier: Dossier, tdc, stored: StoredValue) -> None:
    Champ.objects.update_or_create(
        dossier=dossier, stable_id=tdc.stable_id, row_id="",
        defaults={"type_de_champ": tdc, "value": stored.value, "data": stored.data},
    )


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
    """On GET /commencer/…: the link's champ_<id> values are checked and kept in the session (they
    survive the detour through the login page); without any, what the session already holds."""
    if any(key.startswith(PARAM_PREFIX) for key in request.GET):
        preremplissage = valeurs_de_la_requete(procedure, request.GET)
        session_garder(request, procedure, preremplissage)
        return preremplissage
    valeurs = session_valeurs(request, procedure)
    return Preremplissage(valeurs=valeurs) if valeurs else None


def libelles(procedure, preremplissage: Preremplissage) -> dict:
    """What the notice on /commencer lists: the libellés of the prefilled champs and of the refused ones."""
    types = {tdc.stable_id: tdc for tdc in procedure.active_revision.public_types_de_champ()}
    remplis = [types[stable_id].libelle for stable_id in preremplissage.valeurs if stable_id in types]
    refuses = []
    for key, message in preremplissage.erreurs.items():
        stable_id = key[len(PARAM_PREFIX):]
        tdc = types.get(int(stable_id)) if stable_id.isdigit() else None
        refuses.append({"champ": tdc.libelle if tdc else key, "message": message})
    return {"remplis": remplis, "refuses": refuses}
