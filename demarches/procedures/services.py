"""Writes on démarches: creation, form schema on the draft revision, instructeurs, lifecycle."""

import re
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.core.emails import email_envoyer
from demarches.fields import registry

from . import definitions, description, mail_tags, mail_templates, policies, selectors
from .models import (
    GroupeInstructeur,
    InstructeurInvitation,
    MailTemplate,
    Procedure,
    ProcedureRevision,
    Service,
    TypeDeChamp,
)

PATH_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Attributes of a démarche an administrateur may change through procedure_modifier.
PROCEDURE_ATTRIBUTS = (
    "libelle", "description", "service", "for_individual", "demander_date_naissance", "declarative_with_state",
    "duree_conservation_dossiers", "auto_archive_on", "lien_notice", "cadre_juridique", "lien_dpo", "monavis_embed",
    "duree_estimee_minutes",
)
# Files describing the démarche, each with its check (description.py).
PROCEDURE_FICHIERS = {
    "logo": description.logo_verifier,
    "notice": description.notice_verifier,
    "deliberation": description.deliberation_verifier,
}
# What a copy of a démarche takes besides its definition (definitions.py).
PROCEDURE_ATTRIBUTS_COPIES = ("lien_notice", "cadre_juridique", "lien_dpo", "monavis_embed", "duree_estimee_minutes")
# Attributes that shape existing dossiers: frozen once the démarche has been published.
PROCEDURE_ATTRIBUTS_AVANT_PUBLICATION = ("for_individual",)
SERVICE_ATTRIBUTS = ("nom", "organisme", "type_organisme", "email", "telephone", "horaires", "adresse")


def _require_admin(procedure: Procedure, administrateur):
    if not policies.can_administer(administrateur.user, procedure):
        raise PermissionDenied("Vous n'administrez pas cette démarche.")


def _check_duree_conservation(value) -> None:
    maximum = policies.DUREE_CONSERVATION_MAX
    if value is None or not 1 <= int(value) <= maximum:
        raise ValidationError(
            {"duree_conservation_dossiers": f"La durée de conservation doit être comprise entre 1 et {maximum} mois."}
        )


def _check_date_limite(value) -> None:
    if value is not None and value < timezone.localdate():
        raise ValidationError({"auto_archive_on": "La date limite de dépôt ne peut pas être déjà passée."})


def _check_description(attributs: dict) -> dict:
    """Normalise and check the descriptive options (DPO contact, MonAvis code, estimated time)."""
    attributs = dict(attributs)
    errors = {}
    for name, check in (("lien_dpo", description.dpo_normaliser), ("monavis_embed", description.monavis_verifier)):
        if name in attributs:
            try:
                attributs[name] = check(attributs[name])
            except ValidationError as error:
                errors[name] = error.messages
    duree = attributs.get("duree_estimee_minutes")
    if duree is not None and not 1 <= int(duree) <= description.DUREE_ESTIMEE_MAX:
        errors["duree_estimee_minutes"] = [
            f"Le temps de remplissage estimé doit être compris entre 1 et {description.DUREE_ESTIMEE_MAX} minutes."
        ]
    if errors:
        raise ValidationError(errors)
    return attributs


def _check_service(service: Service | None, administrateur) -> None:
    if service is not None and not policies.can_use_service(administrateur.user, service):
        raise PermissionDenied("Ce service appartient à un autre administrateur.")


# --- Service ------------------------------------------------------------------------------------


@transaction.atomic
def service_creer(
    *, administrateur, nom: str, email: str, organisme: str = "", telephone: str = "", horaires: str = "", adresse: str = "",
    type_organisme: str = "",
) -> Service:
    if type_organisme and type_organisme not in Service.TypeOrganisme.values:
        raise ValidationError({"service_type_organisme": "Type d'organisme inconnu."})
    return Service.objects.create(
        administrateur=administrateur, nom=nom.strip(), email=email.strip().lower(), organisme=organisme.strip(),
        telephone=telephone.strip(), horaires=horaires.strip(), adresse=adresse.strip(), type_organisme=type_organisme,
    )


@transaction.atomic
def service_modifier(*, service: Service, administrateur, **fields) -> Service:
    if not policies.can_use_service(administrateur.user, service):
        raise PermissionDenied("Ce service appartient à un autre administrateur.")
    unknown = set(fields) - set(SERVICE_ATTRIBUTS)
    if unknown:
        raise ValueError(f"attributs inconnus : {sorted(unknown)}")
    if fields.get("type_organisme") and fields["type_organisme"] not in Service.TypeOrganisme.values:
        raise ValidationError({"type_organisme": "Type d'organisme inconnu."})
    for name, value in fields.items():
        value = (value or "").strip()
        setattr(service, name, value.lower() if name == "email" else value)
    service.save()
    for procedure in service.procedures.only("pk"):
        operation_enregistrer(
            operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user,
            procedure=procedure, data={"action": "service_modifier", "service": service.pk},
        )
    return service


# --- Procedure ----------------------------------------------------------------------------------


@transaction.atomic
def procedure_creer(*, administrateur, libelle: str, description: str, service: Service | None = None, **options) -> Procedure:
    if "duree_conservation_dossiers" in options:
        _check_duree_conservation(options["duree_conservation_dossiers"])
    _check_date_limite(options.get("auto_archive_on"))
    _check_service(service, administrateur)
    options = _check_description(options)
    procedure = Procedure.objects.create(libelle=libelle.strip(), description=description.strip(), service=service, **options)
    procedure.administrateurs.add(administrateur)
    procedure.draft_revision = ProcedureRevision.objects.create(procedure=procedure)
    procedure.save(update_fields=["draft_revision"])
    GroupeInstructeur.objects.create(procedure=procedure, label="défaut")
    operation_enregistrer(operation=OperationLog.Operation.PROCEDURE_CREER, actor=administrateur.user, procedure=procedure)
    return procedure


