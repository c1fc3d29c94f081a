"""Writes of the instructor and expert workspace, named in the domain's words.

State changes of a dossier are not here: they belong to demarches.dossiers.transitions.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from demarches.accounts.models import Expert, Instructeur
from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.core.emails import email_envoyer
from demarches.dossiers.models import CorrectionDemande, Dossier, Follow
from demarches.dossiers.policies import can_edit_as_usager, can_view_as_instructeur
from demarches.dossiers.services import _champ_ecrire, _parse, _repetition_enregistrer
from demarches.fields import visibilite
from demarches.fields.registry import StoredValue
from demarches.procedures.policies import can_instruct

from . import compteurs, selectors
from .liste import reindexation
from .notifications import sans_refus
from .models import SUPPRESSION_RESTAURABLE_DELAI, Avis, DossierLabel, Label, SuppressionAdministration

# Operation names of the avis in the audit log (same naming as the other operations).
AVIS_DEMANDER = OperationLog.Operation.AVIS_DEMANDER
AVIS_DONNER = OperationLog.Operation.AVIS_DONNER
AVIS_RELANCER = OperationLog.Operation.AVIS_RELANCER
AVIS_REVOQUER = OperationLog.Operation.AVIS_REVOQUER
AVIS_RELANCE_DELAI = timedelta(hours=24)
# Operations of this app not (yet) in OperationLog.Operation: the log stores any name.
ANNOTATIONS_MODIFIER = "annotations_modifier"
DOSSIER_ARCHIVER = "dossier_archiver"
DOSSIER_DESARCHIVER = "dossier_desarchiver"
LABELS_MODIFIER = "labels_modifier"
CORRECTION_EFFECTUER = "correction_effectuer"
DOSSIER_ENVOYER = "dossier_envoyer"


def _require_instructeur_of(instructeur, dossier: Dossier) -> None:
    if not can_view_as_instructeur(instructeur.user, dossier):
        raise PermissionDenied("Vous n'instruisez pas ce dossier.")


@transaction.atomic
def dossier_suivre(*, dossier: Dossier, instructeur) -> Follow:
    """The instructeur takes the dossier in charge: it leaves "à suivre" for his "suivis" tab."""
    _require_instructeur_of(instructeur, dossier)
    follow, created = Follow.objects.get_or_create(instructeur=instructeur, dossier=dossier)
    if created:
        compteurs.invalider(dossier.procedure_id, [dossier.pk])
        operation_enregistrer(operation=OperationLog.Operation.SUIVRE, actor=instructeur.user, dossier=dossier)
    return follow


@transaction.atomic
def dossier_ne_plus_suivre(*, dossier: Dossier, instructeur) -> None:
    _require_instructeur_of(instructeur, dossier)
    deleted, _ = Follow.objects.filter(instructeur=instructeur, dossier=dossier).delete()
    if deleted:
        compteurs.invalider(dossier.procedure_id, [dossier.pk])
        operation_enregistrer(operation=OperationLog.Operation.NE_PLUS_SUIVRE, actor=instructeur.user, dossier=dossier)


def demande_marquer_vue(*, dossier: Dossier, instructeur) -> None:
    """Remember when a following instructeur last read the demande (for the notification dots)."""
    Follow.objects.filter(instructeur=instructeur, dossier=dossier).update(demande_seen_at=timezone.now())


def messagerie_marquer_lue(*, dossier: Dossier, instructeur) -> None:
    """Remember when a following instructeur last read the messagerie (for the notification dots)."""
    Follow.objects.filter(instructeur=instructeur, dossier=dossier).update(messagerie_seen_at=timezone.now())


def _expert_pour(email: str):
    """The expert profile of this address, creating the account (without password) of someone new to the platform.

    Returns (expert, created): a new account receives with its invitation a link to choose its password.
    """
    from allauth.account.models import EmailAddress

    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    created = False
    if user is None:
        user = User.objects.create_user(email=email, password=None)
        # Only the owner of the mailbox can use the link that sets the password: the address is proven by it.
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        created = True
    expert, _ = Expert.objects.get_or_create(user=user)
    return expert, created


def _lien_mot_de_passe(user) -> str:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    return settings.SITE_URL + reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )


def _avis_email(avis: Avis, *, nouveau_compte: bool, relance: bool = False) -> None:
    dossier = avis.dossier
    email_envoyer(
        to=avis.expert.user.email,
        subject=(
            f"Relance : votre avis est attendu sur le dossier n° {dossier.pk} ({dossier.procedure.libelle})"
            if relance
            else f"Votre avis est demandé sur le dossier n° {dossier.pk} ({dossier.procedure.libelle})"
        ),
        template="instruction/emails/avis_demande",
        context={
            "avis": avis,
            "dossier": dossier,
            "procedure": dossier.procedure,
            "claimant_email": avis.claimant.user.email if avis.claimant else "",
            "avis_url": settings.SITE_URL + reverse("instruction:avis_detail", args=[avis.pk]),
            "mot_de_passe_url": _lien_mot_de_passe(avis.expert.user) if nouveau_compte else "",
            "relance": relance,
        },
        kind="avis_relance" if relance else "avis_demande",
        dossier_id=dossier.pk,
    )


@transaction.atomic
def avis_demander_plusieurs(
    *,
    dossier: Dossier,
    instructeur,
    expert_emails: list[str],
    introduction: str,
    question_label: str = "",
    confidentiel: bool = False,
    introduction_file=None,
) -> list[Avis]:
    """Ask one or several people for an opinion on the dossier and tell each of them by e-mail.

    Someone without an account gets one, and his e-mail carries the link to choose a password.
    """
    _require_instructeur_of(instructeur, dossier)
    if dossier.is_termine:
        raise ValidationError("Une décision a été prise sur ce dossier : il n'est plus possible de demander un avis.")
    errors = {}
    emails = list(dict.fromkeys(e.strip().lower() for e in expert_emails if e and e.strip()))
    introduction = (introduction or "").strip()
    if not emails:
        errors["expert_email"] = "Indiquez l'adresse électronique de l'expert."
    elif instructeur.user.email.lower() in emails:
        errors["expert_email"] = "Vous ne pouvez pas vous demander un avis à vous-même."
    elif get_user_model().objects.filter(email__in=emails, is_active=False).exists():
        errors["expert_email"] = "Un des comptes indiqués est désactivé : choisissez une autre personne."
    if not introduction:
        errors["introduction"] = "Expliquez à l'expert ce que vous attendez de lui."
    if errors:
        raise ValidationError(errors)
    created_avis = []
    for email in emails:
        expert, nouveau_compte = _expert_pour(email)
        avis = Avis.objects.create(
            dossier=dossier,
            expert=expert,
            claimant=instructeur,
            introduction=introduction,
            question_label=(question_label or "").strip(),
            confidentiel=confidentiel,
        )
        if introduction_file:
            introduction_file.seek(0)
            avis.introduction_file.save(introduction_file.name, introduction_file, save=True)
        operation_enregistrer(
            operation=AVIS_DEMANDER, actor=instructeur.user, dossier=dossier, data={"avis": avis.pk, "expert": email}
        )
        _avis_email(avis, nouveau_compte=nouveau_compte)
        created_avis.append(avis)
    return created_avis


def avis_demander(*, dossier: Dossier, instructeur, expert_email: str, introduction: str, **options) -> Avis:
    """Ask one person for an opinion (see avis_demander_plusieurs)."""
    return avis_demander_plusieurs(
        dossier=dossier, instructeur=instructeur, expert_emails=[expert_email or ""], introduction=introduction, **options
    )[0]


def _avis_a_modifier(avis: Avis, instructeur) -> Avis:
    avis = (
        Avis.objects.select_for_update(of=("self",))
        .select_related("dossier__procedure", "expert__user", "claimant__user")
        .get(pk=avis.pk)
    )
    _require_instructeur_of(instructeur, avis.dossier)
    if not avis.is_pending:
        raise ValidationError("Cet avis a déjà été donné ou révoqué.")
    return avis


@transaction.atomic
def avis_relancer(*, avis: Avis, instructeur) -> Avis:
    """E-mail the expert again about an avis he has not given yet (at most once a day)."""
    avis = _avis_a_modifier(avis, instructeur)
    if avis.reminded_at and avis.reminded_at > timezone.now() - AVIS_RELANCE_DELAI:
        raise ValidationError("L'expert a déjà été relancé il y a moins de 24 heures.")
    avis.reminded_at = timezone.now()
    avis.save(update_fields=["reminded_at"])
    operation_enregistrer(
        operation=AVIS_RELANCER, actor=instructeur.user, dossier=avis.dossier, data={"avis": avis.pk}
    )
    _avis_email(avis, nouveau_compte=not avis.expert.user.has_usable_password(), relance=True)
    return avis


@transaction.atomic
def avis_revoquer(*, avis: Avis, instructeur) -> Avis:
    """Withdraw a pending avis request: the expert no longer reaches the dossier through it."""
    avis = _avis_a_modifier(avis, instructeur)
    avis.revoked_at = timezone.now()
    avis.save(update_fields=["revoked_at"])
    operation_enregistrer(
        operation=AVIS_REVOQUER, actor=instructeur.user, dossier=avis.dossier, data={"avis": avis.pk}
    )
    return avis


@transaction.atomic
def avis_donner(*, avis: Avis, expert, answer: str, question_answer: bool | None = None, piece_justificative=None) -> Avis:
    """Record (or correct) the expert's answer while the dossier is still being examined."""
    avis = (
        Avis.objects.select_for_update(of=("self",))
        .select_related("dossier__procedure", "claimant__user", "expert__user")
        .get(pk=avis.pk)
    )
    if expert is None or avis.expert_id != expert.pk or avis.is_revoked:
        raise PermissionDenied("Cet avis ne vous a pas été demandé.")
    if avis.dossier.is_termine:
        raise ValidationError("Une décision a été prise sur ce dossier : il n'est plus possible de donner un avis.")
    answer = (answer or "").strip()
    errors = {}
    if not answer:
        errors["answer"] = "Votre avis est vide : rédigez-le avant de l'envoyer."
    if avis.question_label and question_answer is None:
        errors["question_answer"] = "Répondez à la question par oui ou par non."
    if errors:
        raise ValidationError(errors)
    first_answer = avis.answered_at is None
    avis.answer = answer
    avis.question_answer = question_answer if avis.question_label else None
    avis.answered_at = timezone.now()
    if piece_justificative:
        avis.piece_justificative.save(piece_justificative.name, piece_justificative, save=False)
    avis.save(update_fields=["answer", "question_answer", "answered_at", "piece_justificative"])
    operation_enregistrer(
        operation=AVIS_DONNER, actor=expert.user, dossier=avis.dossier, data={"avis": avis.pk, "correction": not first_answer}
    )
    if avis.claimant is not None and sans_refus([avis.claimant_id], avis.dossier.procedure_id, "email_avis"):
        email_envoyer(
            to=avis.claimant.user.email,
            subject=f"Un avis a été donné sur le dossier n° {avis.dossier_id} ({avis.dossier.procedure.libelle})",
            template="instruction/emails/avis_donne",
            context={
                "avis": avis,
                "dossier": avis.dossier,
                "procedure": avis.dossier.procedure,
                "expert_email": expert.user.email,
                "dossier_url": settings.SITE_URL
                + reverse("instruction:dossier", args=[avis.dossier.procedure_id, avis.dossier_id]),
            },
            kind="avis_donne",
            dossier_id=avis.dossier_id,
        )
    return avis


