"""What an export contains: the dossiers of a tab of the instructeur's list (with its filters,
search and sort, see dossiers_a_exporter), as sheets of typed cells.

"Dossiers" has one row per dossier: the metadata of seed 001 ("Exports de données"), the
demandeur, one column per champ of every revision (by stable_id), the annotations privées; the
column catalogue (colonnes_disponibles) lets export templates choose and order them. Formats with
sheets add "Etablissements", "Avis" and one sheet per repetition block, linked by dossier number.

Dossiers are read with one streaming query and, for each chunk of them, one query per related table
(champs, followers, labels, decisions), only for the columns written: the number of queries grows
with the number of chunks, never with the number of dossiers, and one chunk is in memory at a time.
At 100 000 dossiers × 30 champs every cell counts: rows come from the database cursors without the
ORM's conversions (PostgreSQL gives the dates in local time), champ cells go through one converter
per column, memoised and inlined in the loop, and a second thread reads the next chunks while the
current one is written (see _en_avance and bench/exports_bench.py). On PostgreSQL the database
pivots the champs into one row per dossier (pivot.py); for CSV, the rows are made of the file's
texts (lignes_dossiers(textes=…)), converted once per distinct value of a column.
"""

import concurrent.futures
import datetime
import json
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import BooleanField, CharField, DateTimeField, F, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.sql.constants import MULTI
from django.utils import timezone

from demarches.dossiers.models import Champ, Dossier, Follow, Traitement
from demarches.fields.registry import FieldType, StoredValue
from demarches.fields.types.basic import Date, DecimalNumber, IntegerNumber
from demarches.instruction import selectors as instruction_selectors
from demarches.instruction.models import Avis, DossierLabel, Label
from demarches.procedures.models import Procedure, ProcedureRevision, TypeDeChamp

from . import pivot

# Dossiers read at a time (with their champs: 60 000 rows at 30 champs, a few MB): the reference
# platform preloads 2 000 dossiers per batch as well.
CHUNK_SIZE = getattr(settings, "EXPORT_CHUNK_SIZE", 2000)
STATE_LABELS = dict(Dossier.State.choices)


@dataclass(frozen=True)
class ColonneChamp:
    """One column per champ definition, followed across revisions by its stable_id."""

    stable_id: int
    libelle: str
    field_type: object


@dataclass(frozen=True)
class BlocRepetable:
    """A repetition block: one sheet of its own, one column per child champ."""

    stable_id: int
    libelle: str
    field_type: object
    enfants: tuple[ColonneChamp, ...] = ()


@dataclass(frozen=True)
class Colonne:
    """A column a "Dossiers" sheet may hold: its stable key (what export templates store), its
    header and the group it is listed under."""

    key: str
    libelle: str
    groupe: str


@dataclass
class Feuille:
    name: str
    headers: list[str]
    rows: Iterable[list]
    textes: bool = False  # rows of texts (lignes_dossiers(textes=…)), not of typed cells


@dataclass
class Schema:
    """The champ columns of a démarche and the type of every definition its dossiers may point to."""

    publics: list[ColonneChamp] = field(default_factory=list)
    annotations: list[ColonneChamp] = field(default_factory=list)
    types_by_definition: dict[int, object] = field(default_factory=dict)
    stable_id_by_definition: dict[int, int] = field(default_factory=dict)
    repetitions: list[BlocRepetable] = field(default_factory=list)
    # Champs holding an établissement (SIRET), children of repetition blocks included: (stable_id, libellé).
    etablissements: list[ColonneChamp] = field(default_factory=list)


def _colonnes_de_la_liste(procedure: Procedure, *, avec_choix: bool = False) -> dict:
    """The columns of the instructeur's dossier list (instruction.liste.colonnes), keyed by key.
    avec_choix: with the démarche's groupes and labels, which only the filters' texts need."""
    from demarches.instruction.liste.colonnes import colonnes_disponibles as colonnes_liste
    from demarches.procedures.models import GroupeInstructeur

    if not avec_choix:
        return colonnes_liste(procedure)
    groupes = GroupeInstructeur.objects.filter(procedure=procedure).order_by("label", "pk")
    labels = Label.objects.filter(procedure=procedure).order_by("name", "pk")
    return colonnes_liste(procedure, groupes=list(groupes), labels=list(labels))


SENS_LIBELLES = {"asc": "croissant", "desc": "décroissant"}


def liste_de_l_instructeur(instructeur, procedure: Procedure, *, recherche: str = "") -> dict:
    """The instructeur's dossier list as he sees it now: his remembered filters and sort (only those
    on columns that still exist) and the search typed in the list, with their texts ("resume").
    This is what an export records, so that it holds the dossiers of the list in its order."""
    from demarches.instruction.liste import filtres as liste_filtres
    from demarches.instruction.liste import preferences

    disponibles = _colonnes_de_la_liste(procedure, avec_choix=True)
    choix = preferences.choix(preferences.preference(instructeur, procedure), disponibles)
    filtres = [f for f in choix.filtres if f.get("operateur") in disponibles[f["colonne"]].operateurs]
    recherche = " ".join((recherche or "").split())[:100]
    resume = [liste_filtres.filtre_libelle(disponibles[f["colonne"]], f) for f in filtres]
    if recherche:
        resume.append(f"Recherche : « {recherche} »")
    resume.append(f"Tri : {choix.tri_colonne.libelle} ({SENS_LIBELLES.get(choix.tri_sens, choix.tri_sens)})")
    return {
        "filtres": filtres,
        "tri": {"colonne": choix.tri_colonne.key, "sens": choix.tri_sens},
        "recherche": recherche,
        "resume": resume,
    }


