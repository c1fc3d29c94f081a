"""Writes of the instructor and expert workspace, named in the domain's words.

State changes of a dossier are not here: they belong to demarches.dossiers.transitions.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from demarches.accounts.models import Expert
from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.core.emails import email_envoyer
from demarches.dossiers.models import Dossier, Follow
from demarches.dossiers.policies import can_view_as_instructeur

from .models import Avis

# Operation names of the avis in the audit log (same naming as the other operations).
AVIS_DEMANDER = OperationLog.Operation.AVIS_DEMANDER
AVIS_DONNER = OperationLog.Operation.AVIS_DONNER


def _require_instructeur_of(instructeur, dossier: Dossier) -> None:
    if not can_view_as_instructeur(instructeur.user, dossier):
        raise PermissionDenied("Vous n'instruisez pas ce dossier.")


@transaction.atomic
def dossier_suivre(*, dossier: Dossier, instructeur) -> Follow:
    """The instructeur takes the dossier in charge: it leaves "à suivre" for his "suivis" tab."""
    _require_instructeur_of(instructeur, dossier)
    follow, created = Follow.objects.get_or_create(instructeur=instructeur, dossier=dossier)
    if created:
        operation_enregistrer(operation=OperationLog.Operation.SUIVRE, actor=instructeur.user, dossier=dossier)
    return follow


@transaction.atomic
def dossier_ne_plus_suivre(*, dossier: Dossier, instructeur) -> None:
    _require_instructeur_of(instructeur, dossier)
    deleted, _ = Follow.objects.filter(instructeur=instructeur, dossier=dossier).delete()
    if deleted:
        operation_enregistrer(operation=OperationLog.Operation.NE_PLUS_SUIVRE, actor=instructeur.user, dossier=dossier)


def demande_marquer_vue(*, dossier: Dossier, instructeur) -> None:
    """Remember when a following instructeur last read the demande (for the notification dots)."""
    Follow.objects.filter(instructeur=instructeur, dossier=dossier).update(demande_seen_at=timezone.now())


def messagerie_marquer_lue(*, dossier: Dossier, instructeur) -> None:
    """Remember when a following instructeur last read the messagerie (for the notification dots)."""
    Follow.objects.filter(instructeur=instructeur, dossier=dossier).update(messagerie_seen_at=timezone.now())


@transaction.atomic
def avis_demander(*, dossier: Dossier, instructeur, expert_email: str, introduction: str) -> Avis:
    """Ask the owner of an existing account for an opinion on the dossier, and tell him by e-mail."""
    _require_instructeur_of(instructeur, dossier)
    if dossier.is_termine:
        raise ValidationError("Une décision a été prise sur ce dossier : il n'est plus possible de demander un avis.")
    errors = {}
    email = (expert_email or "").strip().lower()
    introduction = (introduction or "").strip()
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first() if email else None
    if not email:
        errors["expert_email"] = "Indiquez l'adresse électronique de l'expert."
    elif user is None:
        errors["expert_email"] = "Aucun compte n'existe pour cette adresse : l'expert doit d'abord créer son compte."
    elif user.pk == instructeur.user_id:
        errors["expert_email"] = "Vous ne pouvez pas vous demander un avis à vous-même."
    if not introduction:
        errors["introduction"] = "Expliquez à l'expert ce que vous attendez de lui."
    if errors:
        raise ValidationError(errors)
    expert, _ = Expert.objects.get_or_create(user=user)
    avis = Avis.objects.create(dossier=dossier, expert=expert, claimant=instructeur, introduction=introduction)
    operation_enregistrer(
        operation=AVIS_DEMANDER, actor=instructeur.user, dossier=dossier, data={"avis": avis.pk, "expert": user.email}
    )
    email_envoyer(
        to=user.email,
        subject=f"Votre avis est demandé sur le dossier n° {dossier.pk} ({dossier.procedure.libelle})",
        template="instruction/emails/avis_demande",
        context={
            "avis": avis,
            "dossier": dossier,
            "procedure": dossier.procedure,
            "claimant_email": instructeur.user.email,
            "avis_url": settings.SITE_URL + reverse("instruction:avis_detail", args=[avis.pk]),
        },
        kind="avis_demande",
        dossier_id=dossier.pk,
    )
    return avis


@transaction.atomic
def avis_donner(*, avis: Avis, expert, answer: str) -> Avis:
    """Record (or correct) the expert's answer while the dossier is still being examined."""
    avis = Avis.objects.select_for_update().select_related("dossier__procedure", "claimant__user").get(pk=avis.pk)
    if expert is None or avis.expert_id != expert.pk:
        raise PermissionDenied("Cet avis ne vous a pas été demandé.")
    if avis.dossier.is_termine:
        raise ValidationError("Une décision a été prise sur ce dossier : il n'est plus possible de donner un avis.")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Votre avis est vide : rédigez-le avant de l'envoyer."})
    first_answer = avis.answered_at is None
    avis.answer = answer
    avis.answered_at = timezone.now()
    avis.save(update_fields=["answer", "answered_at"])
    operation_enregistrer(
        operation=AVIS_DONNER, actor=expert.user, dossier=avis.dossier, data={"avis": avis.pk, "correction": not first_answer}
    )
    if avis.claimant is not None:
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
