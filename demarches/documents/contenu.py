"""What a dossier says, read once for the PDFs and the deposit digest (a fixed number of queries)."""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Prefetch

from demarches.dossiers.models import Champ, Dossier, PieceJointe
from demarches.fields import visibilite
from demarches.fields.registry import StoredValue
from demarches.fields.types.layout import numeros
from demarches.procedures.models import TypeDeChamp

CONTENU_FORMAT = "demarches/contenu-depose/v1"


@dataclass
class Ligne:
    """One line of a dossier document: a section heading, a champ with its displayed value, or a
    repetition block with its rows (each a list of Ligne)."""

    libelle: str
    is_heading: bool = False
    value: str = ""
    accepts_files: bool = False
    pieces: list = field(default_factory=list)  # PieceJointe rows
    rows: list | None = None


def _champs(dossier: Dossier) -> dict[tuple[int, str], Champ]:
    """Every champ of the dossier, repetition rows included, by (stable_id, row_id)."""
    pieces = Prefetch("pieces", queryset=PieceJointe.objects.order_by("created_at", "id"))
    return {(c.stable_id, c.row_id): c for c in Champ.objects.filter(dossier=dossier).prefetch_related(pieces)}


def _types(dossier: Dossier, *, private: bool) -> list:
    children = Prefetch("children", queryset=TypeDeChamp.objects.order_by("position", "id"))
    return list(
        dossier.revision.types_de_champ.filter(private=private, parent__isnull=True)
        .order_by("position", "id")
        .prefetch_related(children)
    )


def _has_children(tdc) -> bool:
    return bool(getattr(tdc.field_type, "has_children", False))


def _rows(champ: Champ | None, children: list, champs: dict) -> list[str]:
    """A repetition block's row ids in order: as the block champ lists them (data = {"rows": [...]}),
    else the rows its children have values in."""
    data = champ.data if champ is not None and isinstance(champ.data, dict) else {}
    rows = [row for row in data.get("rows") or [] if isinstance(row, str)]
    if rows:
        return rows
    child_ids = {child.stable_id for child in children}
    return sorted({row for (stable_id, row) in champs if row and stable_id in child_ids})


def _fillable_children(tdc) -> list:
    return [child for child in tdc.children.all() if child.field_type.fillable]


def _ligne(tdc, champ: Champ | None) -> Ligne:
    field_type = tdc.field_type
    if field_type.accepts_files:
        return Ligne(libelle=tdc.libelle, accepts_files=True, pieces=list(champ.pieces.all()) if champ else [])
    stored = champ.stored if champ else StoredValue()
    return Ligne(libelle=tdc.libelle, value="" if field_type.is_empty(stored) else field_type.display(stored))


def lignes(dossier: Dossier, *, private: bool = False, champs: dict | None = None) -> list[Ligne]:
    """The champs (or, with private=True, the private annotations) of a dossier in form order,
    without those a condition hides."""
    champs = _champs(dossier) if champs is None else champs
    types = _types(dossier, private=private)
    hidden = set() if private else visibilite.masques(
        types, {stable_id: c.stored for (stable_id, row), c in champs.items() if not row}
    )
    # Section titles numbered as on the usager's form (among all of them, hidden ones included).
    numeros_sections = numeros((tdc.stable_id, tdc.libelle, tdc.options) for tdc in types if tdc.type_champ == "header_section")
    result = []
    for tdc in types:
        field_type = tdc.field_type
        if tdc.stable_id in hidden:
            continue
        if not field_type.fillable:
            if field_type.key == "header_section":
                numero = numeros_sections.get(tdc.stable_id)
                result.append(Ligne(libelle=f"{numero} {tdc.libelle}" if numero else tdc.libelle, is_heading=True))
            continue
        champ = champs.get((tdc.stable_id, ""))
        if _has_children(tdc):
            children = _fillable_children(tdc)
            rows = [
                [_ligne(child, champs.get((child.stable_id, row))) for child in children]
                for row in _rows(champ, children, champs)
            ]
            answered = [row for row in rows if any(ligne.value or ligne.pieces for ligne in row)]
            result.append(Ligne(libelle=tdc.libelle, rows=answered))
            continue
        result.append(_ligne(tdc, champ))
    return result


def _entry(tdc, champ: Champ | None) -> dict:
    return {
        "stable_id": tdc.stable_id,
        "libelle": tdc.libelle,
        "type": tdc.type_champ,
        "value": champ.value if champ else "",
        "data": champ.data if champ else None,
        "pieces": [[p.filename, p.size] for p in champ.pieces.all()] if champ else [],
    }


def contenu_depose(dossier: Dossier) -> bytes:
    """The canonical bytes of what the usager deposited, whose SHA-256 the accusé de dépôt proves.

    UTF-8 JSON, keys sorted, no spaces: the dossier number, démarche, revision, identity, then every
    fillable public champ in form order with its stable_id, libellé, type, stored value and data, and
    the name and size of each attachment; a repetition block adds "lignes", its rows in order, each
    the list of its children's entries. An empty champ is present with empty values, so the
    structure depends only on the form (and the number of rows).
    """
    champs = _champs(dossier)
    entries = []
    for tdc in _types(dossier, private=False):
        if not tdc.field_type.fillable:
            continue
        champ = champs.get((tdc.stable_id, ""))
        entry = _entry(tdc, champ)
        if _has_children(tdc):
            children = _fillable_children(tdc)
            entry["lignes"] = [
                [_entry(child, champs.get((child.stable_id, row))) for child in children]
                for row in _rows(champ, children, champs)
            ]
        entries.append(entry)
    payload = {
        "format": CONTENU_FORMAT,
        "dossier": dossier.pk,
        "procedure": dossier.procedure_id,
        "revision": dossier.revision_id,
        "identite": {"civilite": dossier.civilite, "nom": dossier.nom, "prenom": dossier.prenom},
        "champs": entries,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def empreinte(dossier: Dossier) -> str:
    return hashlib.sha256(contenu_depose(dossier)).hexdigest()
