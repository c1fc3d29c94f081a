"""Pages of the FranceConnect/ProConnect login that allauth does not provide: linking an identity whose e-mail
already has an account, by password or by a link e-mailed to that address."""

import time

from allauth.account.utils import perform_login
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import policies, social
from .adapter import locked_message


LINK_SENT_SESSION_KEY = "comptes_fusion_lien_envoye_a"
LINK_RESEND_SECONDS = 60


class FusionPasswordForm(forms.Form):
    password = forms.CharField(
        label="Mot de passe de votre compte",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez le mot de passe de votre compte."},
    )


def _safe_next(request, url: str) -> str | None:
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if url and safe else None


def _login(request, user, next_url: str):
    return perform_login(request, user, redirect_url=_safe_next(request, next_url))


@require_http_methods(["GET", "POST"])
def compte_fusion(request):
    """"Un compte existe déjà avec cette adresse": confirm with the password, or ask for a link by e-mail."""
    fusion = social.fusion_en_attente(request)
    if fusion is None:
        messages.info(
            request, "Cette demande de connexion n'est plus en cours : recommencez depuis la page de connexion."
        )
        return redirect("account_login")
    form = FusionPasswordForm()
    context = {"fusion": fusion, "validite_minutes": int(social.FUSION_TOKEN_MAX_AGE.total_seconds() // 60)}

    if request.method == "POST" and request.POST.get("action") == "email":
        # One e-mail a minute at most: the button may be clicked again, the mailbox is not flooded.
        last = request.session.get(LINK_SENT_SESSION_KEY, 0)
        if time.time() - last > LINK_RESEND_SECONDS:
            social.fusion_lien_envoyer(fusion=fusion)
            request.session[LINK_SENT_SESSION_KEY] = time.time()
        return render(request, "accounts/franceconnect/fusion_lien_envoye.html", context)

    if request.method == "POST":
        form = FusionPasswordForm(request.POST)
        if form.is_valid():
            user = authenticate(request, email=fusion.user.email, password=form.cleaned_data["password"])
            if user is None or user.pk != fusion.user.pk:
                fusion.user.refresh_from_db()
                if policies.is_locked(fusion.user):
                    form.add_error("password", locked_message(fusion.user))
                else:
                    form.add_error("password", "Ce mot de passe n'est pas celui du compte " + fusion.user.email + ".")
            else:
                try:
                    social.compte_social_lier(
                        user=user, provider=fusion.provider, uid=fusion.uid, extra_data=fusion.extra_data
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    social.fusion_en_attente_oublier(request)
                    messages.success(
                        request, f"Votre compte est désormais lié à {fusion.provider_name} : vous êtes connecté."
                    )
                    return _login(request, user, fusion.next_url)
    return render(request, "accounts/franceconnect/fusion.html", {**context, "form": form})


@require_http_methods(["GET", "POST"])
def compte_fusion_lien(request, token: str):
    """The link of the e-mail: a page with one button (mail scanners open links; only a person clicks)."""
    jeton = social.fusion_token_read(token)
    if jeton is None or social.fusion_deja_faite(jeton):  # forged, expired, or already used
        return render(request, "accounts/franceconnect/fusion_lien_invalide.html", status=404)
    context = {"jeton": jeton, "provider_name": social.provider_name(jeton.provider)}
    if request.method == "POST":
        # The identity data came through this browser's session, when the link is opened where it was asked.
        pending = social.fusion_en_attente(request)
        same = pending is not None and (pending.uid, pending.user.pk) == (jeton.uid, jeton.user.pk)
        extra_data = pending.extra_data if same else None
        try:
            social.compte_social_lier(user=jeton.user, provider=jeton.provider, uid=jeton.uid, extra_data=extra_data)
        except ValidationError as error:
            return render(
                request, "accounts/franceconnect/fusion_lien.html", {**context, "erreur": error.messages[0]}, status=409
            )
        social.fusion_en_attente_oublier(request)
        messages.success(
            request, f"Votre compte est désormais lié à {context['provider_name']} : vous êtes connecté."
        )
        return _login(request, jeton.user, jeton.next_url)
    return render(request, "accounts/franceconnect/fusion_lien.html", context)