def _journal(value):
    """A value as the operation log (JSON) keeps it."""
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def procedure_modifier(*, procedure: Procedure, administrateur, **attributs) -> Procedure:
    """Change the description and options of a démarche (not its form, which lives on the draft revision)."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _require_admin(procedure, administrateur)
    unknown = set(attributs) - set(PROCEDURE_ATTRIBUTS)
    if unknown:
        raise ValueError(f"attributs inconnus : {sorted(unknown)}")
    if "duree_conservation_dossiers" in attributs:
        _check_duree_conservation(attributs["duree_conservation_dossiers"])
    if "service" in attributs:
        _check_service(attributs["service"], administrateur)
    attributs = _check_description(attributs)
    changes = {}
    for name, value in attributs.items():
        if isinstance(value, str):
            value = value.strip()
        old = getattr(procedure, name)
        if old == value:
            continue
        if name == "auto_archive_on":
            _check_date_limite(value)
        if name in PROCEDURE_ATTRIBUTS_AVANT_PUBLICATION and not procedure.is_en_test:
            label = Procedure._meta.get_field(name).verbose_name
            raise ValidationError({name: f"Le champ « {label} » ne peut plus être modifié une fois la démarche publiée."})
        setattr(procedure, name, value)
        changes[name] = {
            "avant": _journal(getattr(old, "pk", old)),
            "apres": _journal(getattr(value, "pk", value)),
        }
    if changes:
        procedure.save()
        operation_enregistrer(
            operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
            data={"action": "procedure_modifier", "changements": changes},
        )
    return procedure


def _delete_after_commit(field_file) -> None:
    name, storage = field_file.name, field_file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def procedure_fichiers_modifier(*, procedure: Procedure, administrateur, fichiers: dict | None = None, supprimer=()) -> Procedure:
    """Replace or remove the logo, the notice and the délibération of a démarche.

    fichiers: {name: uploaded file}; supprimer: names of the files to remove. Each upload is checked
    on its content (description.py); the replaced file is deleted once the transaction commits.
    """
    fichiers = {name: f for name, f in (fichiers or {}).items() if f}
    unknown = (set(fichiers) | set(supprimer)) - set(PROCEDURE_FICHIERS)
    if unknown:
        raise ValueError(f"fichiers inconnus : {sorted(unknown)}")
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _require_admin(procedure, administrateur)
    errors = {}
    for name, uploaded in fichiers.items():
        try:
            PROCEDURE_FICHIERS[name](uploaded)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name in set(supprimer) | set(fichiers):
        current = getattr(procedure, name)
        if name not in fichiers and not current:
            continue
        if current:
            _delete_after_commit(current)
        if name in fichiers:
            uploaded = fichiers[name]
            getattr(procedure, name).save(uploaded.name.rsplit("/", 1)[-1][:150], uploaded, save=False)
            changes[name] = uploaded.name
        else:
            setattr(procedure, name, "")
            changes[name] = None
    if changes:
        procedure.save()
        operation_enregistrer(
            operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
            data={"action": "procedure_fichiers_modifier", "fichiers": changes},
        )
    return procedure


# --- Form schema (draft revision only) ----------------------------------------------------------


def next_stable_id() -> int:
    return (TypeDeChamp.objects.aggregate(m=Max("stable_id"))["m"] or 0) + 1


def _draft(procedure: Procedure) -> ProcedureRevision:
    """The editable revision, locked; a published revision is never written to."""
    revision = ProcedureRevision.objects.select_for_update().get(pk=procedure.draft_revision_id)
    if revision.is_frozen:
        raise ValidationError("Cette version du formulaire est publiée : elle ne peut plus être modifiée.")
    return revision


def _draft_type_de_champ(revision: ProcedureRevision, stable_id: int) -> TypeDeChamp:
    try:
        return revision.types_de_champ.get(stable_id=stable_id)
    except TypeDeChamp.DoesNotExist:
        raise ValidationError("Ce champ n'existe pas (ou plus) dans le formulaire.") from None


def _siblings(tdc: TypeDeChamp):
    return TypeDeChamp.objects.filter(revision_id=tdc.revision_id, private=tdc.private, parent_id=tdc.parent_id)


def _renumber(revision: ProcedureRevision, *, private: bool, parent_id=None, ordered: list[TypeDeChamp] | None = None) -> None:
    if ordered is None:
        ordered = list(revision.types_de_champ.filter(private=private, parent_id=parent_id).order_by("position", "id"))
    changed = []
    for index, tdc in enumerate(ordered, start=1):
        if tdc.position != index:
            tdc.position = index
            changed.append(tdc)
    TypeDeChamp.objects.bulk_update(changed, ["position"])


def _clean_type_de_champ(*, type_champ: str, libelle: str, options: dict | None) -> tuple[str, dict]:
    field_type = registry.get(type_champ)
    libelle = (libelle or "").strip()
    if not libelle:
        raise ValidationError({"libelle": "Indiquez le libellé du champ."})
    options = dict(options or {})
    if field_type.has_options:
        choices = [c.strip() for c in options.get("choices", []) if c and c.strip()]
        if not [c for c in choices if c != policies.OPTIONS_SEPARATOR]:
            raise ValidationError({"options": "Indiquez au moins une option (une par ligne)."})
        options["choices"] = choices
    else:
        options.pop("choices", None)
    return libelle, options


def _log_champ(procedure, administrateur, action: str, tdc: TypeDeChamp) -> None:
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": action, "stable_id": tdc.stable_id, "libelle": tdc.libelle, "revision": tdc.revision_id},
    )


@transaction.atomic
def type_de_champ_ajouter(
    *, procedure: Procedure, administrateur, type_champ: str, libelle: str, mandatory: bool = False,
    description: str = "", options: dict | None = None, private: bool = False,
) -> TypeDeChamp:
    _require_admin(procedure, administrateur)
    libelle, options = _clean_type_de_champ(type_champ=type_champ, libelle=libelle, options=options)
    revision = _draft(procedure)
    position = (
        revision.types_de_champ.filter(private=private, parent__isnull=True).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    tdc = TypeDeChamp.objects.create(
        revision=revision, stable_id=next_stable_id(), type_champ=type_champ, libelle=libelle,
        mandatory=mandatory, description=description.strip(), options=options, private=private, position=position,
    )
    _log_champ(procedure, administrateur, "type_de_champ_ajouter", tdc)
    return tdc


@transaction.atomic
def type_de_champ_modifier(
    *, procedure: Procedure, administrateur, stable_id: int, type_champ: str, libelle: str, mandatory: bool = False,
    description: str = "", options: dict | None = None,
) -> TypeDeChamp:
    _require_admin(procedure, administrateur)
    libelle, options = _clean_type_de_champ(type_champ=type_champ, libelle=libelle, options=options)
    tdc = _draft_type_de_champ(_draft(procedure), stable_id)
    tdc.type_champ = type_champ
    tdc.libelle = libelle
    tdc.description = description.strip()
    tdc.mandatory = mandatory
    tdc.options = {**{k: v for k, v in tdc.options.items() if k != "choices"}, **options}
    tdc.save()
    _log_champ(procedure, administrateur, "type_de_champ_modifier", tdc)
    return tdc


@transaction.atomic
def type_de_champ_deplacer(*, procedure: Procedure, administrateur, stable_id: int, direction: str) -> TypeDeChamp:
    """Move a champ one step up ("haut") or down ("bas") among its siblings."""
    _require_admin(procedure, administrateur)
    if direction not in ("haut", "bas"):
        raise ValidationError("Direction de déplacement inconnue.")
    revision = _draft(procedure)
    tdc = _draft_type_de_champ(revision, stable_id)
    ordered = list(_siblings(tdc).order_by("position", "id"))
    index = next(i for i, item in enumerate(ordered) if item.pk == tdc.pk)
    target = index - 1 if direction == "haut" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(revision, private=tdc.private, parent_id=tdc.parent_id, ordered=ordered)
        tdc.refresh_from_db()
        _log_champ(procedure, administrateur, f"type_de_champ_deplacer_{direction}", tdc)
    return tdc


@transaction.atomic
def type_de_champ_supprimer(*, procedure: Procedure, administrateur, stable_id: int) -> None:
    _require_admin(procedure, administrateur)
    revision = _draft(procedure)
    tdc = _draft_type_de_champ(revision, stable_id)
    private, parent_id = tdc.private, tdc.parent_id
    _log_champ(procedure, administrateur, "type_de_champ_supprimer", tdc)
    tdc.delete()
    _renumber(revision, private=private, parent_id=parent_id)


# --- Instructeurs -------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _groupe_de(procedure: Procedure, groupe: GroupeInstructeur | None) -> GroupeInstructeur:
    """The groupe given (it must belong to the démarche), or the démarche's default groupe."""
    if groupe is None:
        return procedure.default_groupe
    if groupe.procedure_id != procedure.pk:
        raise PermissionDenied("Ce groupe d'instructeurs n'appartient pas à cette démarche.")
    return groupe


