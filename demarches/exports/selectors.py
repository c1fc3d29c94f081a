"""What an export contains: the dossiers of a dashboard tab, as rows of typed cells.

Dossiers are read with one streaming query (``.iterator``) and, for each chunk of them, one query
per related table (champs, followers, labels, decisions): the number of queries grows with the number of
chunks, never with the number of dossiers, and only one chunk is in memory at a time.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import connections
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from demarches.dossiers.models import Champ, Dossier, Follow, Traitement
from demarches.fields.registry import FieldType, StoredValue
from demarches.instruction import selectors as instruction_selectors
from demarches.instruction.models import Avis, DossierLabel, Label
from demarches.procedures.models import Procedure, ProcedureRevision, TypeDeChamp

CHUNK_SIZE = getattr(settings, "EXPORT_CHUNK_SIZE", 1000)
STATE_LABELS = dict(Dossier.State.choices)


@dataclass(frozen=True)
class ColonneChamp:
    """One column per champ definition, followed across revisions by its stable_id."""

    stable_id: int
    libelle: str
    field_type: object


@dataclass
class Feuille:
    name: str
    headers: list[str]
    rows: Iterable[list]


@dataclass
class Schema:
    """The champ columns of a démarche and the type of every definition its dossiers may point to."""

    publics: list[ColonneChamp] = field(default_factory=list)
    annotations: list[ColonneChamp] = field(default_factory=list)
    types_by_definition: dict[int, object] = field(default_factory=dict)


def dossiers_a_exporter(
    instructeur, procedure: Procedure, *, statut: str, include_archived: bool, label_id: int | None = None
) -> QuerySet:
    """The dossiers of a dashboard tab with its filters, in the tab's order: the rows the instructeur sees.

    Visibility (his groupes instructeurs, never a brouillon) comes from the instruction selectors;
    include_archived adds the archived dossiers the tab would otherwise leave out.
    """
    return instruction_selectors.dossiers_du_tableau(
        instructeur, procedure, statut, include_archived=include_archived, label_id=label_id
    ).prefetch_related(None)  # rows are read as tuples: what the dashboard prefetches is not needed


def _revisions_exportees(procedure: Procedure) -> list[int]:
    """Every published revision, newest first; the draft too while the démarche was never published."""
    revisions = ProcedureRevision.objects.filter(procedure=procedure, published_at__isnull=False)
    ids = list(revisions.order_by("-published_at", "-id").values_list("pk", flat=True))
    if procedure.published_revision_id is None and procedure.draft_revision_id:
        ids.insert(0, procedure.draft_revision_id)
    return ids


def schema(procedure: Procedure) -> Schema:
    """The champ columns across all revisions (libellé of the newest revision holding each stable_id).

    Columns follow the newest revision's order; champs removed since then come after, in the order
    of the last revision that had them. Layout types (section titles…) have no column.
    """
    revision_ids = _revisions_exportees(procedure)
    rank = {pk: index for index, pk in enumerate(revision_ids)}
    definitions = list(
        TypeDeChamp.objects.filter(revision__procedure=procedure, parent__isnull=True).only(
            "pk", "revision_id", "stable_id", "type_champ", "libelle", "private", "position"
        )
    )
    result = Schema(types_by_definition={tdc.pk: tdc.field_type for tdc in definitions})
    exported = sorted(
        (tdc for tdc in definitions if tdc.revision_id in rank),
        key=lambda tdc: (rank[tdc.revision_id], tdc.position, tdc.pk),
    )
    seen = set()
    for tdc in exported:
        if tdc.stable_id in seen or not tdc.field_type.fillable:
            continue
        seen.add(tdc.stable_id)
        target = result.annotations if tdc.private else result.publics
        target.append(ColonneChamp(stable_id=tdc.stable_id, libelle=tdc.libelle, field_type=tdc.field_type))
    return result


META_HEADERS = [
    "N° dossier", "E-mail", "Civilité", "Nom", "Prénom", "Archivé", "État", "Créé le", "Dernière mise à jour le",
    "Déposé le", "Passé en instruction le", "Traité le", "Motivation", "Groupe instructeur", "Instructeurs",
    "Décision prise par", "Labels",
]
IDENTITY_HEADERS = ("Civilité", "Nom", "Prénom")
META_FIELDS = (
    "pk", "user__email", "civilite", "nom", "prenom", "archived", "state", "created_at", "updated_at", "depose_at",
    "en_instruction_at", "processed_at", "motivation", "groupe_instructeur__label",
)


def meta_headers(procedure: Procedure) -> list[str]:
    """Identity columns only for démarches addressed to individuals."""
    if procedure.for_individual:
        return list(META_HEADERS)
    return [h for h in META_HEADERS if h not in IDENTITY_HEADERS]


def headers(procedure: Procedure, schema_: Schema) -> list[str]:
    return meta_headers(procedure) + [c.libelle for c in schema_.publics] + [c.libelle for c in schema_.annotations]


def _to_local(zone):
    """Spreadsheets have no time zones: dates are written in the platform's local time (naive)."""

    def local(moment):
        return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None

    return local


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _is_plain(field_type) -> bool:
    """A type that exports its stored text as is (no display, export or emptiness rule of its own):
    its cells skip the per-value calls, which matters over millions of champs."""
    cls = type(field_type)
    return (
        cls.export_value is FieldType.export_value
        and cls.display is FieldType.display
        and cls.is_empty is FieldType.is_empty
    )


