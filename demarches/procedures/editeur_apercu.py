"""« Prévisualiser le formulaire »: the usager's form rendered from the draft revision with the
usager's own widget templates, without any dossier; answers are evaluated (conditions, formats)
but never stored."""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ValidationError

from demarches.fields import visibilite
from demarches.fields.registry import StoredValue
from demarches.fields.types.repetition import MAX_ROWS, new_row_id, rows_of
from demarches.fields.widgets import ChampDeFormulaire


@dataclass
class ChampApercu(ChampDeFormulaire):
    """A champ of the preview: what the dossier form's ChampWidget offers, with no dossier behind."""

    type_de_champ: object
    stored: StoredValue = field(default_factory=StoredValue)
    error: str = ""
    upload_url: str = ""
    dossier: object = None
    champ: object = None
    pieces: list = field(default_factory=list)
    heading_offset: int = 0

    def __post_init__(self):
        # fields/widgets.stored_of() reads the value of a widget through its champ row.
        self.champ = SimpleNamespace(stored=self.stored)


def _rows(tdc, posted) -> list[str]:
    rows = [row for row in posted.getlist(tdc.html_id) if row]
    stored = tdc.field_type.parse(rows, options=tdc.options or {}) if rows else StoredValue()
    rows = rows_of(stored)
    if posted.get("repetition-ajouter") == str(tdc.stable_id) and len(rows) < MAX_ROWS:
        rows.append(new_row_id(rows))
    stable_id, _, row_id = (posted.get("repetition-supprimer") or "").partition(":")
    if stable_id == str(tdc.stable_id) and row_id in rows and len(rows) > 1:
        rows.remove(row_id)
    return rows


def champs_apercu(types_de_champ, posted=None, *, upload_url: str = "") -> tuple[list[ChampApercu], set[int]]:
    """The preview's widgets filled with what was posted (nothing at first) and the hidden stable_ids."""
    widgets, stored_by_id = [], {}
    for tdc in types_de_champ:
        field_type = tdc.field_type
        stored, error = StoredValue(), ""
        if posted is not None and field_type.fillable and not field_type.accepts_files:
            try:
                if field_type.has_children:
                    stored = StoredValue(data={"rows": _rows(tdc, posted)})
                elif tdc.html_id in posted or f"{tdc.html_id}-present" in posted:
                    raw = field_type.raw_from_post(posted, tdc.html_id)
                    try:
                        stored = field_type.parse(raw, options=tdc.options or {})
                    except ValidationError as exc:
                        stored, error = field_type.keep_invalid(raw), exc.messages[0]
            except ValidationError as exc:
                error = exc.messages[0]
        stored_by_id[tdc.stable_id] = stored
        widgets.append(ChampApercu(type_de_champ=tdc, stored=stored, error=error, upload_url=upload_url))
    hidden = visibilite.masques(types_de_champ, stored_by_id)
    for widget in widgets:
        if widget.type_de_champ.stable_id in hidden:
            widget.error = ""
    return widgets, hidden
