"""Groupes d'instructeurs and routing (« routage »).

Every démarche has at least one groupe (the first one, « défaut »). An administrateur may add
groupes, rename them, close them (a closed groupe keeps its dossiers but receives no new ones) and
delete an empty one, never the last. Routing: the usager's answer to one « choix simple » champ of
the démarche chooses the groupe (each option maps to at most one groupe); it is applied when the
dossier is deposited (`groupe_de_routage`, called by transitions.passer_en_construction) and again
when the usager deposits modifications of a dossier en construction (`dossier_rerouter`, called by
dossiers/services_modification.py), unless an instructeur chose its groupe by hand. An instructeur
of a dossier may move it to another open groupe (`dossier_changer_groupe_instructeur`).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.core.emails import email_envoyer
from demarches.fields.types.choice import option_values

from . import policies
from .models import GroupeInstructeur, Procedure, TypeDeChamp

ROUTING_TYPE = "drop_down_list"
LABEL_MAX = 255
# Audit operations (plain values until the audit app lists them as choices).
OPERATION_GROUPE_CHANGER = "dossier_changer_groupe"


def _require_admin(procedure: Procedure, administrateur) -> None:
    if not policies.can_administer(administrateur.user, procedure):
        raise PermissionDenied("Vous n'administrez pas cette démarche.")


def _log(procedure: Procedure, administrateur, action: str, **data) -> None:
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": action, **data},
    )


def _clean_label(procedure: Procedure, label: str, *, exclude_pk: int | None = None) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError({"label": "Indiquez le nom du groupe."})
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": f"Le nom du groupe ne doit pas dépasser {LABEL_MAX} caractères."})
    others = procedure.groupes_instructeurs.filter(label__iexact=label)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"label": f"Un groupe nommé « {label} » existe déjà sur cette démarche."})
    return label


def _locked_procedure(procedure: Procedure) -> Procedure:
    # Serialises changes to the groupes of one démarche (last groupe, last open groupe).
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


# --- Groupes ------------------------------------------------------------------------------------


@transaction.atomic
def groupe_instructeur_creer(*, procedure: Procedure, administrateur, label: str, closed: bool = False) -> GroupeInstructeur:
    _require_admin(procedure, administrateur)
    _locked_procedure(procedure)
    label = _clean_label(procedure, label)
    groupe = GroupeInstructeur.objects.create(procedure=procedure, label=label, closed=bool(closed))
    _log(procedure, administrateur, "groupe_instructeur_creer", groupe=groupe.pk, label=label, closed=groupe.closed)
    return groupe


@transaction.atomic
def groupe_instructeur_modifier(
    *, groupe: GroupeInstructeur, administrateur, label: str | None = None, closed: bool | None = None
) -> GroupeInstructeur:
    procedure = groupe.procedure
    _require_admin(procedure, administrateur)
    _locked_procedure(procedure)
    groupe = GroupeInstructeur.objects.get(pk=groupe.pk)
    changes = {}
    if label is not None:
        label = _clean_label(procedure, label, exclude_pk=groupe.pk)
        if label != groupe.label:
            changes["label"] = (groupe.label, label)
            groupe.label = label
    if closed is not None and bool(closed) != groupe.closed:
        if closed and not procedure.groupes_instructeurs.filter(closed=False).exclude(pk=groupe.pk).exists():
            raise ValidationError(
                {"closed": "Au moins un groupe doit rester ouvert pour recevoir les nouveaux dossiers."}
            )
        changes["closed"] = (groupe.closed, bool(closed))
        groupe.closed = bool(closed)
    if changes:
        groupe.save(update_fields=["label", "closed"])
        _log(procedure, administrateur, "groupe_instructeur_modifier", groupe=groupe.pk,
             changes={key: list(value) for key, value in changes.items()})
    return groupe


@transaction.atomic
def groupe_instructeur_supprimer(*, groupe: GroupeInstructeur, administrateur) -> None:
    procedure = groupe.procedure
    _require_admin(procedure, administrateur)
    _locked_procedure(procedure)
    if procedure.groupes_instructeurs.count() <= 1:
        raise ValidationError("Une démarche garde toujours au moins un groupe d'instructeurs.")
    if groupe.dossiers.exists():
        raise ValidationError(
            f"Le groupe « {groupe.label} » a des dossiers : changez-les de groupe ou fermez-le plutôt que de le supprimer."
        )
    if not procedure.groupes_instructeurs.filter(closed=False).exclude(pk=groupe.pk).exists():
        raise ValidationError("Au moins un groupe doit rester ouvert pour recevoir les nouveaux dossiers.")
    _log(procedure, administrateur, "groupe_instructeur_supprimer", groupe=groupe.pk, label=groupe.label)
    groupe.delete()


# --- Routage ------------------------------------------------------------------------------------


def champs_de_routage(procedure: Procedure) -> list[TypeDeChamp]:
    """The « choix simple » champs of the draft revision (outside repetition blocks) that may route."""
    if procedure.draft_revision_id is None:
        return []
    return list(
        procedure.draft_revision.types_de_champ.filter(type_champ=ROUTING_TYPE, private=False, parent__isnull=True)
        .order_by("position", "id")
    )


def champ_de_routage(procedure: Procedure) -> TypeDeChamp | None:
    if procedure.routing_stable_id is None:
        return None
    for tdc in champs_de_routage(procedure):
        if tdc.stable_id == procedure.routing_stable_id:
            return tdc
    return None


@transaction.atomic
def routage_definir(*, procedure: Procedure, administrateur, stable_id: int | None, regles: dict[str, int | None]) -> None:
    """Choose the routing champ (None: no routing) and which groupe each of its options sends dossiers to.

    `regles` maps an option of the champ to a groupe pk of the démarche (None: no rule, the dossier
    goes to the default groupe).
    """
    _require_admin(procedure, administrateur)
    procedure = _locked_procedure(procedure)
    groupes = {groupe.pk: groupe for groupe in procedure.groupes_instructeurs.all()}
    values_by_groupe: dict[int, list[str]] = {pk: [] for pk in groupes}
    if stable_id is not None:
        tdc = next((t for t in champs_de_routage(procedure) if t.stable_id == stable_id), None)
        if tdc is None:
            raise ValidationError({"stable_id": "Choisissez un champ « choix simple » du formulaire."})
        options = option_values(tdc.options)
        for option, groupe_pk in (regles or {}).items():
            if option not in options:
                raise ValidationError({"regles": f"« {option} » n'est pas une option du champ « {tdc.libelle} »."})
            if groupe_pk in (None, ""):
                continue
            if int(groupe_pk) not in groupes:
                raise ValidationError({"regles": "Ce groupe d'instructeurs n'appartient pas à cette démarche."})
            values_by_groupe[int(groupe_pk)].append(option)
    for pk, groupe in groupes.items():
        if groupe.routing_values != values_by_groupe[pk]:
            groupe.routing_values = values_by_groupe[pk]
            groupe.save(update_fields=["routing_values"])
    procedure.routing_stable_id = stable_id
    procedure.save(update_fields=["routing_stable_id"])
    _log(procedure, administrateur, "routage_definir", stable_id=stable_id,
         regles={str(pk): values for pk, values in values_by_groupe.items() if values})


def groupe_de_routage(dossier) -> GroupeInstructeur:
    """The groupe a dossier being deposited goes to.

    The open groupe whose routing values contain the usager's answer to the routing champ; otherwise
    the default groupe if open, otherwise the first open groupe (a démarche keeps one open).
    """
    procedure = dossier.procedure
    groupes = list(procedure.groupes_instructeurs.order_by("id"))
    ouverts = [groupe for groupe in groupes if not groupe.closed]
    if procedure.routing_stable_id is not None:
        champ = dossier.champs.filter(stable_id=procedure.routing_stable_id, row_id="").only("value").first()
        answer = champ.value if champ is not None else ""
        if answer:
            for groupe in ouverts:
                if answer in (groupe.routing_values or []):
                    return groupe
    if groupes and not groupes[0].closed:
        return groupes[0]
    return ouverts[0] if ouverts else groupes[0]


# --- Changer de groupe --------------------------------------------------------------------------


def groupes_destination(dossier) -> list[GroupeInstructeur]:
    """The open groupes of the dossier's démarche it may move to."""
    return list(
        GroupeInstructeur.objects.filter(procedure_id=dossier.procedure_id, closed=False)
        .exclude(pk=dossier.groupe_instructeur_id).order_by("label")
    )


