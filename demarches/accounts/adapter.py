"""How allauth talks to the rest of the platform: our e-mails, our messages, our redirects, account locking."""

from dataclasses import dataclass
from typing import ClassVar

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from demarches.core.emails import email_envoyer

from . import policies, services
from .models import User

PENDING_EMAIL_SESSION_KEY = "comptes_adresse_a_activer"


@dataclass(frozen=True)
class AccountEmail:
    subject: str
    template: str
    kind: str


ACTIVATION = AccountEmail("Activez votre compte", "accounts/emails/compte_activation", "compte_activation")
ACCOUNT_EMAILS = {
    "account/email/email_confirmation_signup": ACTIVATION,
    "account/email/email_confirmation": ACTIVATION,
    "account/email/password_reset_key": AccountEmail(
        "Changement de votre mot de passe", "accounts/emails/mot_de_passe_changement", "mot_de_passe_changement"
    ),
    "account/email/account_already_exists": AccountEmail(
        "Vous avez déjà un compte", "accounts/emails/compte_existant", "compte_existant"
    ),
    "account/email/unknown_account": AccountEmail(
        "Changement de votre mot de passe", "accounts/emails/compte_inconnu", "compte_inconnu"
    ),
}


def locked_message(user: User) -> str:
    expires_at = timezone.localtime(policies.lock_expires_at(user))
    return (
        f"Votre compte est verrouillé après {policies.max_failed_logins()} tentatives de connexion infructueuses. "
        "Nous vous avons envoyé un e-mail contenant un lien pour le déverrouiller ; sans action de votre part, "
        f"il sera déverrouillé automatiquement à {expires_at:%H:%M}."
    )


class AccountAdapter(DefaultAccountAdapter):
    error_messages: ClassVar[dict] = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": gettext_lazy("L'adresse électronique ou le mot de passe est incorrect."),
        "email_taken": gettext_lazy("Un compte existe déjà avec cette adresse électronique."),
        "account_inactive": gettext_lazy("Ce compte est désactivé."),
        "too_many_login_attempts": gettext_lazy("Trop de tentatives de connexion : réessayez dans quelques minutes."),
        "rate_limited": gettext_lazy("Trop de demandes en peu de temps : patientez quelques minutes avant de réessayer."),
        "invalid_password_reset": gettext_lazy("Le lien de changement de mot de passe n'est pas valide."),
    }

    # E-mails ------------------------------------------------------------------------------------------------

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every account e-mail is recorded and delivered by a background job, like all the others."""
        request = allauth_context.request
        full_context = {"email": email, "request": request, **context}
        known = ACCOUNT_EMAILS.get(template_prefix)
        if known is not None:
            subject, template, kind = known.subject, known.template, known.kind
            full_context.setdefault("confirmation_expire_days", allauth_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS)
            full_context.setdefault("password_reset_timeout_days", max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1))
        else:
            # Other allauth notifications (disabled today) keep allauth's own French texts.
            subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", full_context).splitlines()).strip()
            template, kind = f"{template_prefix}_message", template_prefix.rsplit("/", 1)[-1]
        email_envoyer(
            to=email, subject=self.format_email_subject(subject), template=template, context=full_context, kind=kind
        )

    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:
        super().send_confirmation_mail(request, emailconfirmation, signup)
        # The "e-mail sent" page offers to send it again to this address.
        if request is not None and hasattr(request, "session"):
            request.session[PENDING_EMAIL_SESSION_KEY] = emailconfirmation.email_address.email

    # Accounts -----------------------------------------------------------------------------------------------

    def clean_email(self, email: str) -> str:
        return super().clean_email(email.strip().lower())

    def get_login_redirect_url(self, request) -> str:
        # The home page sends each person to the workspace of his or her profile.
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def authentication_failed(self, request, **credentials) -> None:
        """Tell a locked account apart from a wrong password (the backend has just counted the failure)."""
        login = credentials.get("email") or credentials.get("username")
        user = User.objects.filter(email__iexact=(login or "").strip()).first() if login else None
        if user is not None and policies.is_locked(user):
            raise ValidationError(locked_message(user), code="account_locked")

    def set_password(self, user, password: str) -> None:
        super().set_password(user, password)
        # A password reset proves access to the mailbox, like the unlock link does.
        if user.locked_at is not None:
            services.compte_deverrouiller(user=user)
            user.locked_at, user.failed_login_attempts = None, 0
