"""What every mutation does: check the token, load the dossier (or démarche, groupe) and the instructeur, report refusals.

Refusals the client can fix (wrong state, instructeur not in the dossier's groupe, missing
motivation) come back in the payload's `errors`; a dossier outside the token's scope or a
read-only token is a top-level error, as in the reference.
"""

import inspect

import strawberry
from django.core.exceptions import PermissionDenied, ValidationError

from demarches.accounts.models import Instructeur
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier as DossierModel
from demarches.procedures.models import GroupeInstructeur, Procedure

from ... import direct_uploads
from ..common import ValidationError as ValidationErrorType
from ..errors import BadRequest, NotFound, Unauthorized
from ..ids import decode_pk


class Refused(Exception):
    """A refusal reported in the payload's `errors`."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = list(messages)


def dossier_modifiable(info, dossier_id: str) -> DossierModel:
    info.context.require_write_access()
    pk = decode_pk(dossier_id, "Dossier")
    dossier = (
        DossierModel.objects.select_related("procedure", "user", "groupe_instructeur", "revision")
        .exclude(state=DossierModel.State.BROUILLON).filter(suppression_administration__isnull=True).filter(pk=pk).first()
        if pk is not None else None
    )
    if dossier is None:
        raise NotFound("Dossier introuvable.")
    if not info.context.can_read_procedure(dossier.procedure_id):
        raise Unauthorized("Ce jeton ne donne pas accès à ce dossier.")
    return dossier


def instructeur_du_dossier(instructeur_id: str, dossier: DossierModel) -> Instructeur:
    pk = decode_pk(instructeur_id, "Instructeur")
    instructeur = Instructeur.objects.select_related("user").filter(pk=pk).first() if pk is not None else None
    if instructeur is None:
        raise NotFound("Instructeur introuvable.")
    if not transitions.is_instructeur_of(instructeur.user, dossier):
        raise Refused("Cet instructeur n'a pas accès à ce dossier : il n'est pas membre de son groupe instructeur.")
    return instructeur


def state_refusal(dossier: DossierModel) -> Refused:
    return Refused(f"Le dossier est déjà {dossier.get_state_display()}.")


def messages_of(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error) or "Vous n'avez pas le droit d'effectuer cette action sur ce dossier."]


def run(action) -> tuple[object, list[ValidationErrorType] | None]:
    """Run the action; turn refusals and service errors into payload errors."""
    try:
        return action(), None
    except Refused as refusal:
        return None, [ValidationErrorType(message=message) for message in refusal.messages]
    except (ValidationError, PermissionDenied) as error:
        return None, [ValidationErrorType(message=message) for message in messages_of(error)]


def notification_kwargs(transition, disable_notification: bool) -> dict:
    """Keyword arguments asking the transition not to e-mail the usager.

    The state machine decides which e-mails a transition sends; it must accept `notify=False`
    for `disableNotification` to be honoured. Until it does, such a request is refused rather
    than silently e-mailing the usager.
    """
    if not disable_notification:
        return {}
    if "notify" not in inspect.signature(transition).parameters:
        raise Refused(
            "disableNotification n'est pas encore pris en charge pour cette opération : "
            "relancez-la sans cette option (l'usager sera prévenu par e-mail)."
        )
    return {"notify": False}


def fichier_depose(value, *, dossier: DossierModel, argument: str):
    """The file a `signedBlobId` of createDirectUpload designates (None when the argument is absent)."""
    if not value:
        return None
    try:
        return direct_uploads.blob_fichier(value, dossier=dossier, argument=argument)
    except ValidationError as error:
        raise Refused(*error.messages) from None


def instructeur_du_jeton(info, dossier: DossierModel) -> Instructeur:
    """For mutations without `instructeurId` (labels): the token's administrateur, acting as instructeur."""
    user = info.context.administrateur.user
    instructeur = Instructeur.objects.select_related("user").filter(user=user).first()
    if instructeur is None or not transitions.is_instructeur_of(user, dossier):
        raise Refused(
            f"L'administrateur du jeton ({user.email}) doit être instructeur du groupe de ce dossier pour modifier ses labels."
        )
    return instructeur


def terminer(info, input, transition):
    """Accepter, refuser or classer sans suite (same inputs, same guards): returns (dossier or None, errors)."""
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if not transitions.can_terminer(dossier, instructeur.user):
            raise state_refusal(dossier)
        justificatif = fichier_depose(input.justificatif, dossier=dossier, argument="justificatif")
        extra = notification_kwargs(transition, bool(input.disable_notification))
        result = transition(
            dossier=dossier, instructeur=instructeur, motivation=input.motivation or "", justificatif=justificatif, **extra
        )
        if justificatif is not None:
            direct_uploads.blob_consommer(justificatif)
        return result

    return run(action)


def procedure_administree(info, demarche) -> Procedure:
    """The démarche a FindDemarcheInput designates, within the token's scope, for a read-write token."""
    info.context.require_write_access()
    if demarche.number is not strawberry.UNSET and demarche.number is not None:
        pk = demarche.number
    elif demarche.id is not strawberry.UNSET and demarche.id is not None:
        pk = decode_pk(demarche.id, "Procedure")
        if pk is None:
            raise BadRequest(f"Identifiant de démarche invalide : « {demarche.id} ».")
    else:
        raise BadRequest("Indiquez le numéro ou l'identifiant de la démarche.")
    procedure = Procedure.objects.select_related("service").filter(pk=pk).first()
    if procedure is None:
        raise NotFound("Démarche introuvable.")
    if not info.context.can_read_procedure(procedure.pk):
        raise Unauthorized("Ce jeton ne donne pas accès à cette démarche.")
    return procedure


def groupe_administre(info, groupe_id: str) -> GroupeInstructeur:
    """A groupe instructeur of a démarche within the token's scope, for a read-write token."""
    info.context.require_write_access()
    pk = decode_pk(groupe_id, "GroupeInstructeur")
    groupe = GroupeInstructeur.objects.select_related("procedure").filter(pk=pk).first() if pk is not None else None
    if groupe is None:
        raise NotFound("Groupe instructeur introuvable.")
    if not info.context.can_read_procedure(groupe.procedure_id):
        raise Unauthorized("Ce jeton ne donne pas accès à ce groupe instructeur.")
    return groupe