def can_changer_groupe(user, dossier) -> bool:
    """An instructeur of the dossier (or an administrateur of the démarche), en construction or en instruction."""
    from demarches.dossiers.models import Dossier
    from demarches.dossiers.transitions import is_instructeur_of

    if dossier.state not in (Dossier.State.EN_CONSTRUCTION, Dossier.State.EN_INSTRUCTION):
        return False
    return is_instructeur_of(user, dossier) or policies.can_administer(user, dossier.procedure)


@transaction.atomic
def dossier_changer_groupe_instructeur(*, dossier, user, groupe: GroupeInstructeur):
    """Move a dossier to another open groupe of its démarche.

    Followers who are not in the new groupe stop following it; the instructeurs of the new groupe
    are told by e-mail; the change is in the audit log.
    """
    from demarches.dossiers.models import Dossier, Follow

    dossier = (
        Dossier.objects.select_for_update(of=("self",)).select_related("procedure", "groupe_instructeur").get(pk=dossier.pk)
    )
    if not can_changer_groupe(user, dossier):
        raise PermissionDenied("Seul un instructeur du dossier peut le changer de groupe, en construction ou en instruction.")
    if groupe.procedure_id != dossier.procedure_id:
        raise ValidationError(f"Le groupe « {groupe.label} » n'appartient pas à la même démarche que le dossier.")
    if groupe.pk == dossier.groupe_instructeur_id:
        raise ValidationError(f"Le dossier est déjà dans le groupe « {groupe.label} ».")
    if groupe.closed:
        raise ValidationError(f"Le groupe « {groupe.label} » est clos : il ne reçoit plus de dossiers.")
    ancien = dossier.groupe_instructeur
    dossier.groupe_instructeur = groupe
    dossier.save(update_fields=["groupe_instructeur", "updated_at"])
    membres = list(groupe.instructeurs.select_related("user"))
    retires = Follow.objects.filter(dossier=dossier).exclude(instructeur__in=[i.pk for i in membres])
    anciens_suiveurs = list(retires.values_list("instructeur__user__email", flat=True))
    retires.delete()
    operation_enregistrer(
        operation=OPERATION_GROUPE_CHANGER, actor=user, dossier=dossier, procedure=dossier.procedure,
        data={
            "ancien_groupe": ancien.pk if ancien else None, "ancien_label": ancien.label if ancien else "",
            "nouveau_groupe": groupe.pk, "nouveau_label": groupe.label, "suivis_retires": anciens_suiveurs,
        },
    )
    url = settings.SITE_URL.rstrip("/") + reverse(
        "instruction:dossier", kwargs={"procedure_id": dossier.procedure_id, "pk": dossier.pk}
    )
    for instructeur in membres:
        if instructeur.user_id == getattr(user, "pk", None):
            continue
        email_envoyer(
            to=instructeur.user.email,
            subject=f"Le dossier n° {dossier.pk} a été affecté à votre groupe « {groupe.label} »",
            template="procedures/emails/dossier_change_de_groupe",
            context={"dossier": dossier, "groupe": groupe, "ancien": ancien, "url": url,
                     "procedure": dossier.procedure},
            kind="dossier_change_de_groupe", dossier_id=dossier.pk,
        )
    return dossier