# --- annotations privées -------------------------------------------------------------------------


def can_edit_annotations(instructeur, dossier: Dossier) -> bool:
    """The instructeurs who follow the dossier write its annotations; the others of the group read them.

    An archived dossier is frozen: nobody writes on it any more.
    """
    if instructeur is None or not can_view_as_instructeur(instructeur.user, dossier) or dossier.archived:
        return False
    return Follow.objects.filter(instructeur=instructeur, dossier=dossier).exists()


@transaction.atomic
def annotations_enregistrer(*, dossier: Dossier, instructeur, posted) -> dict[int, str]:
    """Save the posted private annotations; invalid input is kept as typed. Returns errors by stable_id."""
    if not can_edit_annotations(instructeur, dossier):
        raise PermissionDenied("Suivez le dossier pour modifier ses annotations privées.")
    if not hasattr(posted, "getlist"):  # a plain dict (API, jobs, tests): {name: value or [values]}
        posted = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in posted.items()})
    errors: dict[int, str] = {}
    changed = []
    annotations = selectors.annotations_du_dossier(dossier)
    parsed: dict[int, tuple] = {}
    for tdc, champ in annotations:
        field_type, html_id = tdc.field_type, tdc.html_id
        # Files are attached on their own (services_annotations); a block's rows are saved below.
        if not field_type.fillable or field_type.accepts_files or field_type.has_children:
            continue
        if html_id not in posted and f"{html_id}-present" not in posted:
            continue
        raw = field_type.raw_from_post(posted, html_id)
        parsed[tdc.stable_id] = _parse(field_type, raw, tdc.options, champ.stored if champ else None)
    # Annotations hidden by their conditions (evaluated on the values being saved) are emptied, not validated;
    # attachments and blocks keep what they hold (hidden, they are not shown).
    values = {tdc.stable_id: champ.stored for tdc, champ in annotations if champ is not None}
    values.update({stable_id: stored for stable_id, (stored, _) in parsed.items()})
    hidden = visibilite.masques_annotations_du_dossier(dossier, values)
    for tdc, champ in annotations:
        field_type = tdc.field_type
        if field_type.accepts_files or (field_type.has_children and tdc.stable_id in hidden):
            continue
        if field_type.has_children:
            if tdc.html_id not in posted and f"{tdc.html_id}-present" not in posted:
                continue
            # The usager form's rows: « Ajouter un élément », « Supprimer l’élément », each row's children.
            error, row_changed = _repetition_enregistrer(dossier, tdc, champ, posted)
            if error:
                errors[tdc.stable_id] = error
            if row_changed:
                changed.append(tdc.stable_id)
            continue
        if tdc.stable_id in hidden and field_type.fillable:
            stored, error = StoredValue(), ""
        elif tdc.stable_id in parsed:
            stored, error = parsed[tdc.stable_id]
        else:
            continue
        _, row_changed = _champ_ecrire(dossier, tdc, "", champ, stored)
        if error:
            errors[tdc.stable_id] = error
        if row_changed:
            changed.append(tdc.stable_id)
    if changed:
        Dossier.objects.filter(pk=dossier.pk).update(updated_at=timezone.now())
        reindexation.apres_commit(dossier.pk)
        operation_enregistrer(
            operation=ANNOTATIONS_MODIFIER, actor=instructeur.user, dossier=dossier, data={"stable_ids": changed}
        )
    return errors


