"""The six customisable automatic e-mails: default texts, available tags, values for a dossier."""

import logging
import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, timezone

from demarches.fields.registry import StoredValue

from . import mail_tags
from .models import MailTemplate, Procedure, TypeDeChamp

Kind = MailTemplate.Kind
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TypeEmail:
    kind: str
    label: str
    quand: str
    default_subject: str


# Default subjects: the same words as dossiers.notifications.SUBJECTS, written with tags.
TYPES = (
    TypeEmail(Kind.ACCUSE_DE_RECEPTION, Kind.ACCUSE_DE_RECEPTION.label, "envoyé à l'usager quand il dépose son dossier",
              "Votre dossier n° --numéro du dossier-- a bien été déposé (--libellé démarche--)"),
    TypeEmail(Kind.PASSAGE_EN_INSTRUCTION, Kind.PASSAGE_EN_INSTRUCTION.label,
              "envoyé quand le dossier passe en instruction",
              "Votre dossier n° --numéro du dossier-- va être examiné (--libellé démarche--)"),
    TypeEmail(Kind.ACCEPTATION, Kind.ACCEPTATION.label, "envoyé quand le dossier est accepté",
              "Votre dossier n° --numéro du dossier-- a été accepté (--libellé démarche--)"),
    TypeEmail(Kind.REFUS, Kind.REFUS.label, "envoyé quand le dossier est refusé",
              "Votre dossier n° --numéro du dossier-- a été refusé (--libellé démarche--)"),
    TypeEmail(Kind.SANS_SUITE, Kind.SANS_SUITE.label, "envoyé quand le dossier est classé sans suite",
              "Votre dossier n° --numéro du dossier-- a été classé sans suite (--libellé démarche--)"),
    TypeEmail(Kind.REEXAMEN, Kind.REEXAMEN.label,
              "envoyé quand une décision est annulée et que le dossier repasse en instruction",
              "Votre dossier n° --numéro du dossier-- est à nouveau en cours d'examen (--libellé démarche--)"),
)
TYPES_PAR_KIND = {t.kind: t for t in TYPES}

_BLOCK_TAG = re.compile(r"\{%\s*(\w+)[^%]*%\}")
_DATE_FILTER = re.compile(r"\|\s*date(?::\"[^\"]*\"|:'[^']*')?")


def _tag(name: str) -> str:
    return f"--{name}--"


class _Donnees(SimpleNamespace):
    """Stands for the dossier while rendering a default template: anything not given is empty."""

    def __getattr__(self, name):
        return ""


def _corps_generique(type_email: TypeEmail) -> str:
    phrase = type_email.default_subject.split(" (")[0]
    return (
        f"Bonjour,\n\n{phrase} (démarche « --libellé démarche-- »).\n\n"
        "Consulter votre dossier : --lien dossier--\n\nCordialement,\n--nom du service--"
    )


def texte_par_defaut(kind: str) -> tuple[str, str]:
    """(subject, body) of the platform's default e-mail, written with tags.

    The body is the default template dossiers/emails/<kind>.txt rendered with tags in place of the
    dossier's data, so the administrateur starts from exactly the text usagers receive by default.
    Parts that depend on other apps' template tags (attestation link…) are left out: they have
    no tag equivalent.
    """
    type_email = TYPES_PAR_KIND[kind]
    template = get_template(f"dossiers/emails/{kind}.txt").template
    # Dates are formatted by the template: render the tag instead of the formatted date.
    source = _DATE_FILTER.sub("", template.source)
    builtins = set().union(*(library.tags for library in template.engine.template_builtins)) - {"load"}

    def _builtin_only(match):
        name = match.group(1)
        keep = name in builtins or name.startswith("end") or name in ("else", "elif", "empty")
        return match.group(0) if keep else ""

    source = _BLOCK_TAG.sub(_builtin_only, source)
    context = {
        "dossier": _Donnees(
            pk=_tag("numéro du dossier"), depose_at=_tag("date de dépôt"), processed_at=_tag("date de décision"),
            en_instruction_at=_tag("date de passage en instruction"), motivation=_tag("motivation"),
            justificatif_motivation="", nom=_tag("nom"), prenom=_tag("prénom"), demandeur=_tag("demandeur"),
        ),
        "procedure": _Donnees(libelle=_tag("libellé démarche")),
        "service": _Donnees(nom=_tag("nom du service"), organisme=""),
        "dossier_url": _tag("lien dossier"),
        "messagerie_url": _tag("lien messagerie"),
        "site_url": settings.SITE_URL,
        "application_name": settings.APPLICATION_NAME,
    }
    try:
        body = template.engine.from_string(source).render(Context(context, autoescape=False)).strip()
    except Exception:  # a default template this module cannot render: start from a plain text
        logger.exception("Texte par défaut de l'e-mail %s non reproductible avec des balises", kind)
        body = _corps_generique(type_email)
    return type_email.default_subject, body


def texte(procedure: Procedure, kind: str) -> tuple[str, str, bool]:
    """(subject, body, personnalisé) of the e-mail the démarche sends."""
    custom = procedure.mail_templates.filter(kind=kind).first()
    if custom is not None:
        return custom.subject, custom.body, True
    return (*texte_par_defaut(kind), False)