def liste_a_besoin_de_l_index(liste: dict | None, procedure: Procedure | None = None) -> bool:
    """Filters, search and sorts on champs read the list's copy of the values (liste.indexation)."""
    if not liste:
        return False
    return bool(liste.get("filtres") or liste.get("recherche")) or str(
        (liste.get("tri") or {}).get("colonne", "")
    ).startswith("champ:")


def dossiers_a_exporter(
    instructeur, procedure: Procedure, *, statut: str, include_archived: bool, label_id: int | None = None,
    liste: dict | None = None,
) -> QuerySet:
    """The dossiers of a tab of the instructeur's list, with its filters, search and sort (liste, see
    liste_de_l_instructeur): the rows the list shows, all pages, in the same order.

    The query is the list's own (instruction.selectors.dossiers_de_la_liste with the filter and
    sort builders of instruction.liste.filtres), so visibility (his groupes instructeurs, never a
    brouillon) and order cannot drift apart; include_archived adds the archived dossiers the tab
    would otherwise leave out. Without liste: the dashboard's order, no filter.
    """
    from demarches.instruction.liste import filtres as liste_filtres
    from demarches.instruction.liste.colonnes import DEFAULT_TRI

    liste = liste or {}
    condition = instruction_selectors._avec_label(label_id)
    tri = None
    if liste:
        disponibles = _colonnes_de_la_liste(procedure)
        condition &= liste_filtres.filtres_q(disponibles, liste.get("filtres") or [])
        if liste.get("recherche"):
            condition &= liste_filtres.recherche_q(liste["recherche"])
        wanted = liste.get("tri") or {}
        colonne = disponibles.get(wanted.get("colonne")) or disponibles[DEFAULT_TRI[0]]
        tri = liste_filtres.tri(colonne, wanted.get("sens") or DEFAULT_TRI[1])
    return instruction_selectors.dossiers_de_la_liste(
        instructeur, procedure, statut, condition=condition, tri=tri, include_archived=include_archived
    ).prefetch_related(None)  # rows are read as tuples: what the list prefetches is not needed


def _revisions_exportees(procedure: Procedure) -> list[int]:
    """Every published revision, newest first; the draft too while the démarche was never published."""
    revisions = ProcedureRevision.objects.filter(procedure=procedure, published_at__isnull=False)
    ids = list(revisions.order_by("-published_at", "-id").values_list("pk", flat=True))
    if procedure.published_revision_id is None and procedure.draft_revision_id:
        ids.insert(0, procedure.draft_revision_id)
    return ids


def _holds_etablissement(field_type) -> bool:
    """Types whose data holds an établissement of the company registry (SIRET)."""
    return getattr(field_type, "data_key", "") == "etablissement"


def schema(procedure: Procedure) -> Schema:
    """The champ columns across all revisions (libellé of the newest revision holding each stable_id).

    Columns follow the newest revision's order; champs removed since then come after, in the order
    of the last revision that had them. Layout types (section titles…) have no column. The children
    of repetition blocks are columns of their block's sheet, in the same way.
    """
    revision_ids = _revisions_exportees(procedure)
    rank = {pk: index for index, pk in enumerate(revision_ids)}
    definitions = list(
        TypeDeChamp.objects.filter(revision__procedure=procedure).only(
            "pk", "revision_id", "stable_id", "type_champ", "libelle", "private", "position", "parent_id"
        )
    )
    result = Schema(
        types_by_definition={tdc.pk: tdc.field_type for tdc in definitions},
        stable_id_by_definition={tdc.pk: tdc.stable_id for tdc in definitions},
    )
    parents = {tdc.pk: tdc.stable_id for tdc in definitions if tdc.parent_id is None}
    exported = sorted(
        (tdc for tdc in definitions if tdc.revision_id in rank),
        key=lambda tdc: (rank[tdc.revision_id], tdc.position, tdc.pk),
    )
    seen: set[int] = set()
    children: dict[int, list[ColonneChamp]] = {}
    blocs = []
    for tdc in exported:
        if tdc.stable_id in seen or not tdc.field_type.fillable:
            continue
        seen.add(tdc.stable_id)
        column = ColonneChamp(stable_id=tdc.stable_id, libelle=tdc.libelle, field_type=tdc.field_type)
        if tdc.parent_id is not None:
            children.setdefault(parents.get(tdc.parent_id), []).append(column)
        else:
            (result.annotations if tdc.private else result.publics).append(column)
            if tdc.field_type.has_children:
                blocs.append(column)
        if _holds_etablissement(tdc.field_type):
            result.etablissements.append(column)
    result.repetitions = [
        BlocRepetable(stable_id=b.stable_id, libelle=b.libelle, field_type=b.field_type,
                      enfants=tuple(children.get(b.stable_id, ())))
        for b in blocs
    ]
    return result


