"""FranceConnect (usagers) and ProConnect (agents): OpenID Connect logins through allauth.socialaccount.

- A first login creates the account with the e-mail given by the provider, already verified.
- When that e-mail already belongs to an account, nothing is merged silently: the person is sent to the
  "Un compte existe déjà avec cette adresse" page and confirms either with the password of that account or
  with a link e-mailed to that address (valid FUSION_TOKEN_MAX_AGE). Only then the identity is linked.
- The identity given by FranceConnect (prénoms, nom, date de naissance, sexe) stays in the SocialAccount's
  extra_data; `franceconnect_identite()` reads it to pre-fill the identity step of a dossier.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from demarches.core.emails import email_envoyer

from .models import User

FRANCECONNECT = "franceconnect"
PROCONNECT = "proconnect"
# Names shown to people, by allauth provider_id (SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]).
PROVIDER_NAMES = {FRANCECONNECT: "FranceConnect", PROCONNECT: "ProConnect"}

# The reference platform keeps its FranceConnect merge token for 15 minutes.
FUSION_TOKEN_MAX_AGE = timedelta(minutes=15)
FUSION_TOKEN_SALT = "demarches.accounts.fusion-franceconnect"
PENDING_FUSION_SESSION_KEY = "comptes_fusion_en_attente"


# Configuration ------------------------------------------------------------------------------------------------


def provider_configured(provider_id: str) -> bool:
    """The provider has an issuer in the settings (FRANCECONNECT_ISSUER, PROCONNECT_ISSUER)."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return any(app.get("provider_id") == provider_id and app.get("settings", {}).get("server_url") for app in apps)


def provider_name(provider_id: str) -> str:
    return PROVIDER_NAMES.get(provider_id, provider_id)


# Identity -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentiteFranceConnect:
    prenoms: str
    nom: str
    date_de_naissance: date | None
    civilite: str  # "M.", "Mme" or "" when unknown

    @property
    def prenom(self) -> str:
        """The first of the given names, as the identity step asks for one prénom."""
        return self.prenoms.split(" ")[0] if self.prenoms else ""


def _claims(extra_data: dict) -> dict:
    # allauth stores {"userinfo": {...}, "id_token": {...}}; userinfo carries the identity claims.
    return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}


def identite_from_claims(claims: dict) -> IdentiteFranceConnect:
    try:
        birthdate = date.fromisoformat(claims.get("birthdate") or "")
    except ValueError:
        birthdate = None
    civilite = {"male": "M.", "female": "Mme"}.get((claims.get("gender") or "").lower(), "")
    return IdentiteFranceConnect(
        prenoms=(claims.get("given_name") or "").strip(),
        nom=(claims.get("family_name") or "").strip(),
        date_de_naissance=birthdate,
        civilite=civilite,
    )


def franceconnect_identite(user) -> IdentiteFranceConnect | None:
    """The identity FranceConnect gave at this person's last FranceConnect login, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    account = SocialAccount.objects.filter(user=user, provider=FRANCECONNECT).order_by("-last_login").first()
    if account is None:
        return None
    identite = identite_from_claims(_claims(account.extra_data or {}))
    return identite if (identite.nom or identite.prenoms) else None


def identite_preremplir(user, initial: dict) -> dict:
    """`initial` ({civilite, nom, prenom}) with the empty values taken from the FranceConnect identity."""
    identite = franceconnect_identite(user)
    if identite is None:
        return initial
    known = {"civilite": identite.civilite, "nom": identite.nom, "prenom": identite.prenom}
    return {key: value or known.get(key, "") for key, value in initial.items()}


# Linking an identity to an existing account ---------------------------------------------------------------------


@dataclass(frozen=True)
class FusionEnAttente:
    """A provider identity whose e-mail already has an account, waiting for that account's confirmation."""

    user: User
    provider: str
    uid: str
    email: str
    extra_data: dict
    next_url: str

    @property
    def provider_name(self) -> str:
        return provider_name(self.provider)


def fusion_en_attente_enregistrer(request, *, sociallogin: SocialLogin, user: User) -> None:
    request.session[PENDING_FUSION_SESSION_KEY] = {
        "user": user.pk,
        "provider": sociallogin.account.provider,
        "uid": sociallogin.account.uid,
        "email": sociallogin.email_addresses[0].email if sociallogin.email_addresses else user.email,
        "extra_data": sociallogin.account.extra_data,
        "next": sociallogin.get_redirect_url(request) or "",
    }