# --- archives --------------------------------------------------------------------------------------


def can_archiver(instructeur, dossier: Dossier) -> bool:
    return dossier.is_termine and not dossier.archived and can_view_as_instructeur(instructeur.user, dossier)


def can_desarchiver(instructeur, dossier: Dossier) -> bool:
    return dossier.archived and can_view_as_instructeur(instructeur.user, dossier)


def _archived_set(*, dossier: Dossier, instructeur, archived: bool) -> Dossier:
    _require_instructeur_of(instructeur, dossier)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.archived == archived:
        return dossier  # already done (double click, two instructeurs): nothing to log twice
    if archived and not dossier.is_termine:
        raise ValidationError("Seul un dossier traité (accepté, refusé ou classé sans suite) peut être archivé.")
    dossier.archived = archived
    dossier.save(update_fields=["archived", "updated_at"])
    operation_enregistrer(
        operation=DOSSIER_ARCHIVER if archived else DOSSIER_DESARCHIVER, actor=instructeur.user, dossier=dossier
    )
    return dossier


@transaction.atomic
def dossier_archiver(*, dossier: Dossier, instructeur) -> Dossier:
    """Put a terminated dossier aside: it leaves the other tabs, and its messagerie is closed."""
    return _archived_set(dossier=dossier, instructeur=instructeur, archived=True)


