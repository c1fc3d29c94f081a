"""Tags (« balises ») of attestation templates: --numéro du dossier--, --nom--, --<libellé d'un champ>--…

A tag is its name between two double hyphens. Names are matched ignoring case and repeated spaces;
a tag that matches nothing stays as typed (and the editor refuses to save it).
"""

import re
from dataclasses import dataclass

from django.utils import formats, timezone

from demarches.dossiers.models import Champ, Dossier
from demarches.fields.registry import StoredValue
from demarches.procedures.models import Procedure, TypeDeChamp

from .models import AttestationKind

TAG_RE = re.compile(r"--([^\n]+?)--")


@dataclass(frozen=True)
class Balise:
    name: str
    description: str


FIXED = (
    Balise("numéro du dossier", "le numéro du dossier"),
    Balise("libellé démarche", "le titre de la démarche"),
    Balise("demandeur", "le prénom et le nom du demandeur (à défaut, son adresse électronique)"),
    Balise("civilité", "la civilité du demandeur"),
    Balise("nom", "le nom du demandeur"),
    Balise("prénom", "le prénom du demandeur"),
    Balise("date de dépôt", "la date de dépôt du dossier"),
    Balise("date de passage en instruction", "la date de passage en instruction"),
    Balise("date de décision", "la date de la décision"),
    Balise("motivation", "la motivation de la décision"),
    Balise("nom du service", "le nom du service en charge de la démarche"),
)

DEFAULTS = {
    AttestationKind.ACCEPTATION: {
        "title": "Attestation d'acceptation",
        "body": (
            "Le service soussigné atteste que le dossier n° --numéro du dossier--, déposé le --date de dépôt-- "
            "par --demandeur-- au titre de la démarche « --libellé démarche-- », a été accepté le "
            "--date de décision--.\n\n"
            "--motivation--\n\n"
            "Cette attestation est délivrée pour servir et valoir ce que de droit."
        ),
    },
    AttestationKind.REFUS: {
        "title": "Attestation de refus",
        "body": (
            "Le service soussigné atteste que le dossier n° --numéro du dossier--, déposé le --date de dépôt-- "
            "par --demandeur-- au titre de la démarche « --libellé démarche-- », a fait l'objet d'une décision "
            "de refus le --date de décision--.\n\n"
            "Motif du refus : --motivation--\n\n"
            "Pour toute question sur cette décision, écrivez au service depuis la messagerie de votre dossier."
        ),
    },
}


def normaliser(name: str) -> str:
    return " ".join(name.split()).casefold()


def _date(value) -> str:
    if not value:
        return ""
    return formats.date_format(timezone.localtime(value), "j F Y")


def _types_de_champ(procedure: Procedure):
    """Field definitions of every revision of the démarche, the most recent first."""
    return (
        TypeDeChamp.objects.filter(revision__procedure=procedure)
        .order_by("-revision_id", "position", "id")
        .only("stable_id", "libelle", "type_champ", "private", "revision_id")
    )


def balises_de_champs(procedure: Procedure) -> list[Balise]:
    """Tags offered in the editor for the champs and private annotations, in form order of the draft."""
    fixed = {normaliser(b.name) for b in FIXED}
    seen, result = set(), []
    draft = procedure.draft_revision_id
    rows = sorted(_types_de_champ(procedure), key=lambda t: (t.revision_id != draft, -t.revision_id, t.private))
    for tdc in rows:
        if not tdc.field_type.fillable:
            continue
        key = normaliser(tdc.libelle)
        if key in fixed or key in seen:
            continue
        seen.add(key)
        what = "annotation privée" if tdc.private else "champ"
        result.append(Balise(tdc.libelle, f"la réponse au {what} « {tdc.libelle} »"))
    return result


def inconnues(text: str, procedure: Procedure) -> list[str]:
    """Tags used in a text that match nothing of the démarche, as typed."""
    known = {normaliser(b.name) for b in FIXED} | {normaliser(b.name) for b in balises_de_champs(procedure)}
    unknown = []
    for match in TAG_RE.finditer(text or ""):
        if normaliser(match.group(1)) not in known and match.group(0) not in unknown:
            unknown.append(match.group(0))
    return unknown


def remplacer(text: str, valeurs: dict[str, str]) -> str:
    def repl(match):
        key = normaliser(match.group(1))
        return valeurs[key] if key in valeurs else match.group(0)

    return TAG_RE.sub(repl, text or "")


def valeurs(dossier: Dossier) -> dict[str, str]:
    """The value of every tag for one dossier (keys normalised)."""
    procedure = dossier.procedure
    result = {
        "numéro du dossier": str(dossier.pk),
        "libellé démarche": procedure.libelle,
        "demandeur": dossier.demandeur,
        "civilité": dossier.civilite,
        "nom": dossier.nom,
        "prénom": dossier.prenom,
        "date de dépôt": _date(dossier.depose_at),
        "date de passage en instruction": _date(dossier.en_instruction_at),
        "date de décision": _date(dossier.processed_at),
        "motivation": dossier.motivation,
        "nom du service": procedure.service.nom if procedure.service_id else "",
    }
    champs = {c.stable_id: c for c in Champ.objects.filter(dossier=dossier, row_id="")}
    # The dossier's own revision wins; other revisions resolve libellés renamed since.
    rows = sorted(_types_de_champ(procedure), key=lambda t: t.revision_id != dossier.revision_id)
    for tdc in rows:
        key = normaliser(tdc.libelle)
        if key in result or not tdc.field_type.fillable:
            continue
        champ = champs.get(tdc.stable_id)
        stored = champ.stored if champ else StoredValue()
        result[key] = "" if tdc.field_type.is_empty(stored) else tdc.field_type.display(stored)
    return result


def valeurs_exemple(procedure: Procedure, kind: str) -> dict[str, str]:
    """Values for the administrateur's preview: plausible, obviously fictitious."""
    now = timezone.now()
    result = {
        "numéro du dossier": "123456",
        "libellé démarche": procedure.libelle,
        "demandeur": "Camille Exemple",
        "civilité": "Mme",
        "nom": "Exemple",
        "prénom": "Camille",
        "date de dépôt": _date(now - timezone.timedelta(days=20)),
        "date de passage en instruction": _date(now - timezone.timedelta(days=10)),
        "date de décision": _date(now),
        "motivation": (
            "Motivation saisie par l'instructeur au moment de la décision."
            if kind == AttestationKind.ACCEPTATION
            else "Motif du refus saisi par l'instructeur."
        ),
        "nom du service": procedure.service.nom if procedure.service_id else "",
    }
    for balise in balises_de_champs(procedure):
        result.setdefault(normaliser(balise.name), f"[réponse au champ « {balise.name} »]")
    return result
