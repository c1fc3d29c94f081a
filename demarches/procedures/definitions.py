"""A démarche's definition as a plain JSON document: what is exported, imported and cloned.

The document holds what an administrateur builds (description, options, service, champs and
annotations of the latest revision with their options and conditions, customised e-mails, groupes
d'instructeurs with the routing rule, règles d'inéligibilité, attestation templates, labels of the
instruction), never dossiers, people (no instructeur), paths of files or identifiers of this instance.
The images of the attestation templates (logo, tampon ou signature) travel inside the document, in
base64, and are checked on import like an upload in the attestation editor.

stable_ids are given anew on import, so the document never holds one: each champ carries a
`ref`, its number in the document (champs in order, each block followed by its own champs, then
the annotations), and everything that points at a champ (conditions of champs and annotations,
the routing champ, the règles d'inéligibilité) points at that number. Exporting the démarche
created from a document gives back the same document.

Version 1 documents (before refs) are still read; their conditions referred to stable_ids of the
instance that exported them and cannot be mapped: they are dropped.
"""

import base64
import binascii
import copy

from django.core.exceptions import ValidationError

from demarches.fields import options as champ_options
from demarches.fields import registry
from demarches.fields.types.choice import option_values

from . import description as description_module
from .models import GroupeInstructeur, Procedure, ProcedureRevision, RegleIneligibilite, TypeDeChamp

FORMAT = "demarches.procedure"
VERSION = 2
VERSIONS_LUES = (1, 2)
ROUTING_TYPE = "drop_down_list"
PROCEDURE_OPTIONS = (
    "libelle", "description", "for_individual", "demander_date_naissance", "declarative_with_state",
    "duree_conservation_dossiers", "lien_notice", "cadre_juridique", "lien_dpo", "monavis_embed",
    "duree_estimee_minutes",
)
SERVICE_FIELDS = ("nom", "organisme", "type_organisme", "email", "telephone", "horaires", "adresse")
CHAMP_FIELDS = ("type_champ", "libelle", "description", "mandatory", "options")
ATTESTATION_KINDS = ("acceptation", "refus")
ATTESTATION_TEXTS = ("title", "body", "footer")
ATTESTATION_IMAGES = ("logo", "signature")


# --- References to champs -----------------------------------------------------------------------


def remapper(condition, correspondance: dict) -> object:
    """A copy of a condition tree (fields/conditions.py format) whose champ references go through
    `correspondance` (old → new); a reference it does not know becomes None (a condition that
    cannot be read: the champ stays visible, the rule never blocks)."""
    if isinstance(condition, list):
        return [remapper(item, correspondance) for item in condition]
    if not isinstance(condition, dict):
        return copy.deepcopy(condition)
    result = {}
    for key, value in condition.items():
        if key in ("and", "or"):
            result[key] = remapper(value, correspondance)
        elif key == "champ":
            try:
                result[key] = correspondance.get(int(value))
            except (TypeError, ValueError, OverflowError):
                result[key] = None
        else:
            result[key] = copy.deepcopy(value)
    return result


def references_de(condition) -> list:
    """Every champ reference of a condition tree, as written (None included)."""
    found = []
    if isinstance(condition, list):
        for item in condition:
            found += references_de(item)
    elif isinstance(condition, dict):
        for group in ("and", "or"):
            if group in condition:
                found += references_de(condition[group])
        if "champ" in condition:
            found.append(condition["champ"])
    return found


def options_fichiers(type_champ: str) -> tuple[str, ...]:
    """The options of a type that hold a file of this instance (a model document…): never in a document."""
    try:
        field_type = registry.get(type_champ)
    except ValidationError:
        return ()
    return tuple(option.key for option in champ_options.options_de(field_type) if option.kind == champ_options.FICHIER)


def types_de_champ_ordonnes(revision: ProcedureRevision) -> list[TypeDeChamp]:
    """The champs of a revision in document order: public ones (each block followed by its champs), then annotations."""
    rows = list(revision.types_de_champ.order_by("position", "id"))
    children: dict[int, list[TypeDeChamp]] = {}
    for tdc in rows:
        if tdc.parent_id:
            children.setdefault(tdc.parent_id, []).append(tdc)
    ordered = []
    for private in (False, True):
        for tdc in rows:
            if tdc.private == private and tdc.parent_id is None:
                ordered.append(tdc)
                ordered.extend(children.get(tdc.pk, []))
    return ordered


def refs_de(revision: ProcedureRevision) -> dict[int, int]:
    """stable_id → ref (the champ's number in the document) for a revision."""
    return {tdc.stable_id: ref for ref, tdc in enumerate(types_de_champ_ordonnes(revision), start=1)}