# The metadata columns (seed 001 "Exports de données", "Métadonnées"), in their default order:
# (key, header, group). The keys are what export templates store: never rename one.
G_DOSSIER, G_DEMANDEUR, G_INSTRUCTION = "Informations du dossier", "Demandeur", "Instruction"
META_COLONNES = [
    Colonne("numero", "N° dossier", G_DOSSIER),
    Colonne("email", "E-mail", G_DEMANDEUR),
    Colonne("civilite", "Civilité", G_DEMANDEUR),
    Colonne("nom", "Nom", G_DEMANDEUR),
    Colonne("prenom", "Prénom", G_DEMANDEUR),
    Colonne("date_naissance", "Date de naissance", G_DEMANDEUR),  # only when the démarche asks it
    Colonne("siret", "SIRET", G_DEMANDEUR),
    Colonne("raison_sociale", "Raison sociale", G_DEMANDEUR),
    Colonne("archive", "Archivé", G_DOSSIER),
    Colonne("etat", "État", G_DOSSIER),
    Colonne("cree_le", "Créé le", G_DOSSIER),
    Colonne("mis_a_jour_le", "Dernière mise à jour le", G_DOSSIER),
    Colonne("depose_le", "Déposé le", G_DOSSIER),
    Colonne("en_instruction_le", "Passé en instruction le", G_DOSSIER),
    Colonne("traite_le", "Traité le", G_DOSSIER),
    Colonne("motivation", "Motivation", G_DOSSIER),
    Colonne("groupe_instructeur", "Groupe instructeur", G_INSTRUCTION),
    Colonne("instructeurs", "Instructeurs", G_INSTRUCTION),
    Colonne("decision_par", "Décision prise par", G_INSTRUCTION),
    Colonne("labels", "Labels", G_INSTRUCTION),
]
IDENTITY_KEYS = ("civilite", "nom", "prenom")
COMPANY_KEYS = ("siret", "raison_sociale")
META_HEADERS = [c.libelle for c in META_COLONNES if c.key not in (*COMPANY_KEYS, "date_naissance")]  # for individuals
IDENTITY_HEADERS = ("Civilité", "Nom", "Prénom")
META_FIELDS = (
    "pk", "user__email", "civilite", "nom", "prenom", "archived", "state", "created_at", "updated_at", "depose_at",
    "en_instruction_at", "processed_at", "motivation", "groupe_instructeur__label",
)
G_FORMULAIRE, G_ANNOTATIONS = "Formulaire", "Annotations privées"


def _has_company_identity() -> bool:
    """Dossiers of démarches for companies keep the demandeur's SIRET and établissement."""
    return _model_has(Dossier, "siret", "etablissement")


def meta_colonnes(procedure: Procedure) -> list[Colonne]:
    """Identity columns for démarches addressed to individuals; SIRET and raison sociale for companies."""
    if procedure.for_individual:
        left_out = COMPANY_KEYS
    else:
        left_out = IDENTITY_KEYS if _has_company_identity() else IDENTITY_KEYS + COMPANY_KEYS
    if not (procedure.for_individual and procedure.demander_date_naissance):
        left_out += ("date_naissance",)
    return [c for c in META_COLONNES if c.key not in left_out]


def meta_headers(procedure: Procedure) -> list[str]:
    return [c.libelle for c in meta_colonnes(procedure)]


def champ_key(stable_id: int) -> str:
    return f"champ:{stable_id}"


def colonnes_disponibles(procedure: Procedure, schema_: Schema | None = None) -> list[Colonne]:
    """The column catalogue of a démarche's "Dossiers" sheet, in the default order: the metadata,
    one column per champ of every revision, then the annotations privées. Export templates choose
    and order these keys; lignes_dossiers(colonnes=…) and headers(colonnes=…) follow them."""
    schema_ = schema_ if schema_ is not None else schema(procedure)
    return (
        meta_colonnes(procedure)
        + [Colonne(champ_key(c.stable_id), c.libelle, G_FORMULAIRE) for c in schema_.publics]
        + [Colonne(champ_key(c.stable_id), c.libelle, G_ANNOTATIONS) for c in schema_.annotations]
    )


@dataclass(frozen=True)
class _Plan:
    """How a "Dossiers" row is laid out: the full row (every column), and which of its cells are written."""

    meta_keys: list[str]
    champ_position: dict[int, int]  # stable_id → index in the full row
    width: int
    headers: list[str]
    indices: list[int] | None  # None: the full row, in the default order
    wanted: frozenset[str]


def _plan(procedure: Procedure, schema_: Schema, colonnes: Sequence[str] | None) -> _Plan:
    catalogue = colonnes_disponibles(procedure, schema_)
    meta_keys = [c.key for c in meta_colonnes(procedure)]
    champs = schema_.publics + schema_.annotations
    position = {column.stable_id: len(meta_keys) + index for index, column in enumerate(champs)}
    if colonnes is None:
        return _Plan(meta_keys, position, len(catalogue), [c.libelle for c in catalogue], None,
                     frozenset(c.key for c in catalogue))
    index = {c.key: i for i, c in enumerate(catalogue)}
    chosen = list(dict.fromkeys(k for k in colonnes if k in index))  # unknown keys (a champ never published…) are left out
    return _Plan(meta_keys, position, len(catalogue), [catalogue[index[k]].libelle for k in chosen],
                 [index[k] for k in chosen], frozenset(chosen))


def headers(procedure: Procedure, schema_: Schema, colonnes: Sequence[str] | None = None) -> list[str]:
    return _plan(procedure, schema_, colonnes).headers


def _to_local(zone):
    """Spreadsheets have no time zones: dates are written in the platform's local time (naive).

    Accepts what the ORM gives (aware datetimes) and what database cursors give without the ORM's
    conversions: aware datetimes (PostgreSQL) or UTC text (SQLite)."""
    utc = datetime.UTC

    def local(moment):
        if moment is None:
            return None
        if type(moment) is str:
            moment = datetime.datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=utc)
        return moment.astimezone(zone).replace(tzinfo=None)

    return local


