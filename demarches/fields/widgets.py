"""What the widget templates of repetition rows need: the block's rows, and for each row its child
champs shaped like the dossier form's champ widgets (id, name, value, error…), with the row's id
in their names so that every row posts its own values.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from .registry import StoredValue
from .types.repetition import rows_of


def stored_of(widget) -> StoredValue:
    """The stored value behind a widget; the autosave's widgets carry none, so it is read again."""
    if isinstance(widget, ChampDeLigne):
        return widget.stored
    champ = getattr(widget, "champ", None)
    if champ is not None:
        return champ.stored
    dossier = getattr(widget, "dossier", None)
    if dossier is None:
        return StoredValue()
    row_id = getattr(widget, "row_id", "")
    found = dossier.champs.filter(stable_id=widget.type_de_champ.stable_id, row_id=row_id).first()
    return found.stored if found is not None else StoredValue()


class ChampAffiche:
    """What every champ widget template reads, whatever holds the value (a form champ or a row's child).

    Subclasses provide type_de_champ, stored, id and name.
    """

    @property
    def field_type(self):
        return self.type_de_champ.field_type

    @property
    def template(self):
        return self.field_type.template

    @property
    def fillable(self):
        return self.field_type.fillable

    @property
    def messages_id(self):
        return f"{self.id}-messages"

    @property
    def libelle(self):
        return self.type_de_champ.libelle

    @property
    def description(self):
        return self.type_de_champ.description

    @property
    def mandatory(self):
        return self.type_de_champ.mandatory

    @property
    def options(self):
        return self.type_de_champ.options or {}

    @property
    def input_type(self):
        return self.field_type.input_type

    @property
    def value(self):
        return self.field_type.initial(self.stored)

    @property
    def display(self):
        return self.field_type.display(self.stored) if not self.field_type.is_empty(self.stored) else ""

    @property
    def choices(self):
        choices_for = getattr(self.field_type, "choices_for", None)
        return choices_for(self.options) if choices_for else []

    @property
    def character_limit(self):
        return self.options.get("character_limit")

    @property
    def numero(self) -> str:
        """The number shown before a section title ("" elsewhere)."""
        return ""


MEGA = 1024 * 1024
FORMATS_HABITUELS = gettext_lazy("PDF, images (JPG, PNG), documents bureautiques (Word, Excel, OpenDocument), texte, CSV, ZIP")


def taille_lisible(size: int) -> str:
    """200 * 1024 * 1024 → « 200 Mo » (whole megabytes stay whole)."""
    from django.template.defaultfilters import filesizeformat

    if size and size % MEGA == 0:
        return gettext("%(n)s Mo") % {"n": size // MEGA}
    return filesizeformat(size)


class ChampDeFormulaire(ChampAffiche):
    """A top-level champ of the usager's form: what its widget reads from the type de champ alone.

    Shared by the dossier form (dossiers/forms.ChampWidget) and the administrateur's preview
    (procedures/editeur_apercu.ChampApercu), so that the preview shows exactly what usagers see.
    """

    @property
    def accepts_files(self):
        return self.field_type.accepts_files

    @property
    def id(self):
        return self.type_de_champ.html_id

    @property
    def name(self):
        return self.type_de_champ.html_id

    @property
    def file_name(self):
        return f"{self.type_de_champ.html_id}-fichier"

    @property
    def display(self):
        return "" if self.accepts_files else super().display

    @property
    def heading_level(self):
        """Section titles are h2 on the form; options « level » 2 and 3 nest them (h3, h4)."""
        try:
            level = int(self.options.get("level", 1))
        except (TypeError, ValueError):
            level = 1
        return min(max(level, 1), 3) + 1 + self.heading_offset

    @property
    def numero(self) -> str:
        """Section titles are numbered from their levels, among the titles of the same form (champs or annotations)."""
        if self.field_type.key != "header_section":
            return ""
        from django.apps import apps

        from .types.layout import numeros

        tdc = self.type_de_champ
        sections = apps.get_model("procedures", "TypeDeChamp").objects.filter(
            revision_id=tdc.revision_id, private=tdc.private, parent__isnull=True, type_champ="header_section"
        ).order_by("position", "id").values_list("stable_id", "libelle", "options")
        return numeros(sections).get(tdc.stable_id, "")

    @property
    def accept(self):
        from .options import extensions_autorisees
        from .types.piece_justificative import ALLOWED_EXTENSIONS

        allowed = extensions_autorisees(self.options)
        return ",".join(sorted(allowed if allowed is not None else ALLOWED_EXTENSIONS))

    @property
    def formats_label(self) -> str:
        from .options import FORMATS

        families = [FORMATS[f][0] for f in self.options.get("formats") or [] if f in FORMATS]
        return ", ".join(families) or str(FORMATS_HABITUELS)

    @property
    def modele(self) -> dict | None:
        """The blank document the administrateur offers to download, fill in and attach."""
        modele = self.options.get("modele")
        return modele if isinstance(modele, dict) and modele.get("chemin") else None

    @property
    def modele_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "procedures:modele_telecharger", args=[self.type_de_champ.revision.procedure_id, self.type_de_champ.stable_id]
        )

    @property
    def max_size_label(self):
        from django.conf import settings

        return taille_lisible(settings.PIECE_JUSTIFICATIVE_MAX_SIZE)

    @property
    def max_files(self):
        return self.field_type.max_files


@dataclass
class ChampDeLigne(ChampAffiche):
    """One child champ in one row of a repetition block."""

    dossier: object
    type_de_champ: object
    row_id: str
    stored: StoredValue = field(default_factory=StoredValue)
    error: str = ""

    @property
    def accepts_files(self):
        return False

    @property
    def id(self):
        return f"{self.type_de_champ.html_id}-{self.row_id}"

    @property
    def name(self):
        return self.id

    @property
    def heading_level(self):
        return 4


@dataclass
class Ligne:
    row_id: str
    index: int
    champs: list[ChampDeLigne]


def child_types(type_de_champ) -> list:
    """The children a row shows: fillable and without files (uploads belong to top-level champs)."""
    return [
        child for child in type_de_champ.children.order_by("position", "id")
        if not child.field_type.accepts_files and not child.field_type.has_children
    ]


def lignes(widget) -> list[Ligne]:
    """The rows of a repetition block widget, with their children's values and errors."""
    parent = widget.type_de_champ
    rows = rows_of(stored_of(widget))
    children = child_types(parent)
    values = {}
    dossier = getattr(widget, "dossier", None)
    if dossier is not None:
        values = {
            (champ.stable_id, champ.row_id): champ.stored
            for champ in dossier.champs.filter(stable_id__in=[c.stable_id for c in children], row_id__in=rows)
        }
    result = []
    for index, row_id in enumerate(rows, start=1):
        champs = []
        for child in children:
            stored = values.get((child.stable_id, row_id), StoredValue())
            error = ""
            if child.field_type.fillable and not child.field_type.is_empty(stored):
                try:
                    child.field_type.check(stored, options=child.options or {})
                except ValidationError as exc:
                    error = exc.messages[0]
            champs.append(ChampDeLigne(dossier=dossier, type_de_champ=child, row_id=row_id, stored=stored, error=error))
        result.append(Ligne(row_id=row_id, index=index, champs=champs))
    return result