def _ce_groupe(procedure: Procedure, groupe: GroupeInstructeur) -> str:
    """« cette démarche » while the démarche has one groupe, « ce groupe » once it has several."""
    return "ce groupe" if procedure.groupes_instructeurs.count() > 1 else "cette démarche"


@transaction.atomic
def instructeur_affecter(*, procedure: Procedure, administrateur, email: str, groupe: GroupeInstructeur | None = None):
    """Add a person to a groupe (the default one unless given); people without an account are invited by e-mail.

    Returns the Instructeur, or the InstructeurInvitation when the person has no account yet.
    """
    from demarches.accounts.models import Instructeur

    _require_admin(procedure, administrateur)
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Indiquez l'adresse électronique de l'instructeur."})
    groupe = _groupe_de(procedure, groupe)
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None:
        instructeur, _ = Instructeur.objects.get_or_create(user=user)
        if groupe.instructeurs.filter(pk=instructeur.pk).exists():
            raise ValidationError({"email": f"{email} est déjà instructeur de {_ce_groupe(procedure, groupe)}."})
        groupe.instructeurs.add(instructeur)
        email_envoyer(
            to=user.email,
            subject=f"Vous avez été affecté à la démarche « {procedure.libelle} »",
            template="procedures/emails/instructeur_affecte",
            context={"procedure": procedure, "url": _absolute(reverse("instruction:procedures"))},
            kind="instructeur_affecte",
        )
        result = instructeur
    else:
        invitation = groupe.invitations.filter(email__iexact=email, accepted_at__isnull=True).first()
        if invitation is None:
            invitation = InstructeurInvitation.objects.create(email=email, groupe=groupe, invited_by=administrateur.user)
        email_envoyer(
            to=email,
            subject=f"Vous êtes invité à instruire la démarche « {procedure.libelle} »",
            template="procedures/emails/invitation_instructeur",
            context={
                "procedure": procedure,
                "invited_by": administrateur.user.email,
                "url": _absolute(reverse("invitation_instructeur", kwargs={"token": invitation.token})),
            },
            kind="invitation_instructeur",
        )
        result = invitation
    operation_enregistrer(
        operation=OperationLog.Operation.INSTRUCTEUR_AFFECTER, actor=administrateur.user, procedure=procedure,
        data={"email": email, "groupe": groupe.pk, "invitation": user is None},
    )
    return result