@transaction.atomic
def dossier_desarchiver(*, dossier: Dossier, instructeur) -> Dossier:
    return _archived_set(dossier=dossier, instructeur=instructeur, archived=False)


# --- supprimer le dossier pour l'administration ------------------------------------------------------



def est_supprime_pour_administration(dossier: Dossier) -> bool:
    try:
        return dossier.suppression_administration is not None
    except SuppressionAdministration.DoesNotExist:
        return False


def can_supprimer_pour_administration(instructeur, dossier: Dossier) -> bool:
    """A terminated dossier (accepté, refusé, classé sans suite) of the instructeur's groups, not yet deleted."""
    return (
        dossier.is_termine
        and can_view_as_instructeur(instructeur.user, dossier)
        and not est_supprime_pour_administration(dossier)
    )


def can_restaurer_pour_administration(instructeur, dossier: Dossier, *, now=None) -> bool:
    """Restorable by an instructeur of its groups while it is in « supprimés récemment »."""
    if not can_view_as_instructeur(instructeur.user, dossier) or not est_supprime_pour_administration(dossier):
        return False
    return dossier.suppression_administration.created_at > (now or timezone.now()) - SUPPRESSION_RESTAURABLE_DELAI


def restaurable_jusqu_au(dossier: Dossier):
    """The end of the period during which a dossier deleted for the administration can be restored."""
    return dossier.suppression_administration.created_at + SUPPRESSION_RESTAURABLE_DELAI