def fusion_en_attente(request) -> FusionEnAttente | None:
    data = request.session.get(PENDING_FUSION_SESSION_KEY)
    if not data:
        return None
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        return None
    return FusionEnAttente(
        user=user,
        provider=data["provider"],
        uid=data["uid"],
        email=data.get("email", ""),
        extra_data=data.get("extra_data") or {},
        next_url=data.get("next") or "",
    )


def fusion_en_attente_oublier(request) -> None:
    request.session.pop(PENDING_FUSION_SESSION_KEY, None)


def fusion_token_make(fusion: FusionEnAttente) -> str:
    # Only ids: the identity data itself stays in the session of the browser that came from the provider.
    payload = {"u": fusion.user.pk, "p": fusion.provider, "uid": fusion.uid, "n": fusion.next_url}
    return signing.dumps(payload, salt=FUSION_TOKEN_SALT, compress=True)


@dataclass(frozen=True)
class FusionJeton:
    user: User
    provider: str
    uid: str
    next_url: str


def fusion_token_read(token: str) -> FusionJeton | None:
    """The link's content, or None if it was forged, is older than FUSION_TOKEN_MAX_AGE or names no account."""
    try:
        payload = signing.loads(token, salt=FUSION_TOKEN_SALT, max_age=FUSION_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or payload.get("p") not in PROVIDER_NAMES or not payload.get("uid"):
        return None
    return FusionJeton(user=user, provider=payload["p"], uid=str(payload["uid"]), next_url=payload.get("n") or "")


def fusion_deja_faite(jeton: FusionJeton) -> bool:
    """The link was already used: the identity is linked to the account it names (a link works once)."""
    return SocialAccount.objects.filter(provider=jeton.provider, uid=jeton.uid, user=jeton.user).exists()


def fusion_lien_envoyer(*, fusion: FusionEnAttente) -> None:
    """E-mail the account's address a link that links the provider identity to it."""
    url = settings.SITE_URL.rstrip("/") + reverse("compte_fusion_lien", args=[fusion_token_make(fusion)])
    email_envoyer(
        to=fusion.user.email,
        subject=f"Confirmez la liaison de votre compte avec {fusion.provider_name}",
        template="accounts/emails/compte_fusion",
        context={
            "user": fusion.user,
            "provider_name": fusion.provider_name,
            "fusion_url": url,
            "validite_minutes": int(FUSION_TOKEN_MAX_AGE.total_seconds() // 60),
        },
        kind="compte_fusion",
    )


@transaction.atomic
def compte_social_lier(*, user: User, provider: str, uid: str, extra_data: dict | None = None) -> SocialAccount:
    """Link a provider identity to an account whose owner has just proved it is theirs.

    The account's e-mail becomes verified: the provider vouches for it and its owner confirmed.
    """
    account = SocialAccount.objects.select_for_update().filter(provider=provider, uid=uid).first()
    if account is not None and account.user_id != user.pk:
        raise ValidationError(f"Cette identité {provider_name(provider)} est déjà liée à un autre compte.")
    if account is None:
        account = SocialAccount.objects.create(user=user, provider=provider, uid=uid, extra_data=extra_data or {})
    elif extra_data:
        account.extra_data = extra_data
        account.save(update_fields=["extra_data"])
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=not EmailAddress.objects.filter(user=user).exists()
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    return account


# allauth hooks -----------------------------------------------------------------------------------------------------


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin: SocialLogin) -> None:
        if sociallogin.account.provider not in PROVIDER_NAMES:
            return
        for address in sociallogin.email_addresses:
            # FranceConnect and ProConnect only give addresses they have verified.
            address.email = address.email.strip().lower()
            address.verified = True
        if sociallogin.is_existing or not sociallogin.email_addresses:
            return
        existing = User.objects.filter(email__iexact=sociallogin.email_addresses[0].email).first()
        if existing is None:
            return
        fusion_en_attente_enregistrer(request, sociallogin=sociallogin, user=existing)
        raise ImmediateHttpResponse(redirect("compte_fusion"))

    def populate_user(self, request, sociallogin: SocialLogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").strip().lower()
        return user