@transaction.atomic
def instructeur_retirer(*, procedure: Procedure, administrateur, instructeur, groupe: GroupeInstructeur | None = None) -> None:
    _require_admin(procedure, administrateur)
    groupe = _groupe_de(procedure, groupe)
    if not groupe.instructeurs.filter(pk=instructeur.pk).exists():
        raise ValidationError(f"Cette personne n'est pas instructeur de {_ce_groupe(procedure, groupe)}.")
    groupe.instructeurs.remove(instructeur)
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": "instructeur_retirer", "email": instructeur.user.email, "groupe": groupe.pk},
    )


@transaction.atomic
def instructeur_invitation_annuler(*, procedure: Procedure, administrateur, invitation: InstructeurInvitation) -> None:
    _require_admin(procedure, administrateur)
    if invitation.groupe.procedure_id != procedure.pk or invitation.accepted_at is not None:
        raise ValidationError("Cette invitation n'est plus en attente.")
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": "instructeur_invitation_annuler", "email": invitation.email},
    )
    invitation.delete()


# --- Lifecycle ----------------------------------------------------------------------------------


def path_suggestion(libelle: str) -> str:
    return slugify(libelle)[:150].strip("-") or "demarche"


def _freeze_and_copy(procedure: Procedure) -> None:
    """The draft becomes the published revision; a copy becomes the new draft."""
    now = timezone.now()
    draft = procedure.draft_revision
    draft.published_at = now
    draft.save(update_fields=["published_at"])
    new_draft = ProcedureRevision.objects.create(procedure=procedure)
    parents = {}
    # Parents first (NULLs sort last on PostgreSQL, first on SQLite: order explicitly).
    for tdc in draft.types_de_champ.order_by(F("parent_id").asc(nulls_first=True), "position", "id"):
        old_pk = tdc.pk
        tdc.pk = None
        tdc.revision = new_draft
        tdc.parent_id = parents.get(tdc.parent_id)
        tdc.save()
        parents[old_pk] = tdc.pk
    procedure.published_revision = draft
    procedure.draft_revision = new_draft


@transaction.atomic
def procedure_publier(*, procedure: Procedure, administrateur, path: str, lien_site: str | None = None) -> Procedure:
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
    republication = procedure.published_revision_id is not None
    if procedure.state == Procedure.State.PUBLIEE and not selectors.brouillon_modifie(procedure):
        raise ValidationError("Le formulaire n'a pas changé depuis sa publication : il n'y a aucune modification à publier.")
    changements = selectors.revision_changements(procedure) if republication else []
    procedure.path = path
    if lien_site is not None:
        procedure.lien_site = " ".join(lien_site.split())[:500]
    _freeze_and_copy(procedure)
    procedure.state = Procedure.State.PUBLIEE
    procedure.published_at = procedure.published_at or timezone.now()
    procedure.closed_at = None
    procedure.save()
    # Test dossiers never mix with real ones.
    procedure.dossiers.filter(for_procedure_preview=True).delete()
    migres = _dossiers_rebaser(procedure, procedure.published_revision) if republication else 0
    data = {"path": path}
    if republication:
        data.update(revision=procedure.published_revision_id, dossiers_migres=migres, changements=[
            {"action": c["action"], "stable_id": c["stable_id"], "libelle": c["libelle"]} for c in changements
        ])
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_PUBLIER, actor=administrateur.user, procedure=procedure, data=data
    )
    return procedure


# Dossiers that follow the form's new version when it is published; terminated ones keep theirs.
ETATS_MIGRES = ("brouillon", "en_construction", "en_instruction")


def _dossiers_rebaser(procedure: Procedure, revision: ProcedureRevision) -> int:
    """Move the dossiers not yet terminated to `revision`: each value row follows its champ by
    stable_id; values of champs removed from the form stay in place, no longer shown."""
    from django.apps import apps

    Champ = apps.get_model("dossiers", "Champ")
    moving = procedure.dossiers.filter(state__in=ETATS_MIGRES).exclude(revision=revision)
    for tdc in revision.types_de_champ.only("pk", "stable_id"):
        Champ.objects.filter(dossier__in=moving.values("pk"), stable_id=tdc.stable_id).update(type_de_champ=tdc)
    return moving.update(revision=revision)


@transaction.atomic
def procedure_clore(
    *, procedure: Procedure, administrateur, motif: str = "", remplacee_par: Procedure | None = None,
    precisions: str = "", prevenir_usagers: bool = False,
) -> Procedure:
    """Close a published démarche: no new dossier, brouillons can no longer be deposited, dossiers
    already deposited stay instructible.

    motif "remplacee": remplacee_par, one of his published démarches, is shown to usagers on the
    closed page. prevenir_usagers: the owners of a brouillon on this démarche get an e-mail.
    """
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _require_admin(procedure, administrateur)
    if not policies.peut_etre_close(procedure):
        raise ValidationError("Seule une démarche publiée peut être close.")
    if motif not in ("", "remplacee", "autre"):
        raise ValidationError({"motif": "Motif de clôture inconnu."})
    if motif == "remplacee":
        if remplacee_par is None:
            raise ValidationError({"remplacee_par": "Choisissez la démarche qui remplace celle-ci."})
        if not policies.peut_remplacer(administrateur.user, procedure, remplacee_par):
            raise ValidationError({"remplacee_par": "Choisissez une de vos démarches publiées, autre que celle-ci."})
    else:
        remplacee_par = None
    procedure.state = Procedure.State.CLOSE
    procedure.closed_at = timezone.now()
    procedure.closing_reason = motif
    procedure.closing_details = (precisions or "").strip()
    procedure.replaced_by_procedure = remplacee_par
    procedure.save(update_fields=[
        "state", "closed_at", "closing_reason", "closing_details", "replaced_by_procedure", "updated_at",
    ])
    prevenus = _brouillons_prevenir(procedure) if prevenir_usagers else 0
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_CLORE, actor=administrateur.user, procedure=procedure,
        data={"motif": motif, "remplacee_par": getattr(remplacee_par, "pk", None), "usagers_prevenus": prevenus},
    )
    return procedure


