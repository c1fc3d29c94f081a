"""Writes on dossiers, named in the domain's words. Views, the API and jobs call these."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.fields import visibilite
from demarches.fields.registry import StoredValue
from demarches.fields.types.piece_justificative import check_upload
from demarches.fields.types.repetition import MAX_ROWS, new_row_id, rows_of, summary
from demarches.fields.widgets import child_types
from demarches.procedures.ineligibilite import motif_du_dossier

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
def dossier_identite_enregistrer(
    *, dossier: Dossier, user, civilite: str, nom: str, prenom: str, date_naissance=None
) -> Dossier:
    _require_editable(dossier, user)
    dossier.civilite, dossier.nom, dossier.prenom = civilite, nom.strip(), prenom.strip()
    fields = ["civilite", "nom", "prenom", "updated_at"]
    if dossier.procedure.demander_date_naissance:
        dossier.date_naissance = date_naissance
        fields.append("date_naissance")
    dossier.save(update_fields=fields)
    return dossier


MANDATORY_MESSAGE = gettext_noop("Ce champ est obligatoire : il doit être rempli.")


def _parse(field_type, raw: list[str], options: dict, previous: StoredValue | None) -> tuple[StoredValue, str]:
    """The value to store and the error to show (empty when valid): invalid input is kept as typed."""
    try:
        return field_type.parse_champ(raw, options=options or {}, previous=previous), ""
    except ValidationError as exc:
        return field_type.keep_invalid(raw), exc.messages[0]


def _champ_ecrire(
    dossier: Dossier, tdc, row_id: str, champ: Champ | None, stored: StoredValue
) -> tuple[Champ | None, bool]:
    if champ is None and not stored.value and not stored.data:
        # Nothing typed in a champ never filled: no row (an empty row would look like a change to other tabs).
        return None, False
    if champ is None:
        # get_or_create: two autosaves of a new champ may cross (the second one then updates it).
        champ, created = Champ.objects.get_or_create(
            dossier=dossier, stable_id=tdc.stable_id, row_id=row_id,
            defaults={"type_de_champ": tdc, "value": stored.value, "data": stored.data},
        )
        if created:
            return champ, True
    if (champ.value, champ.data) == (stored.value, stored.data):
        return champ, False
    champ.value, champ.data = stored.value, stored.data
    champ.save(update_fields=["value", "data", "updated_at"])
    return champ, True


def _repetition_enregistrer(dossier: Dossier, tdc, champ: Champ | None, posted) -> tuple[str, bool]:
    """Rows added or removed (« Ajouter un élément », « Supprimer l'élément »), then each row's children."""
    rows = rows_of(champ.stored if champ else None)
    children = [child for child in child_types(tdc) if child.field_type.fillable]
    child_ids = [child.stable_id for child in children]
    if posted.get("repetition-ajouter") == str(tdc.stable_id) and len(rows) < MAX_ROWS:
        rows.append(new_row_id(rows))
    to_remove = posted.get("repetition-supprimer", "")
    if to_remove.startswith(f"{tdc.stable_id}:"):
        row = to_remove.split(":", 1)[1]
        if row in rows and len(rows) > 1:  # a block keeps at least one row
            rows.remove(row)
            Champ.objects.filter(dossier=dossier, stable_id__in=child_ids, row_id=row).delete()
    existing = {
        (c.stable_id, c.row_id): c for c in Champ.objects.filter(dossier=dossier, stable_id__in=child_ids, row_id__in=rows)
    }
    first_error, changed = "", False
    for index, row in enumerate(rows, start=1):
        for child in children:
            name = f"{child.html_id}-{row}"
            if name not in posted and f"{name}-present" not in posted:
                continue
            child_champ = existing.get((child.stable_id, row))
            raw = child.field_type.raw_from_post(posted, name)
            stored, error = _parse(child.field_type, raw, child.options, child_champ.stored if child_champ else None)
            if error and not first_error:
                first_error = f"Ligne {index} – {child.libelle} : {error}"
            existing[(child.stable_id, row)], child_changed = _champ_ecrire(dossier, child, row, child_champ, stored)
            changed = changed or child_changed
    answers = []
    for row in rows:
        line = []
        for child in children:
            child_champ = existing.get((child.stable_id, row))
            stored = child_champ.stored if child_champ else StoredValue()
            line.append((child.libelle, "" if child.field_type.is_empty(stored) else child.field_type.display(stored)))
        answers.append(line)
    _, parent_changed = _champ_ecrire(dossier, tdc, "", champ, StoredValue(value=summary(answers), data={"rows": rows}))
    return first_error, changed or parent_changed


CONFLIT_MESSAGE = gettext_noop(
    "Ce champ a été modifié entre-temps, dans un autre onglet ou par une autre personne : votre saisie n'a pas été "
    "enregistrée. Rechargez la page pour voir la valeur enregistrée, puis saisissez de nouveau la vôtre si besoin."
)


def _conflit(champ: Champ | None, stored: StoredValue, version) -> bool:
    """Two tabs (or two co-editors) on the same dossier: a value changed by someone else after this page was
    loaded is never overwritten silently by the stale value this page still shows."""
    return (
        version is not None
        and champ is not None
        and champ.updated_at > version
        and (champ.value, champ.data) != (stored.value, stored.data)
    )


@transaction.atomic
def champs_enregistrer(*, dossier: Dossier, user, posted, version=None) -> dict[int, str]:
    """Save every posted champ; keep what the user typed even when invalid. Returns errors by stable_id
    (for a repetition block: the first error of its rows), except for champs hidden by a condition.

    version: when the page that posted was loaded (or last saved); a champ changed since then by someone
    else is left as it is and reported with CONFLIT_MESSAGE."""
    _require_editable(dossier, user)
    errors: dict[int, str] = {}
    existing = {champ.stable_id: champ for champ in dossier.champs.filter(row_id="")}
    changed = False
    for tdc in dossier.revision.public_types_de_champ():
        field_type, html_id = tdc.field_type, tdc.html_id
        if not field_type.fillable or field_type.accepts_files:
            continue
        if html_id not in posted and f"{html_id}-present" not in posted:
            continue
        champ = existing.get(tdc.stable_id)
        if field_type.has_children:
            error, row_changed = _repetition_enregistrer(dossier, tdc, champ, posted)
        else:
            raw = field_type.raw_from_post(posted, html_id)
            stored, error = _parse(field_type, raw, tdc.options, champ.stored if champ else None)
            if _conflit(champ, stored, version):
                errors[tdc.stable_id] = gettext(CONFLIT_MESSAGE)
                continue
            _, row_changed = _champ_ecrire(dossier, tdc, "", champ, stored)
        if error:
            errors[tdc.stable_id] = error
        changed = changed or row_changed
    if changed:
        dossier.last_champ_updated_at = timezone.now()
        dossier.save(update_fields=["last_champ_updated_at", "updated_at"])
    for stable_id in visibilite.masques_du_dossier(dossier):
        errors.pop(stable_id, None)
    return errors


@transaction.atomic
def piece_ajouter(*, dossier: Dossier, user, type_de_champ, uploaded) -> PieceJointe:
    _require_editable(dossier, user)
    field_type = type_de_champ.field_type
    field_type.check_file(uploaded, options=type_de_champ.options)
    champ, _ = Champ.objects.get_or_create(
        dossier=dossier, stable_id=type_de_champ.stable_id, row_id="", defaults={"type_de_champ": type_de_champ}
    )
    if champ.pieces.count() >= field_type.max_files:
        raise ValidationError(
            f"Vous ne pouvez pas joindre plus de {field_type.max_files} fichier{'s' if field_type.max_files > 1 else ''} à ce champ."
        )
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


def _champ_erreur(tdc, champ: Champ | None) -> str:
    field_type = tdc.field_type
    if field_type.accepts_files:
        empty = champ is None or not champ.pieces.all()
    else:
        stored = champ.stored if champ else StoredValue()
        empty = field_type.is_empty(stored)
        if not empty:
            try:
                field_type.check(stored, options=tdc.options or {})
            except ValidationError as exc:
                return exc.messages[0]
    return gettext(MANDATORY_MESSAGE) if empty and tdc.mandatory else ""


def _repetition_erreur(tdc, champ: Champ | None, champs: dict) -> str:
    """Rows with answers are checked like champs; entirely empty rows are ignored, unless the block
    is mandatory and has no answer at all."""
    rows = rows_of(champ.stored if champ else None)
    children = [child for child in child_types(tdc) if child.field_type.fillable]
    answered = False
    for index, row in enumerate(rows, start=1):
        row_champs = [(child, champs.get((child.stable_id, row))) for child in children]
        if all(c is None or child.field_type.is_empty(c.stored) for child, c in row_champs):
            continue
        answered = True
        for child, child_champ in row_champs:
            message = _champ_erreur(child, child_champ)
            if message:
                return gettext("Ligne %(ligne)s – %(libelle)s : %(message)s") % {
                    "ligne": index, "libelle": child.libelle, "message": message
                }
    if tdc.mandatory and not answered:
        first_mandatory = next((child for child in children if child.mandatory), None)
        if first_mandatory is not None:
            return gettext("Ligne %(ligne)s – %(libelle)s : %(message)s") % {
                "ligne": 1, "libelle": first_mandatory.libelle, "message": gettext(MANDATORY_MESSAGE)
            }
        return gettext(MANDATORY_MESSAGE)
    return ""


def dossier_erreurs(dossier: Dossier) -> list[ChampError]:
    """What prevents the deposit: missing mandatory champs and invalid values, in form order.
    Champs hidden by a condition are neither required nor checked."""
    types = list(dossier.revision.public_types_de_champ())
    champs = {(c.stable_id, c.row_id): c for c in dossier.champs.prefetch_related("pieces")}
    hidden = visibilite.masques(types, {stable_id: c.stored for (stable_id, row), c in champs.items() if not row})
    errors = []
    for tdc in types:
        if not tdc.field_type.fillable or tdc.stable_id in hidden:
            continue
        champ = champs.get((tdc.stable_id, ""))
        if tdc.field_type.has_children:
            message = _repetition_erreur(tdc, champ, champs)
        else:
            message = _champ_erreur(tdc, champ)
        if message:
            errors.append(ChampError(tdc, message))
    return errors


def _champs_masques_vider(dossier: Dossier) -> None:
    """At deposit, the answers to hidden champs are dropped: they were not part of the demand."""
    hidden = visibilite.masques_du_dossier(dossier)
    if not hidden:
        return
    stable_ids = set(hidden)
    for tdc in dossier.revision.public_types_de_champ().filter(stable_id__in=hidden):
        stable_ids.update(tdc.children.values_list("stable_id", flat=True))
    champs = Champ.objects.filter(dossier=dossier, stable_id__in=stable_ids)
    files = [piece.file for piece in PieceJointe.objects.filter(champ__in=champs)]
    champs.delete()

    def delete_files():
        for file in files:
            file.delete(save=False)

    transaction.on_commit(delete_files)


@transaction.atomic
def dossier_deposer(*, dossier: Dossier, user) -> list[ChampError]:
    """Deposit the dossier if it is complete; otherwise return what is wrong and change nothing."""
    from .services_demandeur import etablissement_actualiser, identite_manquante

    if dossier.is_editing_fork:
        raise ValidationError("Ce formulaire modifie un dossier déjà déposé : utilisez « Déposer les modifications ».")
    manque = identite_manquante(dossier)
    if manque:
        raise ValidationError(manque)
    motif = motif_du_dossier(dossier)
    if motif:
        raise ValidationError(motif)  # a règle d'inéligibilité of the démarche applies to these answers
    errors = dossier_erreurs(dossier)
    if errors:
        return errors
    _champs_masques_vider(dossier)
    etablissement_actualiser(dossier)
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
        raise ValidationError({"body": gettext("Votre message est vide : écrivez quelques mots avant de l'envoyer.")})
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


MESSAGE_SUPPRIME = "Message supprimé"


def message_refus_suppression(commentaire: Commentaire, instructeur) -> str:
    """Why this instructeur may not delete this message (« » when he may): only his own, once, without a pending correction."""
    if instructeur is None or commentaire.instructeur_id != instructeur.pk or commentaire.is_automatic:
        return "Vous ne pouvez supprimer que vos propres messages."
    if commentaire.discarded_at is not None:
        return "Ce message est déjà supprimé."
    if commentaire.dossier.corrections.filter(commentaire=commentaire, resolved_at__isnull=True).exists():
        return "Ce message porte une demande de correction en attente : il ne peut pas être supprimé."
    return ""


@transaction.atomic
def message_supprimer(*, commentaire: Commentaire, instructeur) -> Commentaire:
    """« Supprimer le message »: its author (an instructeur of the dossier) replaces it by « Message supprimé »
    and its attachment is deleted; the line stays in the messagerie with the deletion date."""
    commentaire = Commentaire.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=commentaire.pk)
    if not transitions.is_instructeur_of(instructeur.user, commentaire.dossier):
        raise PermissionDenied("Vous n'instruisez pas ce dossier.")
    refus = message_refus_suppression(commentaire, instructeur)
    if refus:
        raise ValidationError(refus)
    if commentaire.piece_jointe:
        piece_jointe = commentaire.piece_jointe
        name, storage = piece_jointe.name, piece_jointe.storage
        transaction.on_commit(lambda: storage.delete(name))
    commentaire.body = MESSAGE_SUPPRIME
    commentaire.piece_jointe = ""
    commentaire.piece_jointe_filename = ""
    commentaire.discarded_at = timezone.now()
    commentaire.save(update_fields=["body", "piece_jointe", "piece_jointe_filename", "discarded_at"])
    operation_enregistrer(
        operation="message_supprimer", actor=instructeur.user, dossier=commentaire.dossier,
        data={"commentaire": commentaire.pk},
    )
    return commentaire
