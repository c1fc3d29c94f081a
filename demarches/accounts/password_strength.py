"""A password strength estimate shared by the validator and the live indicator (static/js/password-strength.js).

The JavaScript mirrors `score()` line by line and receives THRESHOLDS, MIN_SCORE, LABELS and the minimum
length from the page (see `indicator_config()`), so both always agree; tests/accounts/test_password_strength.py
runs the script under Node and compares it with this module.
"""

import math
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

MIN_SCORE = 3  # 0 = très faible … 4 = très fort
LABELS = [gettext_noop("Très faible"), gettext_noop("Faible"), gettext_noop("Moyen"), gettext_noop("Fort"), gettext_noop("Très fort")]
THRESHOLDS = (28, 40, 60, 80)  # bits of estimated entropy needed for scores 1, 2, 3 and 4
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "azertyuiop", "qwertyuiop")
DEFAULT_MIN_LENGTH = 12


def score(password: str) -> int:
    """Entropy-based score: length and variety of characters, penalising repetitions and sequences."""
    if not password:
        return 0
    pool = 0
    pool += 26 if re.search(r"[a-z]", password) else 0
    pool += 26 if re.search(r"[A-Z]", password) else 0
    pool += 10 if re.search(r"\d", password) else 0
    pool += 33 if re.search(r"[^a-zA-Z0-9]", password) else 0
    distinct = len(set(password))
    effective_length = min(len(password), distinct * 2)
    for sequence in SEQUENCES:
        for i in range(len(sequence) - 3):
            if sequence[i : i + 4] in password.lower():
                effective_length -= 2
    bits = max(effective_length, 0) * math.log2(max(pool, 1))
    return sum(bits >= t for t in THRESHOLDS)


def label(password: str) -> str:
    return LABELS[score(password)]


def min_length() -> int:
    """The minimum length enforced by the configured MinimumLengthValidator."""
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return DEFAULT_MIN_LENGTH


def indicator_config() -> dict:
    """What the live indicator needs, rendered as data-* attributes next to the password input."""
    return {
        "thresholds": ",".join(str(t) for t in THRESHOLDS),
        "min_score": MIN_SCORE,
        "min_length": min_length(),
        "labels": "|".join(gettext(text) for text in LABELS),
    }


class StrengthValidator:
    def validate(self, password, user=None):
        if score(password) < MIN_SCORE:
            raise ValidationError(
                gettext(
                    "Ce mot de passe est trop facile à deviner. Allongez-le ou mélangez minuscules, majuscules, "
                    "chiffres et caractères spéciaux."
                ),
                code="password_too_weak",
            )

    def get_help_text(self):
        return gettext("Au moins %(nombre)s caractères ; une phrase de passe de plusieurs mots est un bon choix.") % {"nombre": min_length()}
