from django import template

from demarches.accounts import password_strength

register = template.Library()


@register.simple_tag
def password_strength_config() -> dict:
    """Thresholds, labels and minimum length for static/js/password-strength.js, from the Python rules."""
    return password_strength.indicator_config()


@register.simple_tag
def new_password_hint() -> str:
    from demarches.accounts.forms import new_password_hint as hint

    return hint()