@transaction.atomic
def dossier_supprimer_pour_administration(*, dossier: Dossier, instructeur) -> SuppressionAdministration:
    """« Supprimer le dossier »: a terminated dossier leaves the lists, counters and exports of every
    instructeur of the démarche; its usager still sees it. Restorable in « supprimés récemment »."""
    _require_instructeur_of(instructeur, dossier)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    existing = SuppressionAdministration.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing  # already deleted (double click, two instructeurs): nothing to log twice
    if not dossier.is_termine:
        raise ValidationError(
            "Seul un dossier traité (accepté, refusé ou classé sans suite) peut être supprimé."
        )
    suppression = SuppressionAdministration.objects.create(
        dossier=dossier, instructeur=instructeur, created_at=timezone.now()
    )
    compteurs.invalider(dossier.procedure_id, [dossier.pk])
    operation_enregistrer(
        operation=OperationLog.Operation.DOSSIER_SUPPRIMER_ADMINISTRATION, actor=instructeur.user, dossier=dossier,
        data={"state": dossier.state},
    )
    return suppression


@transaction.atomic
def dossier_restaurer_pour_administration(*, dossier: Dossier, instructeur) -> Dossier:
    """« Restaurer »: the dossier comes back to the instructeurs' lists."""
    _require_instructeur_of(instructeur, dossier)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not est_supprime_pour_administration(dossier):
        return dossier  # already restored: nothing to log twice
    if not can_restaurer_pour_administration(instructeur, dossier):
        raise ValidationError(
            "Ce dossier a été supprimé il y a plus de "
            f"{SUPPRESSION_RESTAURABLE_DELAI.days} jours : il ne peut plus être restauré."
        )
    dossier.suppression_administration.delete()
    compteurs.invalider(dossier.procedure_id, [dossier.pk])
    operation_enregistrer(
        operation=OperationLog.Operation.DOSSIER_RESTAURER_ADMINISTRATION, actor=instructeur.user, dossier=dossier
    )
    return dossier


def dossiers_supprimes_purger(*, now=None) -> int:
    """The periodic job: a dossier deleted both for the administration and by its usager for longer than
    the restoration period (on both sides) is deleted for good, leaving its trace (DossierSupprime).
    Deleted by the administration only, it stays for its usager. Idempotent."""
    from demarches.dossiers.models import DossierSupprime
    from demarches.dossiers.services_usager import CORBEILLE_PURGE_DELAY, _dossier_detruire

    now = now or timezone.now()
    a_purger = Dossier.objects.filter(
        state__in=Dossier.TERMINE,
        suppression_administration__created_at__lte=now - SUPPRESSION_RESTAURABLE_DELAI,
        hidden_by_user_at__lte=now - CORBEILLE_PURGE_DELAY,
    )
    count = 0
    for pk in list(a_purger.values_list("pk", flat=True)):
        with transaction.atomic():
            dossier = a_purger.select_for_update(of=("self",)).filter(pk=pk).first()
            if dossier is None:
                continue  # restored meanwhile
            _dossier_detruire(dossier, reason=DossierSupprime.Reason.CORBEILLE)
            count += 1
    return count


# --- labels ----------------------------------------------------------------------------------------

C = Label.Color
DEFAULT_LABELS = (
    ("À examiner", C.PURPLE_GLYCINE),
    ("À relancer", C.ORANGE_TERRE_BATTUE),
    ("Complet", C.GREEN_EMERAUDE),
    ("À signer", C.BLUE_ECUME),
    ("Urgent", C.PINK_TUILE),
)


def labels_de_la_procedure(procedure) -> list[Label]:
    """The labels of a démarche; the five default ones are created the first time they are needed."""
    labels = list(Label.objects.filter(procedure=procedure).order_by("id"))
    if not labels:
        Label.objects.bulk_create(
            [Label(procedure=procedure, name=name, color=color) for name, color in DEFAULT_LABELS], ignore_conflicts=True
        )
        labels = list(Label.objects.filter(procedure=procedure).order_by("id"))
    return labels


def _require_instructeur_of_procedure(instructeur, procedure) -> None:
    if instructeur is None or not can_instruct(instructeur.user, procedure):
        raise PermissionDenied("Vous n'instruisez pas cette démarche.")


