"""A démarche's definition as a plain JSON document: what is exported, imported and cloned.

The document holds what an administrateur builds (description, options, service, champs and
annotations of the latest revision with their options, customised e-mails), never dossiers,
people or identifiers of this instance: stable_ids are given anew on import.
"""

from django.core.exceptions import ValidationError

from .models import Procedure, ProcedureRevision, TypeDeChamp

FORMAT = "demarches.procedure"
VERSION = 1
PROCEDURE_OPTIONS = (
    "libelle", "description", "for_individual", "declarative_with_state", "duree_conservation_dossiers",
    "lien_notice", "cadre_juridique", "lien_dpo", "monavis_embed", "duree_estimee_minutes",
)
SERVICE_FIELDS = ("nom", "organisme", "type_organisme", "email", "telephone", "horaires", "adresse")
CHAMP_FIELDS = ("type_champ", "libelle", "description", "mandatory", "options")


def _champ(tdc: TypeDeChamp, children: dict[int, list[TypeDeChamp]]) -> dict:
    data = {name: getattr(tdc, name) for name in CHAMP_FIELDS}
    kids = children.get(tdc.pk, [])
    if kids:
        data["children"] = [_champ(child, children) for child in kids]
    return data


def _champs(revision: ProcedureRevision, *, private: bool) -> list[dict]:
    rows = list(revision.types_de_champ.filter(private=private).order_by("position", "id"))
    children: dict[int, list[TypeDeChamp]] = {}
    for tdc in rows:
        if tdc.parent_id:
            children.setdefault(tdc.parent_id, []).append(tdc)
    return [_champ(tdc, children) for tdc in rows if tdc.parent_id is None]


def exporter(procedure: Procedure) -> dict:
    """The definition of the démarche, from its latest (draft) revision."""
    service = procedure.service
    return {
        "format": FORMAT,
        "version": VERSION,
        "procedure": {name: getattr(procedure, name) for name in PROCEDURE_OPTIONS},
        "service": {name: getattr(service, name) for name in SERVICE_FIELDS} if service else None,
        "champs": _champs(procedure.draft_revision, private=False),
        "annotations": _champs(procedure.draft_revision, private=True),
        "mail_templates": [
            {"kind": t.kind, "subject": t.subject, "body": t.body} for t in procedure.mail_templates.order_by("kind")
        ],
    }


# --- Reading a document (shape only; the services validate the content) ------------------------


def _fail(message: str):
    raise ValidationError(f"Le fichier n'est pas une démarche exportée valide : {message}")


def _text(data: dict, name: str, where: str, *, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        _fail(f"« {name} » de {where} doit être un texte.")
    if required and not value.strip():
        _fail(f"« {name} » de {where} est vide.")
    return value


def _lire_champs(items, where: str, *, depth: int = 0) -> list[dict]:
    if not isinstance(items, list):
        _fail(f"« {where} » doit être une liste.")
    result = []
    for index, item in enumerate(items, start=1):
        label = f"{where} n° {index}"
        if not isinstance(item, dict):
            _fail(f"{label} doit être un objet.")
        options = item.get("options") or {}
        if not isinstance(options, dict):
            _fail(f"les options de {label} doivent être un objet.")
        champ = {
            "type_champ": _text(item, "type_champ", label, required=True),
            "libelle": _text(item, "libelle", label, required=True),
            "description": _text(item, "description", label),
            "mandatory": bool(item.get("mandatory", False)),
            "options": options,
        }
        if item.get("children"):
            if depth:
                _fail(f"{label} : un bloc répétable ne peut pas en contenir un autre.")
            champ["children"] = _lire_champs(item["children"], f"{label}, champs du bloc", depth=depth + 1)
        result.append(champ)
    return result


def lire(document) -> dict:
    """Check the document's shape and return it normalised; raise ValidationError (French)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        _fail("ce n'est pas un export de démarche.")
    if document.get("version") != VERSION:
        _fail(f"version {document.get('version')!r} non prise en charge (attendue : {VERSION}).")
    procedure = document.get("procedure")
    if not isinstance(procedure, dict):
        _fail("la description de la démarche manque.")
    options = {
        "libelle": _text(procedure, "libelle", "la démarche", required=True),
        "description": _text(procedure, "description", "la démarche", required=True),
        "for_individual": bool(procedure.get("for_individual", True)),
        "declarative_with_state": _text(procedure, "declarative_with_state", "la démarche"),
        "duree_conservation_dossiers": procedure.get("duree_conservation_dossiers", 12),
        # Added after the first exports: absent from older documents.
        "lien_notice": _text(procedure, "lien_notice", "la démarche"),
        "cadre_juridique": _text(procedure, "cadre_juridique", "la démarche"),
        "lien_dpo": _text(procedure, "lien_dpo", "la démarche"),
        "monavis_embed": _text(procedure, "monavis_embed", "la démarche"),
        "duree_estimee_minutes": procedure.get("duree_estimee_minutes"),
    }
    duree = options["duree_estimee_minutes"]
    if duree is not None and (not isinstance(duree, int) or isinstance(duree, bool)):
        _fail("le temps de remplissage estimé doit être un nombre entier de minutes.")
    if options["declarative_with_state"] not in ("", "en_instruction", "accepte"):
        _fail("la valeur de « démarche déclarative » est inconnue.")
    if not isinstance(options["duree_conservation_dossiers"], int) or isinstance(options["duree_conservation_dossiers"], bool):
        _fail("la durée de conservation doit être un nombre entier de mois.")
    service = document.get("service")
    if service is not None:
        if not isinstance(service, dict):
            _fail("le service doit être un objet.")
        service = {name: _text(service, name, "le service") for name in SERVICE_FIELDS}
    mails = document.get("mail_templates") or []
    if not isinstance(mails, list) or not all(isinstance(m, dict) for m in mails):
        _fail("« mail_templates » doit être une liste d'objets.")
    return {
        "procedure": options,
        "service": service,
        "champs": _lire_champs(document.get("champs") or [], "champ"),
        "annotations": _lire_champs(document.get("annotations") or [], "annotation"),
        "mail_templates": [
            {"kind": _text(m, "kind", "l'e-mail", required=True), "subject": _text(m, "subject", "l'e-mail"),
             "body": _text(m, "body", "l'e-mail")}
            for m in mails
        ],
    }