DATE_FIELDS = ("created_at", "updated_at", "depose_at", "en_instruction_at", "processed_at")
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def _dates_locales(dossiers: QuerySet, fields: Sequence[str], *, en_texte: bool = False) -> tuple[QuerySet, Callable]:
    """The values_list query of the dossiers' fields, and the function giving a date cell (naive local
    time) from what the database cursor returns for a date field.

    PostgreSQL converts the dates to local time itself (AT TIME ZONE): the cursor then returns
    naive datetimes, decoded by the driver's C code, where Django's loader for time-zoned values
    is Python code (a third of the metadata's cost); en_texte: their text "2026-03-02 10:30:15",
    as datetime.isoformat(" ", "seconds") writes it. Elsewhere, Python converts them."""
    zone = timezone.get_current_timezone()
    name = getattr(zone, "key", None) or str(zone)
    if connections[dossiers.db].vendor != "postgresql" or not _ZONE_NAME.match(name):
        return dossiers.values_list(*fields), _to_local(zone)
    template = f"(%(expressions)s AT TIME ZONE '{name}')"
    if en_texte:
        template = f"to_char({template}, 'YYYY-MM-DD HH24:MI:SS')"
    annotations = {
        f"export_{f}": Func(F(f), template=template, output_field=CharField() if en_texte else DateTimeField())
        for f in fields if f in DATE_FIELDS
    }
    names = [f"export_{f}" if f in DATE_FIELDS else f for f in fields]
    return dossiers.annotate(**annotations).values_list(*names), _naive


def _naive(moment):
    return moment


def _ids_in(model, ids: Iterable[int], column: str = "dossier_id") -> RawSQL:
    """The condition "<column> IN (ids)" with the numbers written into the SQL: each chunk's queries
    would otherwise have Django prepare their thousand parameters one by one."""
    qn = connection.ops.quote_name
    numbers = ",".join(str(int(pk)) for pk in ids) or "NULL"
    return RawSQL(f"{qn(model._meta.db_table)}.{qn(column)} IN ({numbers})", (), output_field=BooleanField())


def _batches_without_conversion(query: QuerySet, chunk_size: int) -> Iterator[list[tuple]]:
    """A values_list query read in batches of chunk_size rows (a server-side cursor where the database
    has one), skipping the ORM's per-value conversions: the caller converts what it reads."""
    compiler = query.query.get_compiler(using=query.db)
    try:
        batches = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size)
    except EmptyResultSet:
        return
    for batch in batches or ():
        if batch:
            yield batch


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


# Memoised cells per column (by stored text, and data JSON text): at most this many distinct values per column;
# once full, the values not memoised are converted each time (a column of unique values costs one
# dict lookup more per cell, nothing else).
CACHE_PER_COLUMN = 20_000
_MISS = object()


def convertisseur(field_type) -> Callable[[str, object], object] | None:
    """The function turning a stored (value, data) into its cell, through the type's export API
    (is_empty, export_value): None for an empty cell (empty texts included); None instead of a
    function for plain types, whose non-empty text is the cell. Data may be JSON text (database
    cursors without the ORM's conversions)."""
    if _is_plain(field_type):
        return None
    is_empty, export_value = field_type.is_empty, field_type.export_value
    fast = _RAPIDES.get(type(field_type))
    if fast is not None and type(field_type).is_empty is FieldType.is_empty:
        return _rapide(fast, is_empty, export_value)

    def convert(value, data):
        if type(data) is str:
            data = json.loads(data)
        stored = StoredValue(value=value or "", data=data)
        if is_empty(stored):
            return None
        cell = export_value(stored)
        return None if cell == "" else cell

    return convert


def _entier(value):
    try:
        return int(value)
    except ValueError:
        return value


def _decimal(value):
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value.replace(".", ",")
    return number if number.is_finite() else value.replace(".", ",")


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return value


# The cells of the numbers and dates without data, computed without the type's calls (a column of
# unique values is converted once per cell: 100 000 dossiers × 6 such columns). Each is what the
# type's export_value gives for a non-empty value (tests/exports/test_lecture.py compares them).
_RAPIDES = {IntegerNumber: _entier, DecimalNumber: _decimal, Date: _date}


def _rapide(fast, is_empty, export_value) -> Callable[[str, object], object]:
    def convert(value, data):
        if data is None:
            return fast(value) if value else None
        if type(data) is str:
            data = json.loads(data)
        stored = StoredValue(value=value or "", data=data)
        if is_empty(stored):
            return None
        cell = export_value(stored)
        return None if cell == "" else cell

    return convert


def _cellule(spec: tuple, value, data):
    """The cell of one champ through its column's spec (see _specs): memoised by stored text, and by
    the data's JSON text when there is one."""
    _, cache, convert = spec
    if convert is None:
        return value or None
    key = value if data is None else (value, data) if type(data) is str else _MISS
    if key is _MISS:
        return convert(value, data)
    cell = cache.get(key, _MISS)
    if cell is _MISS:
        cell = convert(value, data)
        if len(cache) < CACHE_PER_COLUMN:
            cache[key] = cell
    return cell


def _raw_batches(query: QuerySet) -> Iterator[list[tuple]]:
    """The rows of a values_list query, in batches of plain tuples straight from the database cursor
    (the ORM's per-row conversions cost more than the query itself at this volume): JSON columns come
    as text (decoded by convertisseur only where a type reads them). For the per-chunk queries only:
    the whole result of one execute is fetched by the driver."""
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        database_cursor = cursor.cursor  # past Django's wrapper, which costs a call per row
        while rows := database_cursor.fetchmany(5000):
            yield rows


def _raw_rows(query: QuerySet) -> Iterator[tuple]:
    for rows in _raw_batches(query):
        yield from rows


