"""Writes on accounts: failed logins and locking, unlocking, account creation from an instructeur invitation."""

from allauth.account.models import EmailAddress
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from demarches.audit.models import OperationLog
from demarches.audit.services import operation_enregistrer
from demarches.core.emails import email_envoyer

from . import policies, tokens
from .models import Instructeur, User

# Operations recorded in the audit log for account security events.
OPERATION_COMPTE_VERROUILLER = OperationLog.Operation.COMPTE_VERROUILLER
OPERATION_COMPTE_DEVERROUILLER = OperationLog.Operation.COMPTE_DEVERROUILLER


class InvitationError(ValidationError):
    """The invitation cannot be accepted (already used, meant for another address)."""


def _lock_row(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def echec_connexion_enregistrer(*, user: User) -> User:
    """A wrong password was typed for this account; the account is locked when the limit is reached."""
    user = _lock_row(user)
    if policies.is_locked(user):
        return user
    if policies.has_expired_lock(user):
        user.locked_at = None
        user.failed_login_attempts = 0
    user.failed_login_attempts += 1
    user.save(update_fields=["failed_login_attempts", "locked_at"])
    if user.failed_login_attempts >= policies.max_failed_logins():
        user = compte_verrouiller(user=user)
    return user


@transaction.atomic
def connexion_reussie_enregistrer(*, user: User) -> User:
    """The right password was typed: the count of failures starts again from zero."""
    if user.failed_login_attempts == 0 and user.locked_at is None:
        return user
    user = _lock_row(user)
    user.failed_login_attempts = 0
    user.locked_at = None
    user.save(update_fields=["failed_login_attempts", "locked_at"])
    return user


@transaction.atomic
def compte_verrouiller(*, user: User, actor: User | None = None) -> User:
    """Lock the account for ACCOUNT_LOCK_DURATION_MINUTES and send, once, the e-mail with the unlock link."""
    user = _lock_row(user)
    if policies.is_locked(user):
        return user
    user.locked_at = timezone.now()
    user.save(update_fields=["locked_at"])
    operation_enregistrer(
        operation=OPERATION_COMPTE_VERROUILLER,
        actor=actor,
        automatic=actor is None,
        data={"user_id": user.pk, "email": user.email, "failed_login_attempts": user.failed_login_attempts},
    )
    email_envoyer(
        to=user.email,
        subject="Votre compte est verrouillé",
        template="accounts/emails/compte_verrouille",
        context={
            "user": user,
            "unlock_url": tokens.unlock_url(user),
            "max_failed_logins": policies.max_failed_logins(),
            "lock_minutes": int(policies.lock_duration().total_seconds() // 60),
            "expires_at": timezone.localtime(policies.lock_expires_at(user)),
        },
        kind="compte_verrouille",
    )
    return user


@transaction.atomic
def compte_deverrouiller(*, user: User, actor: User | None = None) -> User:
    """Unlock the account (link from the e-mail, super-admin, or expiry) and reset the count of failures."""
    user = _lock_row(user)
    was_locked = user.locked_at is not None
    user.locked_at = None
    user.failed_login_attempts = 0
    user.save(update_fields=["locked_at", "failed_login_attempts"])
    if was_locked:
        operation_enregistrer(
            operation=OPERATION_COMPTE_DEVERROUILLER,
            actor=actor,
            data={"user_id": user.pk, "email": user.email},
        )
    return user


@transaction.atomic
def compte_creer(*, email: str, password: str, email_verifie: bool = False) -> User:
    """A new account; with email_verifie the address needs no confirmation (it came from a link we mailed)."""
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse électronique."})
    password_validation.validate_password(password, user=User(email=email))
    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=email_verifie, primary=True)
    return user


@transaction.atomic
def instructeur_invitation_accepter(*, invitation, user: User):
    """The invited person joins the groupe instructeur; creates the Instructeur profile if needed."""
    from demarches.procedures.models import InstructeurInvitation

    invitation = (
        InstructeurInvitation.objects.select_for_update().select_related("groupe__procedure").get(pk=invitation.pk)
    )
    if not policies.invitation_is_open(invitation):
        raise InvitationError("Cette invitation a déjà été acceptée.")
    if not policies.invitation_is_for(invitation, user):
        raise InvitationError(f"Cette invitation est destinée à {invitation.email} : connectez-vous avec ce compte.")
    instructeur, _ = Instructeur.objects.get_or_create(user=user)
    invitation.groupe.instructeurs.add(instructeur)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    operation_enregistrer(
        operation=OperationLog.Operation.INSTRUCTEUR_AFFECTER,
        actor=user,
        procedure=invitation.groupe.procedure,
        data={"instructeur": user.email, "groupe_id": invitation.groupe_id, "invitation_id": invitation.pk},
    )
    return invitation


@transaction.atomic
def instructeur_invitation_accepter_avec_compte(*, invitation, password: str) -> User:
    """No account yet for the invited address: create it (address verified by the invitation) and accept."""
    user = compte_creer(email=invitation.email, password=password, email_verifie=True)
    instructeur_invitation_accepter(invitation=invitation, user=user)
    return user