# --- Writing a document -------------------------------------------------------------------------


def _champ(tdc: TypeDeChamp, children: dict[int, list[TypeDeChamp]], refs: dict[int, int]) -> dict:
    fichiers = options_fichiers(tdc.type_champ)
    options = {key: copy.deepcopy(value) for key, value in (tdc.options or {}).items() if key not in fichiers}
    if "condition" in options:
        options["condition"] = remapper(options["condition"], refs)
    data = {"ref": refs[tdc.stable_id], **{name: getattr(tdc, name) for name in CHAMP_FIELDS}, "options": options}
    kids = children.get(tdc.pk, [])
    if kids:
        data["children"] = [_champ(child, children, refs) for child in kids]
    return data


def _champs(revision: ProcedureRevision, refs: dict[int, int], *, private: bool) -> list[dict]:
    rows = list(revision.types_de_champ.filter(private=private).order_by("position", "id"))
    children: dict[int, list[TypeDeChamp]] = {}
    for tdc in rows:
        if tdc.parent_id:
            children.setdefault(tdc.parent_id, []).append(tdc)
    return [_champ(tdc, children, refs) for tdc in rows if tdc.parent_id is None]


def _champ_de_routage(procedure: Procedure, revision: ProcedureRevision) -> TypeDeChamp | None:
    if procedure.routing_stable_id is None:
        return None
    return revision.types_de_champ.filter(
        stable_id=procedure.routing_stable_id, type_champ=ROUTING_TYPE, private=False, parent__isnull=True
    ).first()


def _image(field_file) -> str | None:
    """An image of an attestation template as base64 (None without image or when the file is gone)."""
    if not field_file:
        return None
    try:
        with field_file.open("rb") as handle:
            return base64.b64encode(handle.read()).decode("ascii")
    except (FileNotFoundError, OSError):
        return None


def _attestations(procedure: Procedure) -> list[dict]:
    from demarches.documents.models import AttestationTemplate

    return [
        {"kind": t.kind, "activated": t.activated, "qr_code": t.qr_code,
         **{name: getattr(t, name) for name in ATTESTATION_TEXTS},
         **{name: _image(getattr(t, name)) for name in ATTESTATION_IMAGES}}
        for t in AttestationTemplate.objects.filter(procedure=procedure).order_by("kind")
    ]


def _labels(procedure: Procedure) -> list[dict]:
    from demarches.instruction.models import Label

    labels = Label.objects.filter(procedure=procedure).order_by("id")
    return [{"name": label.name, "color": label.color} for label in labels]


def exporter(procedure: Procedure) -> dict:
    """The definition of the démarche, from its latest (draft) revision."""
    service = procedure.service
    revision = procedure.draft_revision
    refs = refs_de(revision)
    routage_tdc = _champ_de_routage(procedure, revision)
    # Values of options removed from the champ since the rule was set route nothing: left out.
    options_routage = set(option_values(routage_tdc.options or {})) if routage_tdc is not None else set()
    regle = RegleIneligibilite.objects.filter(procedure=procedure).first()
    return {
        "format": FORMAT,
        "version": VERSION,
        "procedure": {name: getattr(procedure, name) for name in PROCEDURE_OPTIONS},
        "service": {name: getattr(service, name) for name in SERVICE_FIELDS} if service else None,
        "champs": _champs(revision, refs, private=False),
        "annotations": _champs(revision, refs, private=True),
        "mail_templates": [
            {"kind": t.kind, "subject": t.subject, "body": t.body} for t in procedure.mail_templates.order_by("kind")
        ],
        # The first groupe is the default one; instructeurs never travel in a document.
        "groupes": [
            {"label": g.label, "closed": g.closed,
             "routing_values": [v for v in g.routing_values or [] if v in options_routage]}
            for g in GroupeInstructeur.objects.filter(procedure=procedure).order_by("id")
        ],
        "routage": {"champ": refs[routage_tdc.stable_id]} if routage_tdc is not None else None,
        "ineligibilite": (
            {"active": regle.active, "message": regle.message, "condition": remapper(regle.condition or {}, refs)}
            if regle is not None else None
        ),
        "attestations": _attestations(procedure),
        "labels": _labels(procedure),
    }


# --- Reading a document (shape and references; the services validate the content) ---------------


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


def _ref(value, label: str):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        _fail(f"{label} doit avoir un numéro « ref » (entier positif).")
    return value


