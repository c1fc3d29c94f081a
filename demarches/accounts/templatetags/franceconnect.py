"""The "S'identifier avec FranceConnect" (and ProConnect) buttons, shown only for the configured providers."""

from django import template
from django.urls import reverse

from demarches.accounts import social

register = template.Library()


@register.inclusion_tag("socialaccount/_boutons_oidc.html", takes_context=True)
def boutons_oidc(context, providers: str = social.FRANCECONNECT, separateur: bool = False) -> dict:
    """`providers`: comma-separated provider ids; `separateur` adds "ou" before the e-mail form that follows."""
    request = context.get("request")
    # Login and signup pages carry allauth's "next"; elsewhere (/commencer/…) come back to the page itself.
    next_url = context.get("redirect_field_value") or (request.get_full_path() if request else "")
    boutons = [
        {
            "provider_id": provider_id,
            "provider_name": social.provider_name(provider_id),
            "action": reverse("openid_connect_login", kwargs={"provider_id": provider_id}),
        }
        for provider_id in (p.strip() for p in providers.split(","))
        if social.provider_configured(provider_id)
    ]
    return {
        "boutons": boutons,
        "next_url": next_url or "",
        "csrf_token": context.get("csrf_token"),
        "separateur": separateur,
    }
