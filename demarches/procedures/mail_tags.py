"""Tags (« balises ») of the automatic e-mails: ``--numéro du dossier--``, ``--<libellé d'un champ>--``…

A tag is a name between two double hyphens. Names match ignoring case, accents kept, and with
repeated spaces collapsed, so ``--Numéro  du dossier--`` is ``--numéro du dossier--``.

This module is pure: it works on plain strings and dictionaries, never on the database. The
values of a given dossier are gathered by ``mail_templates.valeurs_du_dossier``.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape

# A name: anything but a line break or a hyphen pair, at least one non-space character.
TAG_RE = re.compile(r"--(?!-)([^\n]+?)--")


@dataclass(frozen=True)
class Balise:
    name: str
    description: str

    @property
    def tag(self) -> str:
        return f"--{self.name}--"


FIXED = (
    Balise("numéro du dossier", "le numéro du dossier"),
    Balise("libellé démarche", "le titre de la démarche"),
    Balise("date de dépôt", "la date de dépôt du dossier"),
    Balise("date de passage en instruction", "la date de passage en instruction du dossier"),
    Balise("date de décision", "la date de la décision"),
    Balise("motivation", "la motivation de la décision saisie par l'instructeur"),
    Balise("lien dossier", "le lien vers la page du dossier"),
    Balise("lien messagerie", "le lien vers la messagerie du dossier"),
    Balise("lien attestation", "le lien de téléchargement de l'attestation (vide si la démarche n'en délivre pas)"),
    Balise("nom du service", "le nom du service en charge de la démarche"),
    Balise("demandeur", "le prénom et le nom du demandeur (à défaut, son adresse électronique)"),
    Balise("civilité", "la civilité du demandeur"),
    Balise("nom", "le nom du demandeur"),
    Balise("prénom", "le prénom du demandeur"),
)


def normaliser(name: str) -> str:
    return " ".join((name or "").split()).casefold()


FIXED_KEYS = frozenset(normaliser(b.name) for b in FIXED)


def balises_de_champs(champs: Iterable[tuple[str, bool]]) -> list[Balise]:
    """One tag per (libellé, private) pair, in the given order; a libellé met twice, or equal to a
    fixed tag, gives no second tag (the fixed tag wins)."""
    seen = set(FIXED_KEYS)
    result = []
    for libelle, private in champs:
        key = normaliser(libelle)
        if not key or key in seen:
            continue
        seen.add(key)
        name = " ".join(libelle.split())
        what = "de l'annotation privée" if private else "du champ"
        result.append(Balise(name, f"la valeur {what} « {name} »"))
    return result


def balises_utilisees(text: str) -> list[str]:
    """The tags of a text, as typed, without repetition."""
    result = []
    for match in TAG_RE.finditer(text or ""):
        if match.group(0) not in result:
            result.append(match.group(0))
    return result


def balises_inconnues(text: str, connues: Iterable[str]) -> list[str]:
    """The tags of a text that match none of the known names, as typed."""
    known = {normaliser(name) for name in connues}
    return [tag for tag in balises_utilisees(text) if normaliser(tag[2:-2]) not in known]


def message_inconnues(inconnues: list[str]) -> str:
    if len(inconnues) == 1:
        return f"La balise {inconnues[0]} n'existe pas pour cette démarche. Copiez une balise de la liste des balises disponibles."
    return (
        "Les balises " + ", ".join(inconnues) + " n'existent pas pour cette démarche. "
        "Copiez les balises de la liste des balises disponibles."
    )


def substituer(text: str, valeurs: dict[str, str], *, html: bool = False) -> str:
    """Replace every tag whose normalised name is a key of `valeurs` by its value.

    Unknown tags stay as typed. With html=True, the text and the values are escaped: the result
    is safe to put in an HTML page.
    """
    valeurs = {normaliser(k): "" if v is None else str(v) for k, v in valeurs.items()}
    parts, last = [], 0
    for match in TAG_RE.finditer(text or ""):
        key = normaliser(match.group(1))
        if key not in valeurs:
            continue
        parts.append(escape(text[last:match.start()]) if html else text[last:match.start()])
        parts.append(escape(valeurs[key]) if html else valeurs[key])
        last = match.end()
    tail = (text or "")[last:]
    parts.append(escape(tail) if html else tail)
    return "".join(parts)