def _brouillons_prevenir(procedure: Procedure) -> int:
    """One e-mail per person having a brouillon on the closed démarche. Returns how many were sent."""
    from django.apps import apps

    Dossier = apps.get_model("dossiers", "Dossier")
    emails = (
        Dossier.objects.filter(procedure=procedure, state="brouillon", for_procedure_preview=False)
        .exclude(user__isnull=True).values_list("user__email", flat=True).distinct().order_by("user__email")
    )
    remplacante = procedure.replaced_by_procedure
    context = {
        "procedure": procedure,
        "service": procedure.service,
        "remplacante": remplacante,
        "lien_remplacante": _absolute(reverse("dossiers:commencer", args=[remplacante.path])) if remplacante else "",
        "lien_dossiers": _absolute(reverse("dossiers:index")),
    }
    count = 0
    for email in emails:
        email_envoyer(
            to=email, subject=f"La démarche « {procedure.libelle} » est close",
            template="procedures/emails/demarche_close", context=context, kind="demarche_close",
        )
        count += 1
    return count


@transaction.atomic
def procedure_reactiver(*, procedure: Procedure, administrateur) -> Procedure:
    """Reopen a closed démarche at its published address (« Réactiver »)."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _require_admin(procedure, administrateur)
    if not policies.peut_etre_reactivee(procedure):
        raise ValidationError("Seule une démarche close, déjà publiée et non supprimée peut être réactivée.")
    if procedure.auto_archive_on and procedure.auto_archive_on < timezone.localdate():
        raise ValidationError(
            "La date limite de dépôt de cette démarche est passée : modifiez-la ou retirez-la avant de réactiver la démarche."
        )
    if Procedure.objects.filter(path=procedure.path, state=Procedure.State.PUBLIEE).exclude(pk=procedure.pk).exists():
        raise ValidationError("Une autre démarche publiée utilise déjà cette adresse.")
    procedure.state = Procedure.State.PUBLIEE
    procedure.closed_at = None
    procedure.closing_reason = ""
    procedure.closing_details = ""
    procedure.replaced_by_procedure = None
    procedure.save(update_fields=[
        "state", "closed_at", "closing_reason", "closing_details", "replaced_by_procedure", "updated_at",
    ])
    # Not an Operation choice yet (see the report): a plain operation name.
    operation_enregistrer(operation="procedure_reactiver", actor=administrateur.user, procedure=procedure)
    return procedure


# --- Automatic e-mails --------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in mail_templates.TYPES_PAR_KIND:
        raise ValidationError("Type d'e-mail inconnu.")


def mail_template_verifier(*, procedure: Procedure, subject: str, body: str) -> None:
    """Raise a ValidationError per field when the text is empty or uses tags the démarche does not have."""
    errors = {}
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        errors["subject"] = "Indiquez l'objet de l'e-mail."
    elif "\n" in subject or "\r" in subject:
        errors["subject"] = "L'objet de l'e-mail doit tenir sur une seule ligne."
    if not body:
        errors["body"] = "Rédigez le corps de l'e-mail."
    for name, text in (("subject", subject), ("body", body)):
        if name in errors:
            continue
        inconnues = mail_templates.balises_inconnues(procedure, text)
        if inconnues:
            errors[name] = mail_tags.message_inconnues(inconnues)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mail_template_enregistrer(*, procedure: Procedure, administrateur, kind: str, subject: str, body: str) -> MailTemplate:
    _require_admin(procedure, administrateur)
    _check_kind(kind)
    mail_template_verifier(procedure=procedure, subject=subject, body=body)
    template, _ = MailTemplate.objects.update_or_create(
        procedure=procedure, kind=kind, defaults={"subject": subject.strip(), "body": body.strip()}
    )
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": "mail_template_enregistrer", "kind": kind},
    )
    return template


@transaction.atomic
def mail_template_retablir(*, procedure: Procedure, administrateur, kind: str) -> None:
    """Back to the platform's default text."""
    _require_admin(procedure, administrateur)
    _check_kind(kind)
    deleted, _ = MailTemplate.objects.filter(procedure=procedure, kind=kind).delete()
    if deleted:
        operation_enregistrer(
            operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
            data={"action": "mail_template_retablir", "kind": kind},
        )


# --- Clone, export, import ----------------------------------------------------------------------