def _champs(dossier_ids: list[int], stable_ids: Iterable[int] | None = None) -> Iterator[list[tuple]]:
    """The top-level champs of some dossiers, in batches of (dossier_id, type_de_champ_id, value, data)."""
    query = Champ.objects.filter(_ids_in(Champ, dossier_ids), row_id="")
    if stable_ids is not None:
        query = query.filter(stable_id__in=list(stable_ids))
    return _raw_batches(query.values_list("dossier_id", "type_de_champ_id", "value", "data"))


def _specs(schema_: Schema, position: dict[int, int], wanted_stable_ids: set[int] | None = None) -> dict[int, tuple]:
    """For every definition (of any revision) whose column is written: (index in the row, memo of
    the column's cells by value, converter or None for plain types). One memo and converter per
    stable_id and type: the values of a column are converted once, whatever the revision."""
    converters: dict[tuple, tuple] = {}
    result = {}
    for definition_id, stable_id in schema_.stable_id_by_definition.items():
        if stable_id not in position or (wanted_stable_ids is not None and stable_id not in wanted_stable_ids):
            continue
        field_type = schema_.types_by_definition[definition_id]
        key = (stable_id, type(field_type))
        if key not in converters:
            convert = convertisseur(field_type)
            converters[key] = (None if convert is None else {}, convert)
        result[definition_id] = (position[stable_id], *converters[key])
    return result


def _demandeur_etablissement(etablissement) -> dict:
    if isinstance(etablissement, str):
        etablissement = json.loads(etablissement)
    if isinstance(etablissement, dict) and etablissement.get("etat") == "ok":
        return etablissement.get("etablissement") or {}
    return {}


def _lots_bruts(
    rows_query: QuerySet, chunk_size: int, wanted: frozenset[str], wanted_stable_ids, *, with_champs: bool,
    pivot_plan: pivot.Pivot | None = None, parallel: bool = False,
) -> Iterator[tuple]:
    """What the database gives for each chunk of dossiers, unconverted: (rows, followers, labels,
    deciders, batches of champs, or with pivot_plan the pivoted rows); one query per related table
    and chunk, only for the columns written. parallel: the pivot of half of each chunk is done by
    another connection meanwhile (the database's share of an export is mostly the pivot)."""
    helper = concurrent.futures.ThreadPoolExecutor(1, "export-pivot") if parallel and pivot_plan else None
    try:
        yield from _lots_lus(rows_query, chunk_size, wanted, wanted_stable_ids, with_champs, pivot_plan, helper)
    finally:
        if helper is not None:
            helper.submit(connections.close_all).result()  # the helper thread's own connection
            helper.shutdown()