def _lire_champs(items, where: str, *, version: int, tous: dict, private: bool, depth: int = 0) -> list[dict]:
    """The champs of a list; `tous` collects ref → champ (to check references afterwards)."""
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
            "ref": None,
            "type_champ": _text(item, "type_champ", label, required=True),
            "libelle": _text(item, "libelle", label, required=True),
            "description": _text(item, "description", label),
            "mandatory": bool(item.get("mandatory", False)),
        }
        # Files of the exporting instance never come in (a path could point at anything in storage).
        fichiers = options_fichiers(champ["type_champ"])
        options = {key: copy.deepcopy(value) for key, value in options.items() if key not in fichiers}
        if version == 1:
            options.pop("condition", None)
        elif "condition" in options and not isinstance(options["condition"], dict):
            _fail(f"la condition de {label} doit être un objet.")
        champ["options"] = options
        # A champ without ref (a document written by hand) simply cannot be referred to.
        if version >= 2 and item.get("ref") is not None:
            champ["ref"] = _ref(item.get("ref"), label)
            if champ["ref"] in tous:
                _fail(f"le numéro « ref » {champ['ref']} est donné à plusieurs champs.")
            tous[champ["ref"]] = {**champ, "private": private, "top": depth == 0}
        if item.get("children"):
            if depth:
                _fail(f"{label} : un bloc répétable ne peut pas en contenir un autre.")
            champ["children"] = _lire_champs(
                item["children"], f"{label}, champs du bloc", version=version, tous=tous, private=private, depth=depth + 1
            )
        result.append(champ)
    return result


def _verifier_references(condition, tous: dict, where: str) -> None:
    for reference in references_de(condition):
        if reference is not None and reference not in tous:
            _fail(f"{where} porte sur un champ absent du fichier (ref {reference!r}).")