@transaction.atomic
def label_creer(*, procedure, instructeur, name: str, color: str) -> Label:
    """A custom label, shared by every instructeur of the démarche."""
    _require_instructeur_of_procedure(instructeur, procedure)
    labels_de_la_procedure(procedure)
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = "Donnez un nom au label."
    elif len(name) > 50:
        errors["name"] = "Le nom du label ne doit pas dépasser 50 caractères."
    elif Label.objects.filter(procedure=procedure, name__iexact=name).exists():
        errors["name"] = "Un label porte déjà ce nom sur cette démarche."
    if color not in C.values:
        errors["color"] = "Choisissez une couleur dans la liste."
    if errors:
        raise ValidationError(errors)
    return Label.objects.create(procedure=procedure, name=name, color=color)


@transaction.atomic
def dossier_labels_definir(*, dossier: Dossier, instructeur, label_ids) -> list[Label]:
    """Put exactly these labels (of the dossier's démarche) on the dossier."""
    _require_instructeur_of(instructeur, dossier)
    ids = [int(i) for i in label_ids if str(i).isdigit()]
    wanted = set(Label.objects.filter(procedure_id=dossier.procedure_id, pk__in=ids).values_list("pk", flat=True))
    current = set(DossierLabel.objects.filter(dossier=dossier).values_list("label_id", flat=True))
    added, removed = wanted - current, current - wanted
    if removed:
        DossierLabel.objects.filter(dossier=dossier, label_id__in=removed).delete()
    if added:
        DossierLabel.objects.bulk_create([DossierLabel(dossier=dossier, label_id=pk) for pk in added], ignore_conflicts=True)
    if added or removed:
        compteurs.invalider(dossier.procedure_id, [dossier.pk])
        operation_enregistrer(
            operation=LABELS_MODIFIER, actor=instructeur.user, dossier=dossier,
            data={"ajoutes": sorted(added), "retires": sorted(removed)},
        )
    return list(Label.objects.filter(pk__in=wanted).order_by("id"))


# --- corrections -------------------------------------------------------------------------------------


@transaction.atomic
def correction_effectuer(*, dossier: Dossier, user) -> CorrectionDemande | None:
    """The usager (or a co-editor) says he made the correction asked: the instructeurs see « corrigé »."""
    if not can_edit_as_usager(user, dossier):
        raise PermissionDenied("Ce dossier ne peut plus être modifié.")
    correction = (
        CorrectionDemande.objects.select_for_update().filter(dossier=dossier, resolved_at__isnull=True).first()
    )
    if correction is None:
        return None
    correction.resolved_at = timezone.now()
    correction.save(update_fields=["resolved_at"])
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=correction.resolved_at)
    reindexation.apres_commit(dossier.pk)
    operation_enregistrer(operation=CORRECTION_EFFECTUER, actor=user, dossier=dossier, data={"correction": correction.pk})
    return correction


# --- personnes impliquées ------------------------------------------------------------------------------


@transaction.atomic
def dossier_envoyer_a_instructeur(*, dossier: Dossier, instructeur, destinataire_id) -> Follow:
    """« Envoyer à un instructeur »: a colleague of the dossier's group follows it and is told by e-mail."""
    _require_instructeur_of(instructeur, dossier)
    destinataire = (
        Instructeur.objects.filter(pk=destinataire_id, groupes=dossier.groupe_instructeur_id)
        .select_related("user")
        .first()
        if str(destinataire_id or "").isdigit()
        else None
    )
    if destinataire is None:
        raise ValidationError({"destinataire": "Choisissez un instructeur du groupe qui instruit ce dossier."})
    if destinataire.pk == instructeur.pk:
        raise ValidationError({"destinataire": "Vous ne pouvez pas vous envoyer le dossier à vous-même."})
    follow, created = Follow.objects.get_or_create(instructeur=destinataire, dossier=dossier)
    if not created:
        raise ValidationError({"destinataire": f"{destinataire.user.email} suit déjà ce dossier."})
    compteurs.invalider(dossier.procedure_id, [dossier.pk])
    operation_enregistrer(
        operation=DOSSIER_ENVOYER, actor=instructeur.user, dossier=dossier, data={"destinataire": destinataire.user.email}
    )
    email_envoyer(
        to=destinataire.user.email,
        subject=f"Le dossier n° {dossier.pk} vous a été envoyé ({dossier.procedure.libelle})",
        template="instruction/emails/dossier_envoye",
        context={
            "dossier": dossier,
            "procedure": dossier.procedure,
            "expediteur_email": instructeur.user.email,
            "dossier_url": settings.SITE_URL + reverse("instruction:dossier", args=[dossier.procedure_id, dossier.pk]),
        },
        kind="dossier_envoye",
        dossier_id=dossier.pk,
    )
    return follow
