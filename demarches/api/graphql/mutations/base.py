"""What every dossier mutation does: check the token, load the dossier and the instructeur, report refusals.

Refusals the client can fix (wrong state, instructeur not in the dossier's groupe, missing
motivation) come back in the payload's `errors`; a dossier outside the token's scope or a
read-only token is a top-level error, as in the reference.
"""

import inspect

from django.core.exceptions import PermissionDenied, ValidationError

from demarches.accounts.models import Instructeur
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier as DossierModel

from ..common import ValidationError as ValidationErrorType
from ..errors import NotFound, Unauthorized
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
        .exclude(state=DossierModel.State.BROUILLON).filter(pk=pk).first()
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


def refuse_attachments(**ids) -> None:
    for name, value in ids.items():
        if value:
            raise Refused(
                f"Le dépôt de fichiers par l'API (argument « {name} ») n'est pas encore disponible : "
                "joignez le fichier depuis l'interface instructeur."
            )


def terminer(info, input, transition):
    """Accepter, refuser or classer sans suite (same inputs, same guards): returns (dossier or None, errors)."""
    dossier = dossier_modifiable(info, input.dossier_id)

    def action():
        instructeur = instructeur_du_dossier(input.instructeur_id, dossier)
        if not transitions.can_terminer(dossier, instructeur.user):
            raise state_refusal(dossier)
        refuse_attachments(justificatif=input.justificatif)
        extra = notification_kwargs(transition, bool(input.disable_notification))
        return transition(dossier=dossier, instructeur=instructeur, motivation=input.motivation or "", **extra)

    return run(action)
