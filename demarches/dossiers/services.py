"""Writes on dossiers, named in the domain's words. Views, the API and jobs call these."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.fields.registry import StoredValue
from demarches.fields.types.piece_justificative import check_upload

from . import notifications, policies, transitions
from .models import Champ, Commentaire, Dossier, PieceJointe


@dataclass
class ChampError:
    type_de_champ: object
    message: str


@transaction.atomic
def dossier_creer(*, procedure, user, for_test: bool = False) -> Dossier:
    if not procedure.accepts_dossiers:
        raise ValidationError("Cette démarche est close : il n'est plus possible de commencer un dossier.")
    dossier = Dossier.objects.create(
        procedure=procedure,
        revision=procedure.active_revision,
        user=user,
        # A dossier started on a démarche still en test is a test dossier, whatever link was used.
        for_procedure_preview=for_test or procedure.is_en_test,
        groupe_instructeur=procedure.default_groupe,
        expire_at=timezone.now() + timezone.timedelta(days=30 * procedure.duree_conservation_dossiers),
    )
    operation_enregistrer(operation=OperationLog.Operation.DOSSIER_CREER, actor=user, dossier=dossier)
    notifications.brouillon_cree(dossier)
    return dossier


def _require_editable(dossier: Dossier, user):
    if not policies.can_edit_as_usager(user, dossier):
        raise PermissionDenied("Ce dossier ne peut plus être modifié.")


@transaction.atomic
def dossier_identite_enregistrer(*, dossier: Dossier, user, civilite: str, nom: str, prenom: str) -> Dossier:
    _require_editable(dossier, user)
    dossier.civilite, dossier.nom, dossier.prenom = civilite, nom.strip(), prenom.strip()
    dossier.save(update_fields=["civilite", "nom", "prenom", "updated_at"])
    return dossier


def _raw(stored: StoredValue) -> list[str]:
    return list(stored.data) if isinstance(stored.data, list) else [stored.value]


@transaction.atomic
def champs_enregistrer(*, dossier: Dossier, user, posted) -> dict[int, str]:
    """Save every posted champ; keep what the user typed even when invalid. Returns errors by stable_id."""
    _require_editable(dossier, user)
    errors: dict[int, str] = {}
    types = {tdc.html_id: tdc for tdc in dossier.revision.public_types_de_champ() if tdc.field_type.fillable}
    changed = False
    for html_id, tdc in types.items():
        if tdc.field_type.accepts_files or html_id not in posted and f"{html_id}-present" not in posted:
            continue
        raw = posted.getlist(html_id)
        try:
            stored = tdc.field_type.parse(raw, options=tdc.options)
        except ValidationError as exc:
            errors[tdc.stable_id] = exc.messages[0]
            stored = StoredValue(value=(raw[0] if len(raw) == 1 else ", ".join(raw)).strip(), data=raw if len(raw) > 1 else None)
        champ, _ = Champ.objects.get_or_create(
            dossier=dossier, stable_id=tdc.stable_id, row_id="", defaults={"type_de_champ": tdc}
        )
        if (champ.value, champ.data) != (stored.value, stored.data):
            champ.value, champ.data = stored.value, stored.data
            champ.save(update_fields=["value", "data", "updated_at"])
            changed = True
    if changed:
        dossier.last_champ_updated_at = timezone.now()
        dossier.save(update_fields=["last_champ_updated_at", "updated_at"])
    return errors


@transaction.atomic
def piece_ajouter(*, dossier: Dossier, user, type_de_champ, uploaded) -> PieceJointe:
    _require_editable(dossier, user)
    check_upload(uploaded)
    champ, _ = Champ.objects.get_or_create(
        dossier=dossier, stable_id=type_de_champ.stable_id, row_id="", defaults={"type_de_champ": type_de_champ}
    )
    if champ.pieces.count() >= settings.PIECE_JUSTIFICATIVE_MAX_FILES:
        raise ValidationError(f"Vous ne pouvez pas joindre plus de {settings.PIECE_JUSTIFICATIVE_MAX_FILES} fichiers à ce champ.")
    piece = PieceJointe(
        champ=champ, filename=uploaded.name[:255], content_type=getattr(uploaded, "content_type", "")[:120], size=uploaded.size
    )
    piece.file.save(uploaded.name, uploaded, save=False)
    piece.save()
    champ.data = list(champ.pieces.values_list("filename", flat=True))
    champ.save(update_fields=["data", "updated_at"])
    dossier.last_champ_updated_at = timezone.now()
    dossier.save(update_fields=["last_champ_updated_at", "updated_at"])
    return piece


@transaction.atomic
def piece_supprimer(*, piece: PieceJointe, user) -> None:
    champ = piece.champ
    _require_editable(champ.dossier, user)
    piece.file.delete(save=False)
    piece.delete()
    champ.data = list(champ.pieces.values_list("filename", flat=True)) or None
    champ.save(update_fields=["data", "updated_at"])
    dossier = champ.dossier
    dossier.last_champ_updated_at = timezone.now()
    dossier.save(update_fields=["last_champ_updated_at", "updated_at"])


def dossier_erreurs(dossier: Dossier) -> list[ChampError]:
    """What prevents the deposit: missing mandatory champs and invalid values, in form order."""
    champs = {c.stable_id: c for c in dossier.champs.filter(row_id="").prefetch_related("pieces")}
    errors = []
    for tdc in dossier.revision.public_types_de_champ():
        field_type = tdc.field_type
        if not field_type.fillable:
            continue
        champ = champs.get(tdc.stable_id)
        if field_type.accepts_files:
            empty = champ is None or not champ.pieces.all()
        else:
            stored = champ.stored if champ else StoredValue()
            empty = field_type.is_empty(stored)
            if not empty:
                try:
                    field_type.parse(_raw(stored), options=tdc.options)
                except ValidationError as exc:
                    errors.append(ChampError(tdc, exc.messages[0]))
                    continue
        if empty and tdc.mandatory:
            errors.append(ChampError(tdc, "Ce champ est obligatoire : il doit être rempli."))
    return errors


def dossier_deposer(*, dossier: Dossier, user) -> list[ChampError]:
    """Deposit the dossier if it is complete; otherwise return what is wrong and change nothing."""
    if dossier.procedure.for_individual and not (dossier.nom and dossier.prenom):
        raise ValidationError("Renseignez votre identité (nom et prénom) avant de déposer le dossier.")
    errors = dossier_erreurs(dossier)
    if errors:
        return errors
    transitions.passer_en_construction(dossier=dossier, user=user)
    return []


@transaction.atomic
def message_envoyer(*, dossier: Dossier, user, body: str, piece_jointe=None, instructeur=None) -> Commentaire:
    """A message in the messagerie, from the usager (instructeur=None) or from an instructeur."""
    if instructeur is None and not policies.can_write_as_usager(user, dossier):
        raise PermissionDenied("Vous ne pouvez pas écrire sur ce dossier.")
    if instructeur is not None and not transitions.is_instructeur_of(user, dossier):
        raise PermissionDenied("Vous n'instruisez pas ce dossier.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Votre message est vide : écrivez quelques mots avant de l'envoyer."})
    commentaire = Commentaire(dossier=dossier, email=user.email, instructeur=instructeur, body=body)
    if piece_jointe is not None:
        try:
            check_upload(piece_jointe, max_size=settings.MESSAGE_ATTACHMENT_MAX_SIZE)
        except ValidationError as exc:
            raise ValidationError({"piece_jointe": exc.messages[0]}) from None
        commentaire.piece_jointe_filename = piece_jointe.name[:255]
        commentaire.piece_jointe.save(piece_jointe.name, piece_jointe, save=False)
    commentaire.save()
    dossier.last_commentaire_at = commentaire.created_at
    dossier.save(update_fields=["last_commentaire_at", "updated_at"])
    operation_enregistrer(operation=OperationLog.Operation.MESSAGE_ENVOYER, actor=user, dossier=dossier)
    if instructeur is None:
        notifications.nouveau_message_aux_instructeurs(dossier, commentaire)
    else:
        notifications.nouveau_message_a_l_usager(dossier, commentaire)
    return commentaire