def _champ_creer(revision: ProcedureRevision, champ: dict, *, private: bool, position: int, parent=None, crees: list) -> TypeDeChamp:
    """Create a champ (and its block's champs) without its condition; `crees` collects (champ, TypeDeChamp)."""
    field_type = registry.get(champ["type_champ"])
    options = {key: value for key, value in champ["options"].items() if key != "condition"}
    libelle, options = _clean_type_de_champ(type_champ=champ["type_champ"], libelle=champ["libelle"], options=options)
    tdc = TypeDeChamp.objects.create(
        revision=revision, stable_id=next_stable_id(), type_champ=champ["type_champ"], libelle=libelle,
        description=(champ.get("description") or "").strip(), mandatory=champ.get("mandatory", False),
        options=options, private=private, position=position, parent=parent,
    )
    crees.append((champ, tdc))
    children = champ.get("children") or []
    if children and not field_type.has_children:
        raise ValidationError(f"Le champ « {libelle} » n'est pas un bloc répétable : il ne peut pas contenir de champs.")
    for child_position, child in enumerate(children, start=1):
        _champ_creer(revision, child, private=private, position=child_position, parent=tdc, crees=crees)
    return tdc


def _creer_depuis_definition(
    *, administrateur, definition: dict, service: Service | None, origine: dict
) -> tuple[Procedure, dict[int, TypeDeChamp], list[GroupeInstructeur]]:
    """A new démarche en test from a definition read by definitions.lire; new stable_ids throughout,
    every reference to a champ (conditions, routing, règles d'inéligibilité) following its champ.

    Returns the démarche, its champs by the definition's ref, and its groupes in the definition's order.
    """
    from .models import RegleIneligibilite

    procedure = procedure_creer(administrateur=administrateur, service=service, **definition["procedure"])
    revision = procedure.draft_revision
    crees: list[tuple[dict, TypeDeChamp]] = []
    for private, key in ((False, "champs"), (True, "annotations")):
        for position, champ in enumerate(definition[key], start=1):
            try:
                _champ_creer(revision, champ, private=private, position=position, crees=crees)
            except ValidationError as error:
                raise ValidationError(f"Champ « {champ['libelle']} » : " + " ".join(error.messages)) from None
    par_ref = {champ["ref"]: tdc for champ, tdc in crees if champ.get("ref") is not None}
    nouveaux = {ref: tdc.stable_id for ref, tdc in par_ref.items()}
    # Conditions once every champ has its new stable_id (a condition may name a later champ).
    for champ, tdc in crees:
        condition = champ["options"].get("condition")
        if condition is not None:
            tdc.options = {**tdc.options, "condition": definitions.remapper(condition, nouveaux)}
            tdc.save(update_fields=["options"])
    seen = set()
    for mail in definition["mail_templates"]:
        type_email = mail_templates.TYPES_PAR_KIND.get(mail["kind"])
        if type_email is None or mail["kind"] in seen:
            raise ValidationError(f"Type d'e-mail inconnu ou répété : {mail['kind']}.")
        seen.add(mail["kind"])
        try:
            mail_template_verifier(procedure=procedure, subject=mail["subject"], body=mail["body"])
        except ValidationError as error:
            raise ValidationError(f"E-mail « {type_email.label} » : " + " ".join(error.messages)) from None
        MailTemplate.objects.create(procedure=procedure, kind=mail["kind"], subject=mail["subject"].strip(), body=mail["body"].strip())
    groupes = [procedure.default_groupe]
    for index, data in enumerate(definition.get("groupes") or []):
        if index == 0:
            groupe = groupes[0]
            groupe.label, groupe.closed, groupe.routing_values = data["label"], data["closed"], data["routing_values"]
            groupe.save(update_fields=["label", "closed", "routing_values"])
        else:
            groupes.append(GroupeInstructeur.objects.create(
                procedure=procedure, label=data["label"], closed=data["closed"], routing_values=data["routing_values"],
            ))
    if definition.get("routage") is not None:
        procedure.routing_stable_id = nouveaux[definition["routage"]]
        procedure.save(update_fields=["routing_stable_id"])
    ineligibilite = definition.get("ineligibilite")
    if ineligibilite is not None:
        RegleIneligibilite.objects.create(
            procedure=procedure, active=ineligibilite["active"], message=ineligibilite["message"].strip(),
            condition=definitions.remapper(ineligibilite["condition"], nouveaux),
        )
    _attestations_creer(procedure, administrateur, definition.get("attestations") or [])
    _labels_creer(procedure, definition.get("labels") or [])
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure, data=origine,
    )
    return procedure, par_ref, groupes


def _extension_image(content: bytes) -> str:
    """The file extension of an image's format (the editor's service checks the image itself)."""
    import io

    from PIL import Image

    from demarches.documents.services import IMAGE_FORMATS

    try:
        with Image.open(io.BytesIO(content)) as image:
            return IMAGE_FORMATS.get(image.format, ".img")
    except Exception:  # noqa: BLE001 (whatever it is, image_verifier refuses it with its own message)
        return ".img"


