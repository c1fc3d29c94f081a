from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext, gettext_lazy

from .models import User
from .password_strength import min_length

EMAIL_LABEL = gettext_lazy("Adresse électronique")
EMAIL_HINT = gettext_lazy("Format attendu : nom@domaine.fr")


def new_password_hint() -> str:
    return gettext(
        "Au moins %(min)s caractères. Une phrase de plusieurs mots, facile à retenir pour vous, est un bon choix."
    ) % {"min": min_length()}


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = EMAIL_LABEL
        self.fields["login"].help_text = EMAIL_HINT
        self.fields["login"].widget.attrs.update({"autocomplete": "email"})
        self.fields["password"].label = gettext("Mot de passe")
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = gettext("Se souvenir de moi")


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        self.fields["email"].help_text = EMAIL_HINT
        self.fields["password1"].label = gettext("Mot de passe")
        self.fields["password1"].help_text = new_password_hint()


class InvitationPasswordForm(forms.Form):
    """The invited instructeur chooses a password; the e-mail address is the invitation's."""

    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choisissez un mot de passe."},
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = new_password_hint()

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, user=User(email=self.email))
        return password


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=EMAIL_LABEL,
        help_text=EMAIL_HINT,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": gettext_lazy("Indiquez l'adresse électronique de votre compte."),
            "invalid": gettext_lazy("Saisissez une adresse électronique valide, par exemple nom@domaine.fr."),
        },
    )