def _champs(dossier_ids: list[int]) -> Iterator[tuple]:
    """The top-level champs of some dossiers, as plain tuples straight from the database cursor
    (the ORM's per-row conversions cost more than the query itself at this volume); "data" is
    JSON text, decoded only for the types that read it."""
    query = Champ.objects.filter(dossier_id__in=dossier_ids, row_id="").values_list(
        "dossier_id", "stable_id", "type_de_champ_id", "value", "data"
    )
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        database_cursor = cursor.cursor  # past Django's wrapper, which costs a call per row
        while rows := database_cursor.fetchmany(5000):
            yield from rows


def lignes_dossiers(
    dossiers: QuerySet,
    procedure: Procedure,
    schema_: Schema,
    *,
    chunk_size: int | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> Iterator[list]:
    """One row per dossier: metadata, then one cell per public champ, then per annotation privée.

    on_chunk(rows_done) is called after each chunk (progress, heartbeat).
    """
    chunk_size = chunk_size or CHUNK_SIZE
    individual = procedure.for_individual
    columns = schema_.publics + schema_.annotations
    base = len(meta_headers(procedure))
    position = {column.stable_id: base + index for index, column in enumerate(columns)}
    width = base + len(columns)
    types = schema_.types_by_definition
    plain = {definition_id: _is_plain(field_type) for definition_id, field_type in types.items()}
    local = _to_local(timezone.get_current_timezone())
    done = 0
    rows = dossiers.values_list(*META_FIELDS).iterator(chunk_size=chunk_size)
    for chunk in _chunks(rows, chunk_size):
        ids = [r[0] for r in chunk]
        followers: dict[int, list[str]] = {}
        for dossier_id, email in (
            Follow.objects.filter(dossier_id__in=ids)
            .order_by("created_at", "id")
            .values_list("dossier_id", "instructeur__user__email")
        ):
            followers.setdefault(dossier_id, []).append(email)
        labels: dict[int, list[str]] = {}
        for dossier_id, name in (
            DossierLabel.objects.filter(dossier_id__in=ids)
            .order_by("label_id")
            .values_list("dossier_id", "label__name")
        ):
            labels.setdefault(dossier_id, []).append(name)
        deciders = dict(
            Traitement.objects.filter(dossier_id__in=ids, state__in=Dossier.TERMINE)
            .order_by("processed_at", "id")
            .values_list("dossier_id", "instructeur_email")
        )
        cells: dict[int, list] = {}
        for r in chunk:
            (pk, email, civilite, nom, prenom, archived, state, created, updated, depose, instruction, processed,
             motivation, groupe) = r
            meta = [pk, email]
            if individual:
                meta += [civilite, nom, prenom]
            meta += [
                "Oui" if archived else "Non", STATE_LABELS.get(state, state), local(created), local(updated),
                local(depose), local(instruction), local(processed), motivation, groupe or "",
                ", ".join(followers.get(pk, ())), deciders.get(pk, ""), ", ".join(labels.get(pk, ())),
            ]
            cells[pk] = meta + [None] * (width - base)
        for dossier_id, stable_id, definition_id, value, data in _champs(ids):
            index = position.get(stable_id)
            if index is None:
                continue
            if plain.get(definition_id):
                if value:
                    cells[dossier_id][index] = value
                continue
            field_type = types.get(definition_id) or columns[index - base].field_type
            stored = StoredValue(value=value, data=json.loads(data) if isinstance(data, str) else data)
            if not field_type.is_empty(stored):
                cells[dossier_id][index] = field_type.export_value(stored)
        for r in chunk:
            yield cells[r[0]]
        done += len(chunk)
        if on_chunk is not None:
            on_chunk(done)


AVIS_HEADERS = ["N° dossier", "Expert", "Demandé par", "Question", "Demandé le", "Avis", "Donné le"]


def lignes_avis(dossiers: QuerySet, *, chunk_size: int | None = None) -> Iterator[list]:
    """The avis on the exported dossiers, by dossier number (one streaming query)."""
    chunk_size = chunk_size or CHUNK_SIZE
    avis = (
        Avis.objects.filter(dossier__in=dossiers.values("pk"))
        .order_by("dossier_id", "created_at", "id")
        .values_list(
            "dossier_id", "expert__user__email", "claimant__user__email", "introduction", "created_at", "answer",
            "answered_at",
        )
    )
    local = _to_local(timezone.get_current_timezone())
    for dossier_id, expert, claimant, introduction, created, answer, answered in avis.iterator(chunk_size=chunk_size):
        yield [dossier_id, expert, claimant or "", introduction, local(created), answer, local(answered)]


def feuilles(
    instructeur, procedure: Procedure, *, statut: str, include_archived: bool, with_avis: bool,
    label_id: int | None = None, on_chunk: Callable[[int], None] | None = None, chunk_size: int | None = None,
) -> list[Feuille]:
    """The sheets of an export, as lazy row iterators: "Dossiers", then "Avis" for formats with sheets."""
    dossiers = dossiers_a_exporter(
        instructeur, procedure, statut=statut, include_archived=include_archived, label_id=label_id
    )
    schema_ = schema(procedure)
    result = [
        Feuille(
            name="Dossiers", headers=headers(procedure, schema_),
            rows=lignes_dossiers(dossiers, procedure, schema_, chunk_size=chunk_size, on_chunk=on_chunk),
        )
    ]
    if with_avis:
        avis = lignes_avis(dossiers, chunk_size=chunk_size)
        result.append(Feuille(name="Avis", headers=list(AVIS_HEADERS), rows=avis))
    return result


def nombre_de_dossiers(
    instructeur, procedure: Procedure, *, statut: str, include_archived: bool, label_id: int | None = None
) -> int:
    dossiers = dossiers_a_exporter(
        instructeur, procedure, statut=statut, include_archived=include_archived, label_id=label_id
    )
    return dossiers.order_by().count()


def _exports():
    from .models import Export

    label_name = Label.objects.filter(pk=OuterRef("label_id")).values("name")[:1]
    return Export.objects.select_related("procedure").annotate(label_name=Subquery(label_name))


def exports_recents(instructeur, procedure: Procedure, *, now) -> QuerySet:
    """The instructeur's exports of a démarche that are still kept, newest first."""
    return (
        _exports()
        .filter(instructeur=instructeur, procedure=procedure)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")
    )


def export_de_la_procedure(procedure: Procedure, pk: int):
    return _exports().filter(procedure=procedure, pk=pk).first()