def _attestations_creer(procedure: Procedure, administrateur, attestations: list[dict]) -> None:
    """The attestation templates of a definition, through the attestation editor's own service: the
    same checks of tags and images (PNG or JPEG, size limit, really an image); the images get new files."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from demarches.documents import services as documents_services
    from demarches.documents.models import AttestationKind

    for attestation in attestations:
        images = {
            name: SimpleUploadedFile(f"image{_extension_image(attestation[name])}", attestation[name])
            if attestation.get(name) else None
            for name in definitions.ATTESTATION_IMAGES
        }
        try:
            documents_services.attestation_modele_enregistrer(
                procedure=procedure, administrateur=administrateur, kind=attestation["kind"],
                activated=attestation["activated"], title=attestation["title"], body=attestation["body"],
                footer=attestation["footer"], qr_code=attestation["qr_code"], **images,
            )
        except Image.DecompressionBombError:
            label = AttestationKind(attestation["kind"]).label
            raise ValidationError(
                f"{label[0].upper()}{label[1:]} : une image est bien trop grande en pixels ; choisissez une image PNG ou JPEG."
            ) from None
        except ValidationError as error:
            label = AttestationKind(attestation["kind"]).label
            raise ValidationError(f"{label[0].upper()}{label[1:]} : " + " ".join(error.messages)) from None


def _labels_creer(procedure: Procedure, labels: list[dict]) -> None:
    from demarches.instruction.models import Label

    Label.objects.bulk_create([Label(procedure=procedure, name=label["name"], color=label["color"]) for label in labels])


def _fichier_copier(field_file, copie_field) -> None:
    if not field_file:
        return
    try:
        with field_file.open("rb") as handle:
            copie_field.save(field_file.name.rsplit("/", 1)[-1], ContentFile(handle.read()), save=False)
    except FileNotFoundError:
        return


def _fichiers_de_champs_copier(source: Procedure, copie: Procedure, par_ref: dict[int, TypeDeChamp]) -> None:
    """The files held in the champs' options (model documents…), copied for the copy's champs:
    the two démarches never share a file (one may replace or remove it)."""
    from django.core.files.storage import default_storage
    from django.utils.text import get_valid_filename

    for ref, tdc_source in enumerate(definitions.types_de_champ_ordonnes(source.draft_revision), start=1):
        cible = par_ref.get(ref)
        if cible is None:
            continue
        copies = {}
        for key in definitions.options_fichiers(tdc_source.type_champ):
            fichier = (tdc_source.options or {}).get(key)
            if not isinstance(fichier, dict) or not fichier.get("chemin"):
                continue
            nom = get_valid_filename(fichier.get("nom") or "modele")[:120] or "modele"
            try:
                with default_storage.open(fichier["chemin"], "rb") as handle:
                    chemin = default_storage.save(f"modeles/{copie.pk}/{cible.stable_id}/{nom}", ContentFile(handle.read()))
            except (FileNotFoundError, OSError):
                continue
            copies[key] = {**fichier, "nom": nom, "chemin": chemin}
        if copies:
            cible.options = {**cible.options, **copies}
            cible.save(update_fields=["options"])


def _copier(*, procedure: Procedure, administrateur, origine: dict, avec_instructeurs: bool = False) -> Procedure:
    """A new démarche en test for `administrateur`, copy of `procedure` with its description, files,
    groupes and routing; `avec_instructeurs`: each groupe keeps its instructeurs too."""
    definition = definitions.lire(definitions.exporter(procedure))
    service = procedure.service
    if service is not None and not policies.can_use_service(administrateur.user, service):
        service = None
    copie, par_ref, groupes = _creer_depuis_definition(
        administrateur=administrateur, definition=definition, service=service, origine=origine,
    )
    for name in PROCEDURE_ATTRIBUTS_COPIES:
        setattr(copie, name, getattr(procedure, name))
    for name in PROCEDURE_FICHIERS:
        _fichier_copier(getattr(procedure, name), getattr(copie, name))
    copie.save()
    _fichiers_de_champs_copier(procedure, copie, par_ref)
    if avec_instructeurs:
        for source_groupe, groupe in zip(procedure.groupes_instructeurs.order_by("id"), groupes, strict=True):
            groupe.instructeurs.set(source_groupe.instructeurs.all())
    return copie


@transaction.atomic
def procedure_cloner(*, procedure: Procedure, administrateur) -> Procedure:
    """A new démarche en test, copy of one of his démarches or of any published démarche.

    Champs, annotations (conditions included), e-mails, groupes d'instructeurs with the routing
    rule and the règles d'inéligibilité are copied. Like the reference platform, the instructeurs
    of the groupes are copied only when the administrateur administers the démarche he copies
    (not for a démarche of the catalogue). The service is kept only when the administrateur may
    use it; path and dossiers are never copied.
    """
    if not policies.can_clone(administrateur.user, procedure):
        raise PermissionDenied("Cette démarche ne peut pas être copiée.")
    return _copier(
        procedure=procedure, administrateur=administrateur, origine={"action": "procedure_cloner", "source": procedure.pk},
        avec_instructeurs=policies.can_administer(administrateur.user, procedure),
    )


@transaction.atomic
def procedure_envoyer_copie(*, procedure: Procedure, administrateur, email: str) -> Procedure:
    """« Envoyer une copie »: the démarche is copied into the « En test » tab of another
    administrateur, who is told by e-mail. Returns the copy."""
    from demarches.accounts.models import Administrateur

    _require_admin(procedure, administrateur)
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Indiquez l'adresse électronique de l'administrateur destinataire."})
    destinataire = Administrateur.objects.select_related("user").filter(user__email__iexact=email).first()
    if destinataire is None:
        raise ValidationError({"email": (
            f"Aucun administrateur n'a l'adresse {email} : vérifiez l'adresse, "
            "la personne doit avoir un compte administrateur sur la plateforme."
        )})
    if destinataire.pk == administrateur.pk:
        raise ValidationError({"email": "C'est votre propre adresse : pour copier la démarche pour vous-même, utilisez « Copier la démarche »."})
    copie = _copier(
        procedure=procedure, administrateur=destinataire,
        origine={"action": "procedure_copie_recue", "source": procedure.pk, "envoyee_par": administrateur.user.email},
    )
    email_envoyer(
        to=destinataire.user.email,
        subject=f"Une copie de la démarche « {procedure.libelle} » vous a été envoyée",
        template="procedures/emails/copie_recue",
        context={"procedure": copie, "envoyee_par": administrateur.user.email,
                 "url": _absolute(reverse("procedures:show", args=[copie.pk]))},
        kind="procedure_copie_recue",
    )
    # Not an Operation choice yet (see the report): a plain operation name.
    operation_enregistrer(
        operation="procedure_envoyer_copie", actor=administrateur.user, procedure=procedure,
        data={"destinataire": destinataire.user.email, "copie": copie.pk},
    )
    return copie


def procedure_exporter(*, procedure: Procedure, administrateur) -> dict:
    _require_admin(procedure, administrateur)
    return definitions.exporter(procedure)


def _service_importe(administrateur, fields: dict | None) -> Service | None:
    if not fields or not (fields.get("nom") or "").strip():
        return None
    email = (fields.get("email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"L'adresse électronique du service « {fields['nom']} » n'est pas valide.") from None
    existing = Service.objects.filter(administrateur=administrateur, nom=fields["nom"].strip(), email=email).first()
    return existing or service_creer(administrateur=administrateur, **{**fields, "email": email})


@transaction.atomic
def procedure_importer(*, administrateur, document) -> Procedure:
    """A new démarche en test from an exported definition (see definitions.py)."""
    definition = definitions.lire(document)
    service = _service_importe(administrateur, definition["service"])
    procedure, _, _ = _creer_depuis_definition(
        administrateur=administrateur, definition=definition, service=service, origine={"action": "procedure_importer"},
    )
    return procedure


# --- Co-administrateurs -------------------------------------------------------------------------


@transaction.atomic
def administrateur_ajouter(*, procedure: Procedure, administrateur, email: str):
    """Share the démarche with another administrateur (who must already have an administrateur account)."""
    from demarches.accounts.models import Administrateur

    _require_admin(procedure, administrateur)
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Indiquez l'adresse électronique de l'administrateur."})
    nouveau = Administrateur.objects.select_related("user").filter(user__email__iexact=email).first()
    if nouveau is None:
        raise ValidationError({"email": (
            f"Aucun administrateur n'a l'adresse {email} : la personne doit d'abord obtenir un compte administrateur."
        )})
    if procedure.administrateurs.filter(pk=nouveau.pk).exists():
        raise ValidationError({"email": f"{email} administre déjà cette démarche."})
    procedure.administrateurs.add(nouveau)
    email_envoyer(
        to=nouveau.user.email,
        subject=f"Vous administrez maintenant la démarche « {procedure.libelle} »",
        template="procedures/emails/administrateur_ajoute",
        context={"procedure": procedure, "added_by": administrateur.user.email,
                 "url": _absolute(reverse("procedures:show", args=[procedure.pk]))},
        kind="administrateur_ajoute",
    )
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": "administrateur_ajouter", "email": nouveau.user.email},
    )
    return nouveau


@transaction.atomic
def administrateur_retirer(*, procedure: Procedure, administrateur, retire) -> None:
    """Remove a co-administrateur (possibly oneself); a démarche always keeps at least one."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _require_admin(procedure, administrateur)
    if not procedure.administrateurs.filter(pk=retire.pk).exists():
        raise ValidationError("Cette personne n'administre pas cette démarche.")
    if procedure.administrateurs.count() <= 1:
        raise ValidationError("Une démarche doit toujours avoir au moins un administrateur : ajoutez-en un autre avant de vous retirer.")
    procedure.administrateurs.remove(retire)
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": "administrateur_retirer", "email": retire.user.email},
    )