# --- Tags ---------------------------------------------------------------------------------------


def _revisions(procedure: Procedure) -> list[int]:
    """The revisions whose champs give tags: the published one (or the draft while en test), and the draft."""
    ids = [procedure.published_revision_id, procedure.draft_revision_id]
    return [pk for i, pk in enumerate(ids) if pk and pk not in ids[:i]]


def _champs_a_balise(revision_ids: list[int]):
    types = (
        TypeDeChamp.objects.filter(revision_id__in=revision_ids, parent__isnull=True)
        .only("libelle", "private", "type_champ", "revision_id", "position")
    )
    order = {pk: i for i, pk in enumerate(revision_ids)}
    rows = sorted(types, key=lambda t: (order[t.revision_id], t.private, t.position, t.pk))
    return [t for t in rows if t.field_type.fillable and not t.field_type.has_children]


def balises_disponibles(procedure: Procedure) -> list[mail_tags.Balise]:
    champs = mail_tags.balises_de_champs((t.libelle, t.private) for t in _champs_a_balise(_revisions(procedure)))
    return list(mail_tags.FIXED) + champs


def balises_inconnues(procedure: Procedure, text: str) -> list[str]:
    return mail_tags.balises_inconnues(text, [b.name for b in balises_disponibles(procedure)])


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j F Y") if value else ""


def _url(name: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])


def _lien_attestation(dossier) -> str:
    """The usager's download link of the dossier's attestation, when the démarche delivers one for it."""
    from demarches.documents.selectors import attestation_disponible

    return _url("documents:attestation", dossier.pk) if attestation_disponible(dossier) else ""


def valeurs_du_dossier(dossier) -> dict[str, str]:
    """The value of every tag for one dossier (keys normalised); champs through field_type.display."""
    procedure = dossier.procedure
    valeurs = {
        "numéro du dossier": str(dossier.pk),
        "libellé démarche": procedure.libelle,
        "date de dépôt": _date(dossier.depose_at),
        "date de passage en instruction": _date(dossier.en_instruction_at),
        "date de décision": _date(dossier.processed_at),
        "motivation": dossier.motivation,
        "lien dossier": _url("dossiers:show", dossier.pk),
        "lien messagerie": _url("dossiers:messagerie", dossier.pk),
        "lien attestation": _lien_attestation(dossier),
        "nom du service": procedure.service.nom if procedure.service_id else "",
        "demandeur": dossier.demandeur,
        "civilité": dossier.civilite,
        "nom": dossier.nom,
        "prénom": dossier.prenom,
    }
    # Tags of the démarche's current champs are known, even when this dossier's revision lacks them.
    for balise in balises_disponibles(procedure):
        valeurs.setdefault(mail_tags.normaliser(balise.name), "")
    champs = {c.stable_id: c for c in dossier.champs.filter(row_id="")}
    for tdc in _champs_a_balise([dossier.revision_id]):
        key = mail_tags.normaliser(tdc.libelle)
        if key in mail_tags.FIXED_KEYS:
            continue
        champ = champs.get(tdc.stable_id)
        stored = champ.stored if champ is not None else StoredValue()
        valeurs[key] = "" if tdc.field_type.is_empty(stored) else tdc.field_type.display(stored)
    return valeurs


def valeurs_exemple(procedure: Procedure) -> dict[str, str]:
    """Plausible, obviously fictitious values for the administrateur's preview."""
    now = timezone.now()
    valeurs = {
        "numéro du dossier": "123456",
        "libellé démarche": procedure.libelle,
        "date de dépôt": _date(now - timezone.timedelta(days=20)),
        "date de passage en instruction": _date(now - timezone.timedelta(days=10)),
        "date de décision": _date(now),
        "motivation": "La motivation saisie par l'instructeur au moment de sa décision.",
        "lien dossier": settings.SITE_URL.rstrip("/") + "/dossiers/123456/",
        "lien messagerie": settings.SITE_URL.rstrip("/") + "/dossiers/123456/messagerie/",
        "lien attestation": _url("documents:attestation", 123456),
        "nom du service": procedure.service.nom if procedure.service_id else "",
        "demandeur": "Camille Exemple",
        "civilité": "Mme",
        "nom": "Exemple",
        "prénom": "Camille",
    }
    for balise in balises_disponibles(procedure):
        valeurs.setdefault(mail_tags.normaliser(balise.name), f"[{balise.name}]")
    return valeurs


def mail_personnalise(dossier, kind: str) -> tuple[str, str] | None:
    """(subject, body) of the démarche's own e-mail for this dossier, tags replaced; None when the
    démarche uses the default text for this kind of e-mail."""
    if kind not in TYPES_PAR_KIND:
        return None
    custom = MailTemplate.objects.filter(procedure_id=dossier.procedure_id, kind=kind).first()
    if custom is None:
        return None
    valeurs = valeurs_du_dossier(dossier)
    subject = " ".join(mail_tags.substituer(custom.subject, valeurs).split())
    return subject[:255], mail_tags.substituer(custom.body, valeurs).strip()
