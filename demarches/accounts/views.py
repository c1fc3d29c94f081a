from allauth.account.internal import flows
from allauth.account.models import EmailAddress
from allauth.account.views import EmailVerificationSentView
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from demarches.procedures.models import InstructeurInvitation

from . import policies, services, tokens
from .adapter import PENDING_EMAIL_SESSION_KEY
from .forms import InvitationPasswordForm, ResendConfirmationForm
from .models import User

BACKEND = "demarches.accounts.backends.LockingAuthenticationBackend"


class VerificationSentView(EmailVerificationSentView):
    """allauth's "e-mail sent" page, with the form to send the activation e-mail again."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["resend_form"] = ResendConfirmationForm(
            initial={"email": self.request.session.get(PENDING_EMAIL_SESSION_KEY, "")}
        )
        return context


verification_sent = VerificationSentView.as_view()


@require_http_methods(["GET", "POST"])
def confirmation_renvoyer(request):
    """Send the activation e-mail again. The answer is the same whether or not the address has an account."""
    form = ResendConfirmationForm(
        request.POST or None, initial={"email": request.session.get(PENDING_EMAIL_SESSION_KEY, "")}
    )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        # One e-mail per address every few minutes (allauth's "confirm_email" rate limit), known address or not.
        allowed = flows.email_verification.consume_email_verification_rate_limit(request, email)
        address = (
            EmailAddress.objects.filter(email__iexact=email, verified=False, user__isnull=False)
            .select_related("user")
            .first()
        )
        if allowed and address is not None:
            address.send_confirmation(request, signup=False)
        request.session[PENDING_EMAIL_SESSION_KEY] = email
        if allowed:
            messages.info(
                request,
                gettext(
                    "Si un compte en attente d'activation correspond à l'adresse %(email)s, un nouvel e-mail "
                    "« Activez votre compte » vient de lui être envoyé."
                ) % {"email": email},
            )
        else:
            messages.warning(
                request,
                gettext(
                    "Un e-mail d'activation vient déjà d'être demandé pour cette adresse. Patientez quelques minutes "
                    "avant d'en demander un nouveau, et pensez à regarder dans vos courriers indésirables."
                ),
            )
        return redirect("account_email_verification_sent")
    return render(request, "account/confirmation_renvoyer.html", {"form": form})


def deverrouillage(request, token: str):
    """The link of the "compte verrouillé" e-mail."""
    user = tokens.unlock_token_user(token)
    if user is None:
        return render(request, "account/deverrouillage.html", {"unlocked": False})
    services.compte_deverrouiller(user=user)
    return render(request, "account/deverrouillage.html", {"unlocked": True, "account": user})


@require_http_methods(["GET", "POST"])
def invitation_instructeur(request, token):
    invitation = InstructeurInvitation.objects.select_related("groupe__procedure").filter(token=token).first()
    if invitation is None or not policies.invitation_is_open(invitation):
        return render(request, "account/invitation_invalide.html", {"invitation": invitation}, status=404)
    procedure = invitation.groupe.procedure
    context = {"invitation": invitation, "procedure": procedure}

    if request.user.is_authenticated:
        if not policies.invitation_is_for(invitation, request.user):
            return render(
                request, "account/invitation_instructeur.html", {**context, "mode": "autre_compte"}, status=403
            )
        try:
            services.instructeur_invitation_accepter(invitation=invitation, user=request.user)
        except ValidationError:  # accepted meanwhile, in another tab
            return render(request, "account/invitation_invalide.html", {"invitation": invitation}, status=404)
        return _welcome(request, procedure)

    if User.objects.filter(email__iexact=invitation.email.strip()).exists():
        login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(
            request, "account/invitation_instructeur.html", {**context, "mode": "connexion", "login_url": login_url}
        )

    form = InvitationPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.instructeur_invitation_accepter_avec_compte(
                invitation=invitation, password=form.cleaned_data["password1"]
            )
        except ValidationError as error:  # the account or the acceptance happened meanwhile, in another tab
            form.add_error(None, error.messages)
        else:
            login(request, user, backend=BACKEND)
            request.session.set_expiry(0)
            return _welcome(request, procedure)
    return render(request, "account/invitation_instructeur.html", {**context, "mode": "creation", "form": form})


def _welcome(request, procedure):
    messages.success(
        request, f"Bienvenue : vous instruisez désormais les dossiers de la démarche « {procedure.libelle} »."
    )
    return redirect(reverse("instruction:procedures"))
