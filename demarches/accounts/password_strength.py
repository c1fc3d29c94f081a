"""A password strength estimate shared by the validator and the live indicator's thresholds."""

import math
import re

from django.core.exceptions import ValidationError

MIN_SCORE = 3  # 0 = très faible … 4 = très fort
LABELS = ["Très faible", "Faible", "Moyen", "Fort", "Très fort"]


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
    for sequence in ("abcdefghijklmnopqrstuvwxyz", "0123456789", "azertyuiop", "qwertyuiop"):
        for i in range(len(sequence) - 3):
            if sequence[i : i + 4] in password.lower():
                effective_length -= 2
    bits = max(effective_length, 0) * math.log2(max(pool, 1))
    thresholds = (28, 40, 60, 80)
    return sum(bits >= t for t in thresholds)


class StrengthValidator:
    def validate(self, password, user=None):
        if score(password) < MIN_SCORE:
            raise ValidationError(
                "Ce mot de passe est trop facile à deviner. Allongez-le ou mélangez minuscules, majuscules, "
                "chiffres et caractères spéciaux.",
                code="password_too_weak",
            )

    def get_help_text(self):
        return "Au moins 12 caractères ; une phrase de passe de plusieurs mots est un bon choix."
