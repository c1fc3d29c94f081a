"""The columns an instructeur can show, filter and sort in the dossier list of a démarche.

A column is either a piece of the dossier's metadata (number, demandeur, e-mail, state, dates,
groupe, followers, labels) or a champ / annotation, named by its stable_id ("champ:12") so that it
follows the field across revisions. Each column has a kind that decides its filter operators:

- "texte": contient, egal
- "choix": parmi (one of a list), egal
- "nombre": egal, entre
- "date": entre (date range)
"""

from dataclasses import dataclass, field

from demarches.dossiers.models import Dossier
from demarches.fields.registry import StoredValue
from demarches.procedures.models import TypeDeChamp

CONTIENT, EGAL, PARMI, ENTRE = "contient", "egal", "parmi", "entre"
OPERATEURS = {
    CONTIENT: "contient",
    EGAL: "est égal à",
    PARMI: "est l'un de",
    ENTRE: "est compris entre",
}
OPERATEURS_PAR_TYPE = {
    "texte": (CONTIENT, EGAL),
    "choix": (PARMI, EGAL),
    "nombre": (EGAL, ENTRE),
    "date": (ENTRE,),
}

# How the list treats a champ, by field type; a type may also declare `liste_type` itself.
# Types not listed here are searched and sorted as text.
TYPES_DE_CHAMP = {
    "integer_number": "nombre",
    "decimal_number": "nombre",
    "date": "date",
    "datetime": "date",
    "checkbox": "choix",
    "yes_no": "choix",
    "civilite": "choix",
    "drop_down_list": "choix",
}


@dataclass(frozen=True)
class Colonne:
    key: str
    libelle: str
    type: str  # texte, choix, nombre, date
    # For "choix": (value, label) pairs the filter offers.
    choix: tuple = ()
    stable_id: int | None = None
    annotation: bool = False
    field_type: object = field(default=None, compare=False, hash=False)

    @property
    def operateurs(self) -> tuple[str, ...]:
        return OPERATEURS_PAR_TYPE[self.type]

    @property
    def is_champ(self) -> bool:
        return self.stable_id is not None

    @property
    def css_id(self) -> str:
        return self.key.replace(":", "-")


ETATS = tuple((state.value, state.label) for state in Dossier.State if state != Dossier.State.BROUILLON)

# Metadata columns, in the order the "Personnaliser" form lists them.
META = (
    ("numero", "N° dossier", "nombre"),
    ("demandeur", "Demandeur", "texte"),
    ("email", "E-mail du demandeur", "texte"),
    ("etat", "Statut", "choix"),
    ("depose_at", "Déposé le", "date"),
    ("updated_at", "Mis à jour le", "date"),
    ("en_instruction_at", "Passé en instruction le", "date"),
    ("processed_at", "Traité le", "date"),
    ("groupe", "Groupe instructeur", "choix"),
    ("suiveurs", "Suivi par", "texte"),
    ("labels", "Labels", "choix"),
)
DEFAULT_COLONNES = ("numero", "demandeur", "etat", "labels", "depose_at", "updated_at")
DEFAULT_TRI = ("updated_at", "desc")
# The number is always shown (it links to the dossier); it leads the table.
COLONNE_FIXE = "numero"


def type_de_liste(field_type) -> str:
    return getattr(field_type, "liste_type", None) or TYPES_DE_CHAMP.get(field_type.key, "texte")


def _choix_du_champ(tdc) -> tuple:
    field_type = tdc.field_type
    if field_type.key in ("checkbox", "yes_no"):
        return (("Oui", "Oui"), ("Non", "Non"))
    choices_for = getattr(field_type, "choices_for", None)
    if choices_for is None:
        return ()
    labels = []
    for value in choices_for(tdc.options or {}):
        label = field_type.display(StoredValue(value=str(value))) or str(value)
        labels.append((label, label))
    return tuple(labels)


def _colonnes_de_champs(procedure) -> list[Colonne]:
    """One column per champ and annotation the démarche ever had (latest libellé wins), in form order.

    Attachments, repetition blocks and layout types hold no value to show in a cell.
    """
    definitions = (
        TypeDeChamp.objects.filter(revision__procedure=procedure, parent__isnull=True)
        .order_by("private", "-revision_id", "position", "id")
        .only("stable_id", "type_champ", "libelle", "private", "options", "position", "revision_id")
    )
    seen: dict[int, Colonne] = {}
    order: list[int] = []
    for tdc in definitions:
        if tdc.stable_id in seen:
            continue
        field_type = tdc.field_type
        if not field_type.fillable or field_type.accepts_files or field_type.has_children:
            seen[tdc.stable_id] = None
            continue
        kind = type_de_liste(field_type)
        choix = _choix_du_champ(tdc) if kind == "choix" else ()
        if kind == "choix" and not choix:
            kind = "texte"
        seen[tdc.stable_id] = Colonne(
            key=f"champ:{tdc.stable_id}",
            libelle=tdc.libelle,
            type=kind,
            choix=choix,
            stable_id=tdc.stable_id,
            annotation=tdc.private,
            field_type=field_type,
        )
        order.append(tdc.stable_id)
    return [seen[sid] for sid in order if seen[sid] is not None]


def colonnes_disponibles(procedure, *, groupes=(), labels=()) -> dict[str, Colonne]:
    """Every column of the démarche's list, keyed by column key, metadata first."""
    choix_meta = {
        "etat": ETATS,
        "groupe": tuple((str(g.pk), g.label) for g in groupes),
        "labels": tuple((str(label.pk), label.name) for label in labels),
    }
    colonnes = [
        Colonne(key=key, libelle=libelle, type=kind, choix=choix_meta.get(key, ())) for key, libelle, kind in META
    ]
    colonnes.extend(_colonnes_de_champs(procedure))
    return {colonne.key: colonne for colonne in colonnes}