def _lots_lus(rows_query, chunk_size, wanted, wanted_stable_ids, with_champs, pivot_plan, helper) -> Iterator[tuple]:
    for chunk in _batches_without_conversion(rows_query, chunk_size):
        ids = [r[0] for r in chunk]
        other_half = None
        if with_champs and helper is not None:
            other_half = helper.submit(pivot.lignes_pivotees, ids[len(ids) // 2:], pivot_plan)
            ids_here = ids[:len(ids) // 2]
        followers: dict[int, list[str]] = {}
        if "instructeurs" in wanted:
            for dossier_id, email in (
                Follow.objects.filter(_ids_in(Follow, ids))
                .order_by("created_at", "id")
                .values_list("dossier_id", "instructeur__user__email")
            ):
                followers.setdefault(dossier_id, []).append(email)
        labels: dict[int, list[str]] = {}
        if "labels" in wanted:
            for dossier_id, name in (
                DossierLabel.objects.filter(_ids_in(DossierLabel, ids))
                .order_by("label_id")
                .values_list("dossier_id", "label__name")
            ):
                labels.setdefault(dossier_id, []).append(name)
        deciders = {}
        if "decision_par" in wanted:
            deciders = dict(
                Traitement.objects.filter(_ids_in(Traitement, ids), state__in=Dossier.TERMINE)
                .order_by("processed_at", "id")
                .values_list("dossier_id", "instructeur_email")
            )
        if not with_champs:
            champ_batches = []
        elif other_half is not None:
            champ_batches = pivot.lignes_pivotees(ids_here, pivot_plan) + other_half.result()
        elif pivot_plan is not None:
            champ_batches = pivot.lignes_pivotees(ids, pivot_plan)
        else:
            champ_batches = list(_champs(ids, wanted_stable_ids))
        yield chunk, followers, labels, deciders, champ_batches


# Reading ahead: while the job converts and writes one chunk of dossiers (Python, holding the GIL),
# a second thread has the database prepare and send the next one (waiting on the network releases
# the GIL): on two cores, the database's time is hidden behind Python's. Only on PostgreSQL and
# outside a transaction: the reading thread has a connection of its own, which would not see a
# transaction's uncommitted rows (tests). EXPORT_READ_AHEAD = False turns it off.
READ_AHEAD = getattr(settings, "EXPORT_READ_AHEAD", True)
READ_AHEAD_CHUNKS = 1  # one chunk ahead: enough to overlap, and memory stays at two chunks
# PostgreSQL pivots the champs (see pivot.py); EXPORT_READ_PIVOT = False keeps the per-champ path.
READ_PIVOT = getattr(settings, "EXPORT_READ_PIVOT", True)


def _lecture_en_avance_possible(alias: str) -> bool:
    connection_ = connections[alias]
    return READ_AHEAD and connection_.vendor == "postgresql" and not connection_.in_atomic_block


def _en_avance(produce: Callable[[], Iterable], *, enabled: bool) -> Iterator:
    """The items of produce(), computed by another thread up to READ_AHEAD_CHUNKS items ahead
    (enabled), or here. The thread's errors are raised here; stopping early stops the thread."""
    if not enabled:
        yield from produce()
        return
    items: queue.Queue = queue.Queue(maxsize=READ_AHEAD_CHUNKS)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in produce():
                if not put((None, item)):
                    return
            put((done, None))
        except BaseException as exc:  # noqa: BLE001 (re-raised by the consuming thread)
            put((exc, None))
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=run, name="export-lecture", daemon=True)
    thread.start()
    try:
        while True:
            marker, item = items.get()
            if marker is done:
                return
            if marker is not None:
                raise marker
            yield item
    finally:
        stop.set()
        thread.join()


def lignes_dossiers(
    dossiers: QuerySet,
    procedure: Procedure,
    schema_: Schema,
    *,
    chunk_size: int | None = None,
    on_chunk: Callable[[int], None] | None = None,
    colonnes: Sequence[str] | None = None,
    textes=None,
) -> Iterator[list]:
    """One row per dossier: metadata, then one cell per public champ, then per annotation privée;
    with colonnes (keys of colonnes_disponibles), only those columns, in that order.
    With textes (a writer's, e.g. writers.csv.TEXTES), every cell is already its text in the file:
    champ cells are converted once per distinct value (memoised with the cell), and the writer
    has nothing left to convert.

    Dossiers are read chunk by chunk; per chunk, one query per related table, and only for the
    columns written. on_chunk(rows_done) is called after each chunk (progress, heartbeat).
    """
    chunk_size = chunk_size or CHUNK_SIZE
    plan = _plan(procedure, schema_, colonnes)
    wanted = plan.wanted
    meta_keys = plan.meta_keys
    base = len(meta_keys)
    empty, text, special_starts = (None, None, frozenset()) if textes is None else ("", *textes)
    padding = [empty] * (plan.width - base)
    wanted_stable_ids = None
    if colonnes is not None:
        wanted_stable_ids = {int(k.split(":", 1)[1]) for k in wanted if k.startswith("champ:")}
    specs = _specs(schema_, plan.champ_position, wanted_stable_ids)
    if text is not None:
        specs = _specs_en_texte(specs, text)
    # Plain types (most champs) need only their index: one lookup, no unpacking.
    plain_index = {d: spec[0] for d, spec in specs.items() if spec[2] is None}.get
    converted = {d: spec for d, spec in specs.items() if spec[2] is not None}.get
    pivot_plan = None
    if READ_PIVOT and pivot.pivot_possible(Champ.objects.db, specs, schema_.stable_id_by_definition):
        pivot_plan = pivot.pivot(
            specs, schema_.stable_id_by_definition, plan.champ_position, cache_limit=CACHE_PER_COLUMN
        )
    project = None
    if plan.indices is not None:
        getter = itemgetter(*plan.indices) if plan.indices else (lambda row: ())
        project = (lambda row: [getter(row)]) if len(plan.indices) == 1 else (lambda row: list(getter(row)))
    individual = "civilite" in meta_keys
    company = "siret" in meta_keys
    naissance = "date_naissance" in meta_keys
    fields = META_FIELDS + (("siret", "etablissement") if company else ()) + (("date_naissance",) if naissance else ())
    rows_query, local = _dates_locales(dossiers, fields, en_texte=text is not None)
    done = 0
    read_ahead = _lecture_en_avance_possible(dossiers.db)
    lots = _en_avance(
        lambda: _lots_bruts(
            rows_query, chunk_size, wanted, wanted_stable_ids, with_champs=bool(specs), pivot_plan=pivot_plan,
            parallel=read_ahead,
        ),
        enabled=read_ahead,
    )
    for chunk, followers, labels, deciders, champ_batches in lots:
        ids = [r[0] for r in chunk]
        cells: dict[int, list] = {}
        for r in chunk:
            (pk, email, civilite, nom, prenom, archived, state, created, updated, depose, instruction, processed,
             motivation, groupe) = r[:14]
            meta = [pk, email]
            if individual:
                meta += [civilite, nom, prenom]
            if naissance:
                meta.append(r[-1])
            if company:
                siret, etablissement = r[14:16]
                meta += [siret or None, _demandeur_etablissement(etablissement).get("raison_sociale") or None]
            meta += [
                "Oui" if archived else "Non", STATE_LABELS.get(state, state), local(created), local(updated),
                local(depose), local(instruction), local(processed), motivation, groupe or "",
                ", ".join(followers.get(pk, ())), deciders.get(pk, ""), ", ".join(labels.get(pk, ())),
            ]
            if text is not None:
                meta = [
                    v if type(v) is str and v[:1] not in special_starts else "" if v is None else text(v) for v in meta
                ]
            cells[pk] = meta + padding
        if pivot_plan is not None:
            left = pivot.remplir(
                cells, champ_batches, pivot_plan, empty=empty, text=text, special_starts=special_starts
            )
            champ_batches = _champs(left, wanted_stable_ids) if left else ()
        if specs:
            # The hottest loop of an export (one turn per champ: 3 million for 100 000 dossiers × 30
            # champs): no function call for plain texts nor for values already converted once.
            miss, limit = _MISS, CACHE_PER_COLUMN
            for batch in champ_batches:
                for dossier_id, definition_id, value, data in batch:
                    index = plain_index(definition_id)
                    if index is not None:
                        if value:
                            cells[dossier_id][index] = value if value[0] not in special_starts else text(value)
                        continue
                    spec = converted(definition_id)
                    if spec is None:
                        continue
                    index, cache, convert = spec
                    if data is None:
                        cell = cache.get(value, miss)
                        if cell is miss:
                            cell = convert(value, None)
                            if len(cache) < limit:
                                cache[value] = cell
                    elif type(data) is str:
                        # Keyed by the data's JSON text too (what database cursors give): a column
                        # of choices is converted once per choice.
                        cell = cache.get((value, data), miss)
                        if cell is miss:
                            cell = convert(value, data)
                            if len(cache) < limit:
                                cache[(value, data)] = cell
                    else:
                        cell = convert(value, data)
                    if cell is not None:
                        cells[dossier_id][index] = cell
        if project is None:
            for pk in ids:
                yield cells[pk]
        else:
            for pk in ids:
                yield project(cells[pk])
        done += len(chunk)
        if on_chunk is not None:
            on_chunk(done)


def _specs_en_texte(specs: dict[int, tuple], text: Callable[[object], str]) -> dict[int, tuple]:
    """The specs whose converters give the cells' texts (memoised as such): "" for an empty cell."""
    wrapped: dict[Callable, Callable] = {}

    def en_texte(convert):
        if convert not in wrapped:
            wrapped[convert] = lambda value, data: text(convert(value, data))
        return wrapped[convert]

    return {d: (index, cache, convert and en_texte(convert)) for d, (index, cache, convert) in specs.items()}


def _ids_par_lots(dossiers: QuerySet, chunk_size: int) -> Iterator[list[int]]:
    """The exported dossiers' numbers, ascending, chunk by chunk (the sheets linked by dossier number)."""
    ids = dossiers.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=chunk_size)
    return _chunks(ids, chunk_size)


def repetition_headers(bloc: BlocRepetable) -> list[str]:
    return ["N° dossier", "Ligne"] + [c.libelle for c in bloc.enfants]


def lignes_repetition(
    dossiers: QuerySet, bloc: BlocRepetable, schema_: Schema, *, chunk_size: int | None = None
) -> Iterator[list]:
    """The rows of a repetition block, each linked by its dossier's number, in the block's order
    ("Ligne" counts from 1 within the dossier); rows where nothing was answered are left out."""
    chunk_size = chunk_size or CHUNK_SIZE
    position = {c.stable_id: 2 + i for i, c in enumerate(bloc.enfants)}
    if not position:
        return
    specs = _specs(schema_, position)
    width = 2 + len(bloc.enfants)
    for ids in _ids_par_lots(dossiers, chunk_size):
        order: dict[int, list[str]] = {}
        for dossier_id, value, data in _raw_rows(
            Champ.objects.filter(dossier_id__in=ids, stable_id=bloc.stable_id, row_id="").values_list(
                "dossier_id", "value", "data"
            )
        ):
            data = json.loads(data) if isinstance(data, str) else data
            order[dossier_id] = bloc.field_type.raw(StoredValue(value=value or "", data=data))
        answers: dict[tuple[int, str], list] = {}
        for dossier_id, row_id, definition_id, value, data in _raw_rows(
            Champ.objects.filter(dossier_id__in=ids, stable_id__in=list(position)).exclude(row_id="").values_list(
                "dossier_id", "row_id", "type_de_champ_id", "value", "data"
            )
        ):
            spec = specs.get(definition_id)
            if spec is None:
                continue
            index = spec[0]
            cell = _cellule(spec, value, data)
            if cell is None:
                continue
            row = answers.get((dossier_id, row_id))
            if row is None:
                row = answers[(dossier_id, row_id)] = [None] * width
            row[index] = cell
        for dossier_id in ids:
            for number, row_id in enumerate(order.get(dossier_id, ()), start=1):
                row = answers.get((dossier_id, row_id))
                if row is not None:
                    row[0], row[1] = dossier_id, number
                    yield row


ETABLISSEMENT_HEADERS = [
    "N° dossier", "Champ", "SIRET", "SIREN", "Raison sociale", "Enseigne", "Siège social", "Adresse", "Code postal",
    "Commune", "Code INSEE", "Code NAF", "Libellé NAF", "Forme juridique", "Libellé forme juridique",
    "Date de création", "Établissement actif",
]
DEMANDEUR = "Demandeur"


def _etablissement_row(dossier_id: int, libelle: str, siret: str, data) -> list:
    if isinstance(data, str):
        data = json.loads(data)
    etab = (data.get("etablissement") if isinstance(data, dict) and data.get("etat") == "ok" else None) or {}

    def text(key):
        return etab.get(key) or None

    def yes_no(key):
        return None if not etab or etab.get(key) is None else ("Oui" if etab.get(key) else "Non")

    created = None
    if etab.get("date_creation"):
        try:
            created = datetime.date.fromisoformat(str(etab["date_creation"])[:10])
        except ValueError:
            created = etab["date_creation"]
    return [
        dossier_id, libelle, siret, text("siren"), text("raison_sociale"), text("enseigne"), yes_no("siege"),
        text("adresse"), text("code_postal"), text("commune"), text("code_insee"), text("naf"), text("libelle_naf"),
        text("forme_juridique"), text("libelle_forme_juridique"), created, yes_no("actif"),
    ]


def lignes_etablissements(
    dossiers: QuerySet, procedure: Procedure, schema_: Schema, *, chunk_size: int | None = None
) -> Iterator[list]:
    """The établissements of the exported dossiers, by dossier number: the demandeur's (démarches for
    companies), then those of the SIRET champs in the form's order (a repetition block's rows in turn)."""
    chunk_size = chunk_size or CHUNK_SIZE
    company = not procedure.for_individual and _has_company_identity()
    champs = {c.stable_id: (rank, c.libelle) for rank, c in enumerate(schema_.etablissements)}
    for ids in _ids_par_lots(dossiers, chunk_size):
        found: dict[int, list] = {}
        if company:
            for dossier_id, siret, etablissement in _raw_rows(
                Dossier.objects.filter(pk__in=ids).exclude(siret="").values_list("pk", "siret", "etablissement")
            ):
                found.setdefault(dossier_id, []).append(((-1, ""), _etablissement_row(dossier_id, DEMANDEUR, siret, etablissement)))
        if champs:
            for dossier_id, stable_id, row_id, value, data in _raw_rows(
                Champ.objects.filter(dossier_id__in=ids, stable_id__in=list(champs)).exclude(value="").values_list(
                    "dossier_id", "stable_id", "row_id", "value", "data"
                )
            ):
                rank, libelle = champs[stable_id]
                found.setdefault(dossier_id, []).append(((rank, row_id), _etablissement_row(dossier_id, libelle, value, data)))
        for dossier_id in ids:
            for _, row in sorted(found.get(dossier_id, ()), key=lambda item: item[0]):
                yield row


AVIS_HEADERS = ["N° dossier", "Expert", "Demandé par", "Question", "Demandé le", "Avis", "Donné le"]
AVIS_EXTRA = [  # (header, field): what avis keep since issue 7, when the model has it
    ("Question oui/non", "question_label"), ("Réponse oui/non", "question_answer"), ("Confidentiel", "confidentiel"),
]


def _model_has(model, *names: str) -> bool:
    fields = {f.name for f in model._meta.get_fields()}
    return all(name in fields for name in names)


def avis_headers() -> list[str]:
    return AVIS_HEADERS + [header for header, name in AVIS_EXTRA if _model_has(Avis, name)]


def _oui_non(value):
    return None if value is None else ("Oui" if value else "Non")


def lignes_avis(dossiers: QuerySet, *, chunk_size: int | None = None) -> Iterator[list]:
    """The avis on the exported dossiers, by dossier number (one streaming query); requests
    withdrawn by the instructeurs are left out. Confidential avis are there: only instructeurs export."""
    chunk_size = chunk_size or CHUNK_SIZE
    extra = [name for _, name in AVIS_EXTRA if _model_has(Avis, name)]
    avis = Avis.objects.filter(dossier__in=dossiers.values("pk"))
    if _model_has(Avis, "revoked_at"):
        avis = avis.filter(revoked_at__isnull=True)
    avis = avis.order_by("dossier_id", "created_at", "id").values_list(
        "dossier_id", "expert__user__email", "claimant__user__email", "introduction", "created_at", "answer",
        "answered_at", *extra,
    )
    local = _to_local(timezone.get_current_timezone())
    for dossier_id, expert, claimant, introduction, created, answer, answered, *more in avis.iterator(
        chunk_size=chunk_size
    ):
        cells = [dossier_id, expert, claimant or "", introduction, local(created), answer, local(answered)]
        for name, value in zip(extra, more, strict=True):
            cells.append(_oui_non(value) if name != "question_label" else value)
        yield cells


def feuilles(
    instructeur, procedure: Procedure, *, statut: str, include_archived: bool, with_avis: bool,
    label_id: int | None = None, on_chunk: Callable[[int], None] | None = None, chunk_size: int | None = None,
    colonnes: Sequence[str] | None = None, annexes: bool | None = None, liste: dict | None = None, textes=None,
) -> list[Feuille]:
    """The sheets of an export, as lazy row iterators: "Dossiers" (with colonnes, only those columns,
    in that order; with textes, as texts: see lignes_dossiers), then for formats with sheets
    (annexes, by default with_avis): "Etablissements" when the démarche has any, "Avis", and one
    sheet per repetition block."""
    dossiers = dossiers_a_exporter(
        instructeur, procedure, statut=statut, include_archived=include_archived, label_id=label_id, liste=liste
    )
    schema_ = schema(procedure)
    result = [
        Feuille(
            name="Dossiers", headers=headers(procedure, schema_, colonnes),
            rows=lignes_dossiers(
                dossiers, procedure, schema_, chunk_size=chunk_size, on_chunk=on_chunk, colonnes=colonnes,
                textes=textes,
            ),
            textes=textes is not None,
        )
    ]
    annexes = with_avis if annexes is None else annexes
    if annexes and (schema_.etablissements or (not procedure.for_individual and _has_company_identity())):
        result.append(Feuille(
            name="Etablissements", headers=list(ETABLISSEMENT_HEADERS),
            rows=lignes_etablissements(dossiers, procedure, schema_, chunk_size=chunk_size),
        ))
    if with_avis:
        avis = lignes_avis(dossiers, chunk_size=chunk_size)
        result.append(Feuille(name="Avis", headers=avis_headers(), rows=avis))
    if annexes:
        for bloc in schema_.repetitions:
            result.append(Feuille(
                name=bloc.libelle, headers=repetition_headers(bloc),
                rows=lignes_repetition(dossiers, bloc, schema_, chunk_size=chunk_size),
            ))
    return result


def nombre_de_dossiers(
    instructeur, procedure: Procedure, *, statut: str, include_archived: bool, label_id: int | None = None,
    liste: dict | None = None,
) -> int:
    dossiers = dossiers_a_exporter(
        instructeur, procedure, statut=statut, include_archived=include_archived, label_id=label_id, liste=liste
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