# --- Re-routage après des modifications de l'usager ------------------------------------------------


def groupe_choisi_a_la_main(dossier) -> bool:
    """Whether an instructeur (or an administrateur) moved the dossier to its groupe himself: routing
    then leaves it where it is (the reference platform's « forced » groupe)."""
    from demarches.audit.models import OperationLog as Log

    entries = Log.objects.filter(dossier_id=dossier.pk, operation=OPERATION_GROUPE_CHANGER).only("data")
    return any(not (entry.data or {}).get("reroutage") for entry in entries)


def dossier_rerouter(*, dossier, user) -> GroupeInstructeur | None:
    """After « Déposer les modifications »: the dossier goes to the groupe its new answers route it
    to, with the same rule as at deposit (`groupe_de_routage`). Call it inside the transaction that
    merged the answers, the dossier's row locked. Returns the new groupe, or None when it stays.

    The followers who are not in the new groupe stop following it and are told by e-mail; the
    instructeurs of the new groupe are told as for a new dossier; the move is in the audit log.
    """
    from demarches.dossiers import notifications
    from demarches.dossiers.models import Follow

    procedure = dossier.procedure
    if procedure.routing_stable_id is None or groupe_choisi_a_la_main(dossier):
        return None
    groupe = groupe_de_routage(dossier)
    if groupe.pk == dossier.groupe_instructeur_id:
        return None
    ancien = dossier.groupe_instructeur
    dossier.groupe_instructeur = groupe
    dossier.save(update_fields=["groupe_instructeur", "updated_at"])
    membres = set(groupe.instructeurs.values_list("pk", flat=True))
    retires = Follow.objects.filter(dossier=dossier).exclude(instructeur__in=membres)
    anciens_suiveurs = list(retires.values_list("instructeur__user__email", flat=True).order_by("instructeur__user__email"))
    retires.delete()
    operation_enregistrer(
        operation=OPERATION_GROUPE_CHANGER, actor=user, automatic=True, dossier=dossier, procedure=procedure,
        data={
            "reroutage": True, "ancien_groupe": ancien.pk if ancien else None, "ancien_label": ancien.label if ancien else "",
            "nouveau_groupe": groupe.pk, "nouveau_label": groupe.label, "suivis_retires": anciens_suiveurs,
        },
    )
    for email in anciens_suiveurs:
        email_envoyer(
            to=email,
            subject=f"Le dossier n° {dossier.pk} a changé de groupe d'instructeurs ({procedure.libelle})",
            template="procedures/emails/dossier_reroute",
            context={"dossier": dossier, "groupe": groupe, "ancien": ancien, "procedure": procedure},
            kind="dossier_reroute", dossier_id=dossier.pk,
        )
    notifications.nouveau_dossier_aux_instructeurs(dossier)
    return groupe
