"""PostgreSQL turns the champs of a chunk of dossiers into one row per dossier (the pivot), so that
Python receives 2 000 rows per chunk instead of 60 000 (100 000 dossiers × 30 champs: 3 million
rows, whose decoding and placing were half of a CSV export's time).

Per dossier, the database sends the stable_ids of its champs ("1,2,3"), and their values in the
same order joined by SEPARATOR; data (JSON) only for the converted champs that have some. A
dossier holding exactly the columns' champs (the usual case) gets its row with one split and one
permutation in C, then the chunk is converted column by column through each column's memo; any
other dossier (a champ missing or one more, from another revision; a value holding SEPARATOR) is
left to the per-champ path of selectors.lignes_dossiers, which reads its champs again. Only where
every definition of a column converts its values in the same way (the same type): otherwise the
per-champ path does all.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

from django.db import connections

from demarches.dossiers.models import Champ

SEPARATOR = "\x1f"  # the "unit separator" control character: no text typed in a form holds it
ORDERS_KEPT = 1000  # orders of champs remembered per export (a few in practice)
_MISS = object()


@dataclass(frozen=True)
class Pivot:
    """How the pivoted rows of a chunk fill the rows of lignes_dossiers."""

    stable_ids: tuple[int, ...]  # the columns read, ascending (the order of the database's lists)
    expected: str  # their text, as the database gives it for a complete dossier (in this order)
    start: int  # first champ cell in the full row
    width: int  # number of champ cells
    # The columns of values (ascending stable_id, then a column of empty cells) in the row's order.
    place: Callable[[list], tuple]
    # Per converted column: (position in the values, stable_id, memo, converter).
    converted: tuple[tuple, ...]
    plain: tuple[int, ...]  # positions in the values of the plain columns
    cache_limit: int
    # The orders the database gave the champs in, by their text: the permutation to ascending
    # stable_ids (None: not the columns' champs).
    orders: dict[str, Callable | None] = field(default_factory=dict)


def pivot_possible(alias: str, specs: dict[int, tuple], stable_id_by_definition: dict[int, int]) -> bool:
    """On PostgreSQL, when every definition of a column converts in the same way."""
    if connections[alias].vendor != "postgresql" or not specs:
        return False
    conversion: dict[int, tuple] = {}
    for definition_id, (index, cache, convert) in specs.items():
        key = (index, id(cache), convert)
        if conversion.setdefault(stable_id_by_definition[definition_id], key) != key:
            return False
    return True


def pivot(
    specs: dict[int, tuple], stable_id_by_definition: dict[int, int], champ_position: dict[int, int],
    *, cache_limit: int,
) -> Pivot:
    """specs: selectors._specs (index, memo, converter) by definition, converters already giving the
    cells wanted (texts or typed cells); champ_position: every champ column's index in the row."""
    by_stable_id = {stable_id_by_definition[d]: spec for d, spec in specs.items()}
    stable_ids = tuple(sorted(by_stable_id))
    position = {stable_id: i for i, stable_id in enumerate(stable_ids)}
    start = min(champ_position.values())
    columns = sorted(champ_position, key=champ_position.get)
    # Columns not read (left out by an export template) take the column of empty cells, appended last.
    getter = itemgetter(*[position.get(stable_id, len(stable_ids)) for stable_id in columns])
    place = getter if len(columns) > 1 else (lambda values: (getter(values),))
    converted = tuple(
        (position[stable_id], stable_id, cache, convert)
        for stable_id, (_, cache, convert) in by_stable_id.items() if convert is not None
    )
    plain = tuple(position[stable_id] for stable_id, (_, _, convert) in by_stable_id.items() if convert is None)
    return Pivot(
        stable_ids, ",".join(map(str, stable_ids)), start, len(columns), place, converted, plain, cache_limit
    )


def lignes_pivotees(dossier_ids: list[int], plan: Pivot) -> list[tuple]:
    """(dossier_id, stable_ids, values, data) for the dossiers that have champs among the columns."""
    qn = connections[Champ.objects.db].ops.quote_name
    table = qn(Champ._meta.db_table)
    ids = ",".join(str(int(pk)) for pk in dossier_ids) or "NULL"
    stable_ids = ",".join(map(str, plan.stable_ids))
    # Plain types export their value alone: only the converted columns' data is read.
    with_data = ",".join(str(stable_id) for _, stable_id, _, _ in plan.converted) or "NULL"
    # No order within a dossier (sorting cost the database a third more): the stable_ids and the
    # values are aggregated in the same order, whatever it is, and remplir puts them in order.
    sql = (
        f"SELECT dossier_id, string_agg(stable_id::text, ','), string_agg(value, %s),"
        f" string_agg(stable_id::text || ':' || data::text, %s)"
        f" FILTER (WHERE data IS NOT NULL AND stable_id IN ({with_data}))"
        f" FROM {table} WHERE dossier_id IN ({ids}) AND row_id = '' AND stable_id IN ({stable_ids})"
        f" GROUP BY dossier_id"
    )
    with connections[Champ.objects.db].cursor() as cursor:
        cursor.execute(sql, [SEPARATOR, SEPARATOR])
        return cursor.cursor.fetchall()  # past Django's wrapper, which costs a call per row