# --- Date limite de dépôt (periodic job) --------------------------------------------------------


def procedures_clore_a_date_limite(*, today=None) -> list[int]:
    """Close the published démarches whose date limite de dépôt is over, at the midnight ending it.

    Their dossiers en construction pass en instruction automatically (the usager can no longer
    change them); brouillons can no longer be deposited since the démarche is closed. Idempotent:
    a démarche already closed is left alone. Returns the ids of the démarches closed.
    """
    from demarches.dossiers import transitions

    today = today or timezone.localdate()
    closed = []
    for procedure_id in Procedure.objects.filter(
        state=Procedure.State.PUBLIEE, auto_archive_on__lt=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            procedure = Procedure.objects.select_for_update().get(pk=procedure_id)
            if procedure.state != Procedure.State.PUBLIEE or not procedure.auto_archive_on or procedure.auto_archive_on >= today:
                continue
            procedure.state = Procedure.State.CLOSE
            procedure.closed_at = timezone.now()
            procedure.save(update_fields=["state", "closed_at", "updated_at"])
            en_construction = procedure.dossiers.filter(state="en_construction", for_procedure_preview=False)
            for dossier in en_construction.order_by("pk"):
                transitions.passer_automatiquement_en_instruction(dossier=dossier)
            operation_enregistrer(
                operation=OperationLog.Operation.PROCEDURE_CLORE, automatic=True, procedure=procedure,
                data={"action": "date_limite", "date_limite": procedure.auto_archive_on.isoformat()},
            )
            closed.append(procedure.pk)
    return closed


# --- Suppression --------------------------------------------------------------------------------


@transaction.atomic
def procedure_supprimer(*, procedure: Procedure, administrateur) -> Procedure:
    """Delete (hide) a démarche en test or closed: it leaves the administrateurs' lists and the
    catalogue; the test link stops working and test dossiers are destroyed."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _require_admin(procedure, administrateur)
    if not policies.peut_etre_supprimee(procedure):
        raise ValidationError("Seule une démarche en test ou close peut être supprimée : clore d'abord la démarche.")
    procedure.hidden_at = timezone.now()
    procedure.test_token = uuid.uuid4()
    procedure.save(update_fields=["hidden_at", "test_token", "updated_at"])
    procedure.dossiers.filter(for_procedure_preview=True).delete()
    operation_enregistrer(
        operation=OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": "procedure_supprimer", "state": procedure.state},
    )
    return procedure
