"""One way to compare place names: lower case, no accents, words separated by single spaces."""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Abbreviations people type for the saints that start thousands of commune names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normaliser(text: str) -> str:
    """« Saint-Étienne-du-Rouvray » and « st etienne du rouvray » both give « saint etienne du rouvray »."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES).lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = _NOT_ALNUM.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)
