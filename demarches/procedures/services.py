"""Writes on démarches: creation, form schema on the draft revision, instructeurs, lifecycle."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.fields import registry

from . import policies
from .models import GroupeInstructeur, Procedure, ProcedureRevision, Service, TypeDeChamp

PATH_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@transaction.atomic
def procedure_creer(*, administrateur, libelle: str, description: str, service: Service | None = None, **options) -> Procedure:
    procedure = Procedure.objects.create(libelle=libelle.strip(), description=description.strip(), service=service, **options)
    procedure.administrateurs.add(administrateur)
    procedure.draft_revision = ProcedureRevision.objects.create(procedure=procedure)
    procedure.save(update_fields=["draft_revision"])
    GroupeInstructeur.objects.create(procedure=procedure, label="défaut")
    operation_enregistrer(operation=OperationLog.Operation.PROCEDURE_CREER, actor=administrateur.user, procedure=procedure)
    return procedure


def _require_admin(procedure: Procedure, administrateur):
    if not policies.can_administer(administrateur.user, procedure):
        raise PermissionDenied("Vous n'administrez pas cette démarche.")


def next_stable_id() -> int:
    return (TypeDeChamp.objects.aggregate(m=Max("stable_id"))["m"] or 0) + 1


@transaction.atomic
def type_de_champ_ajouter(
    *, procedure: Procedure, administrateur, type_champ: str, libelle: str, mandatory: bool = False,
    description: str = "", options: dict | None = None, private: bool = False,
) -> TypeDeChamp:
    _require_admin(procedure, administrateur)
    registry.get(type_champ)
    revision = procedure.draft_revision
    position = (revision.types_de_champ.filter(private=private).aggregate(m=Max("position"))["m"] or 0) + 1
    return TypeDeChamp.objects.create(
        revision=revision, stable_id=next_stable_id(), type_champ=type_champ, libelle=libelle.strip(),
        mandatory=mandatory, description=description, options=options or {}, private=private, position=position,
    )


def path_suggestion(libelle: str) -> str:
    return slugify(libelle)[:150] or "demarche"


def _freeze_and_copy(procedure: Procedure) -> None:
    """The draft becomes the published revision; a copy becomes the new draft."""
    now = timezone.now()
    draft = procedure.draft_revision
    draft.published_at = now
    draft.save(update_fields=["published_at"])
    new_draft = ProcedureRevision.objects.create(procedure=procedure)
    parents = {}
    for tdc in draft.types_de_champ.order_by("parent_id", "position", "id"):
        old_pk = tdc.pk
        tdc.pk = None
        tdc.revision = new_draft
        tdc.parent_id = parents.get(tdc.parent_id)
        tdc.save()
        parents[old_pk] = tdc.pk
    procedure.published_revision = draft
    procedure.draft_revision = new_draft


@transaction.atomic
def procedure_publier(*, procedure: Procedure, administrateur, path: str) -> Procedure:
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _require_admin(procedure, administrateur)
    path = (path or "").strip().lower()
    if not PATH_PATTERN.match(path):
        raise ValidationError({"path": "L'adresse ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets."})
    if Procedure.objects.filter(path=path).exclude(pk=procedure.pk).exists():
        raise ValidationError({"path": "Cette adresse est déjà utilisée par une autre démarche : choisissez-en une autre."})
    missing = policies.publication_manquants(procedure)
    if missing:
        raise ValidationError("La démarche ne peut pas être publiée : " + " ; ".join(missing) + ".")
    procedure.path = path
    _freeze_and_copy(procedure)
    procedure.state = Procedure.State.PUBLIEE
    procedure.published_at = procedure.published_at or timezone.now()
    procedure.closed_at = None
    procedure.save()
    # Test dossiers never mix with real ones.
    procedure.dossiers.filter(for_procedure_preview=True).delete()
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_PUBLIER, actor=administrateur.user, procedure=procedure, data={"path": path}
    )
    return procedure


@transaction.atomic
def procedure_clore(*, procedure: Procedure, administrateur) -> Procedure:
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _require_admin(procedure, administrateur)
    if procedure.state != Procedure.State.PUBLIEE:
        raise ValidationError("Seule une démarche publiée peut être close.")
    procedure.state = Procedure.State.CLOSE
    procedure.closed_at = timezone.now()
    procedure.save(update_fields=["state", "closed_at", "updated_at"])
    operation_enregistrer(operation=OperationLog.Operation.PROCEDURE_CLORE, actor=administrateur.user, procedure=procedure)
    return procedure