def _lire_groupes(document: dict, routage_ref, tous: dict) -> list[dict]:
    items = document.get("groupes")
    if items is None:
        return []
    if not isinstance(items, list):
        _fail("« groupes » doit être une liste.")
    options_routage = None
    if routage_ref is not None:
        options_routage = set(option_values(tous[routage_ref]["options"]))
    groupes, labels, routees = [], set(), set()
    for index, item in enumerate(items, start=1):
        where = f"le groupe d'instructeurs n° {index}"
        if not isinstance(item, dict):
            _fail(f"{where} doit être un objet.")
        label = " ".join(_text(item, "label", where, required=True).split())
        if label.casefold() in labels:
            _fail(f"le groupe « {label} » apparaît plusieurs fois.")
        labels.add(label.casefold())
        values = item.get("routing_values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            _fail(f"les valeurs de routage de {where} doivent être une liste de textes.")
        if options_routage is None:
            values = []
        for value in values:
            if value not in options_routage:
                _fail(f"« {value} » (routage du groupe « {label} ») n'est pas une option du champ de routage.")
            if value in routees:
                _fail(f"l'option « {value} » du champ de routage envoie vers plusieurs groupes.")
            routees.add(value)
        groupes.append({"label": label, "closed": bool(item.get("closed", False)), "routing_values": list(values)})
    if groupes and all(groupe["closed"] for groupe in groupes):
        _fail("au moins un groupe d'instructeurs doit rester ouvert.")
    return groupes


def _lire_routage(document: dict, tous: dict):
    routage = document.get("routage")
    if routage is None:
        return None
    if not isinstance(routage, dict):
        _fail("« routage » doit être un objet.")
    ref = routage.get("champ")
    champ = tous.get(ref) if isinstance(ref, int) and not isinstance(ref, bool) else None
    if champ is None or champ["type_champ"] != ROUTING_TYPE or champ["private"] or not champ["top"]:
        _fail("le champ de routage doit être un champ « choix simple » du formulaire (hors bloc répétable).")
    return ref


def _lire_ineligibilite(document: dict, tous: dict) -> dict | None:
    data = document.get("ineligibilite")
    if data is None:
        return None
    if not isinstance(data, dict):
        _fail("« ineligibilite » doit être un objet.")
    condition = data.get("condition") or {}
    if not isinstance(condition, dict):
        _fail("la condition des règles d'inéligibilité doit être un objet.")
    _verifier_references(condition, tous, "la condition des règles d'inéligibilité")
    for reference in references_de(condition):
        if reference is not None and tous[reference]["private"]:
            _fail("les règles d'inéligibilité ne peuvent porter que sur les champs du formulaire.")
    return {"active": bool(data.get("active", False)), "message": _text(data, "message", "les règles d'inéligibilité"),
            "condition": condition}


def _lire_attestations(document: dict) -> list[dict]:
    """Texts and decoded images of the attestation templates; the services check tags and images."""
    items = document.get("attestations")
    if items is None:
        return []
    if not isinstance(items, list):
        _fail("« attestations » doit être une liste.")
    result, kinds = [], set()
    for index, item in enumerate(items, start=1):
        where = f"l'attestation n° {index}"
        if not isinstance(item, dict):
            _fail(f"{where} doit être un objet.")
        kind = item.get("kind")
        if kind not in ATTESTATION_KINDS:
            _fail(f"le type de {where} doit être « acceptation » ou « refus ».")
        if kind in kinds:
            _fail(f"l'attestation de type « {kind} » apparaît plusieurs fois.")
        kinds.add(kind)
        attestation = {"kind": kind, "activated": bool(item.get("activated", False)),
                       "qr_code": bool(item.get("qr_code", True))}
        for name in ATTESTATION_TEXTS:
            attestation[name] = _text(item, name, where)
        for name in ATTESTATION_IMAGES:
            value = item.get(name)
            if value in (None, ""):
                attestation[name] = None
                continue
            if not isinstance(value, str):
                _fail(f"l'image « {name} » de {where} doit être un texte en base64.")
            try:
                attestation[name] = base64.b64decode(value.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError, ValueError):
                _fail(f"l'image « {name} » de {where} n'est pas encodée en base64.")
        result.append(attestation)
    return result


def _lire_labels(document: dict) -> list[dict]:
    from demarches.instruction.models import Label

    items = document.get("labels")
    if items is None:
        return []
    if not isinstance(items, list):
        _fail("« labels » doit être une liste.")
    result, names = [], set()
    for index, item in enumerate(items, start=1):
        where = f"le label n° {index}"
        if not isinstance(item, dict):
            _fail(f"{where} doit être un objet.")
        name = " ".join(_text(item, "name", where, required=True).split())
        if len(name) > Label._meta.get_field("name").max_length:
            _fail(f"le nom du label « {name} » dépasse 50 caractères.")
        if name.casefold() in names:
            _fail(f"le label « {name} » apparaît plusieurs fois.")
        names.add(name.casefold())
        if item.get("color") not in Label.Color.values:
            _fail(f"la couleur du label « {name} » est inconnue.")
        result.append({"name": name, "color": item["color"]})
    return result


def lire(document) -> dict:
    """Check the document's shape and return it normalised; raise ValidationError (French)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        _fail("ce n'est pas un export de démarche.")
    version = document.get("version")
    if version not in VERSIONS_LUES or isinstance(version, bool):
        _fail(f"version {version!r} non prise en charge (attendue : {VERSION}).")
    procedure = document.get("procedure")
    if not isinstance(procedure, dict):
        _fail("la description de la démarche manque.")
    options = {
        "libelle": _text(procedure, "libelle", "la démarche", required=True),
        # Sanitised like the description editor does: a document may carry any markup.
        "description": description_module.description_nettoyer(_text(procedure, "description", "la démarche")),
        "for_individual": bool(procedure.get("for_individual", True)),
        "declarative_with_state": _text(procedure, "declarative_with_state", "la démarche"),
        "duree_conservation_dossiers": procedure.get("duree_conservation_dossiers", 12),
        # Added after the first exports: absent from older documents.
        "lien_notice": _text(procedure, "lien_notice", "la démarche"),
        "cadre_juridique": _text(procedure, "cadre_juridique", "la démarche"),
        "lien_dpo": _text(procedure, "lien_dpo", "la démarche"),
        "monavis_embed": _text(procedure, "monavis_embed", "la démarche"),
        "duree_estimee_minutes": procedure.get("duree_estimee_minutes"),
        "demander_date_naissance": bool(procedure.get("demander_date_naissance", False)),
    }
    if not options["description"].strip():
        _fail("« description » de la démarche est vide.")
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
    tous: dict[int, dict] = {}
    champs = _lire_champs(document.get("champs") or [], "champ", version=version, tous=tous, private=False)
    annotations = _lire_champs(document.get("annotations") or [], "annotation", version=version, tous=tous, private=True)
    for ref, champ in tous.items():
        if "condition" in champ["options"]:
            _verifier_references(champ["options"]["condition"], tous, f"la condition du champ « {champ['libelle']} »")
    routage = _lire_routage(document, tous) if version >= 2 else None
    return {
        "procedure": options,
        "service": service,
        "champs": champs,
        "annotations": annotations,
        "mail_templates": [
            {"kind": _text(m, "kind", "l'e-mail", required=True), "subject": _text(m, "subject", "l'e-mail"),
             "body": _text(m, "body", "l'e-mail")}
            for m in mails
        ],
        "groupes": _lire_groupes(document, routage, tous) if version >= 2 else [],
        "routage": routage,
        "ineligibilite": _lire_ineligibilite(document, tous) if version >= 2 else None,
        "attestations": _lire_attestations(document),
        "labels": _lire_labels(document),
    }