def _data(text: str) -> dict[int, str]:
    """The JSON text of the data of each champ that has some, by stable_id."""
    result = {}
    for item in text.split(SEPARATOR):
        stable_id, _, data = item.partition(":")
        result[int(stable_id)] = data
    return result


def remplir(
    cells: dict[int, list], rows: Iterable[tuple], plan: Pivot, *, empty, text: Callable | None,
    special_starts: frozenset[str],
) -> list[int]:
    """Fill the champ cells of the rows (cells, by dossier number) from the pivoted rows; returns
    the dossiers left to the per-champ path. text: the writer's cell texts (see lignes_dossiers),
    the converters giving texts already; None for typed cells, where an empty text is no cell.

    The chunk is converted column by column (map over the memo of each column): no Python turn per
    cell, but for the values met for the first time."""
    left: list[int] = []
    complete: list[int] = []
    values: list[list[str]] = []
    with_data: list[tuple[int, str]] = []  # (row number, data of its champs)
    to_check: list[int] = []  # row numbers where a plain value may need its text (a formula)
    expected, count = plan.expected, len(plan.stable_ids) - 1
    # Such a value follows a separator (or starts the text): one search per dossier.
    special = re.compile(SEPARATOR + "[" + re.escape("".join(sorted(special_starts))) + "]") if special_starts else None
    for dossier_id, stable_ids, joined, data in rows:
        reorder = None
        if stable_ids != expected:
            reorder = plan.orders.get(stable_ids, _MISS)
            if reorder is _MISS:
                reorder = _reordering(stable_ids, plan.stable_ids)
                if len(plan.orders) < ORDERS_KEPT:
                    plan.orders[stable_ids] = reorder
            if reorder is None:
                left.append(dossier_id)
                continue
        if joined.count(SEPARATOR) != count:
            left.append(dossier_id)
            continue
        if data is not None:
            with_data.append((len(complete), data))
        if special is not None and (joined[:1] in special_starts or special.search(joined)):
            to_check.append(len(complete))
        complete.append(dossier_id)
        values.append(joined.split(SEPARATOR) if reorder is None else list(reorder(joined.split(SEPARATOR))))
    if not complete:
        return left
    columns = [list(column) for column in zip(*values)]
    for position, _, cache, convert in plan.converted:
        columns[position] = _convertis(columns[position], cache, convert, plan.cache_limit, empty)
    converters = {stable_id: (position, cache, convert) for position, stable_id, cache, convert in plan.converted}
    for number, data in with_data:
        for stable_id, found in _data(data).items():
            position, cache, convert = converters[stable_id]
            cell = _cellule(values[number][position], found, cache, convert, plan.cache_limit)
            columns[position][number] = empty if cell is None else cell
    if text is None:
        for position in plan.plain:
            columns[position] = [value or None for value in columns[position]]
    for number in to_check:
        for position in plan.plain:
            value = columns[position][number]
            if value[:1] in special_starts:
                columns[position][number] = text(value)
    columns.append([empty] * len(complete))  # the columns not read
    start, end = plan.start, plan.start + plan.width
    for dossier_id, champ_cells in zip(complete, zip(*plan.place(columns))):
        cells[dossier_id][start:end] = champ_cells
    return left


def _reordering(text: str, stable_ids: tuple[int, ...]) -> Callable | None:
    """The permutation putting values given in the order of text ("3,1,2") in the order of
    stable_ids (ascending); None when text does not name exactly those champs."""
    found = [int(stable_id) for stable_id in text.split(",")]
    if sorted(found) != list(stable_ids):
        return None
    index = {stable_id: number for number, stable_id in enumerate(found)}
    getter = itemgetter(*[index[stable_id] for stable_id in stable_ids])
    return getter if len(stable_ids) > 1 else (lambda values: (getter(values),))


def _convertis(column: list[str], cache: dict, convert: Callable, limit: int, empty) -> list:
    """The cells of a column's values (without data), through the column's memo."""
    result = list(map(cache.get, column, repeat(_MISS)))
    if _MISS in result:
        for number, cell in enumerate(result):
            if cell is _MISS:
                result[number] = _cellule(column[number], None, cache, convert, limit)
    if empty is not None and None in result:
        result = [empty if cell is None else cell for cell in result]
    return result


def _cellule(value: str, data: str | None, cache: dict, convert: Callable, limit: int):
    key = value if data is None else (value, data)
    cell = cache.get(key, _MISS)
    if cell is _MISS:
        cell = convert(value, data)
        if len(cache) < limit:
            cache[key] = cell
    return cell
