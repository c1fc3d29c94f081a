"""Cursor pagination of dossiers, with the reference's semantics.

The cursor is opaque to clients: base64 of "<timestamp of the sort column>;<dossier id>".
Dossiers are sorted by deposit date, or by last modification when `updatedSince` is given.
"""

import base64
import binascii
import datetime

from django.db.models import Q

from .common import Order, PageInfo
from .dossiers import Dossier, DossierConnection, DossierEdge
from .errors import BadRequest
from .ids import decode_pk

MAX_PAGE_SIZE = 100
SELECT_RELATED = ("user", "groupe_instructeur", "procedure__service", "revision")
# A page shares its démarche and revisions (loaders.Batch.share): only what differs is joined.
PAGE_SELECT_RELATED = ("user", "groupe_instructeur")


def encode_cursor(moment: datetime.datetime, pk: int) -> str:
    stamp = moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return base64.b64encode(f"{stamp};{pk}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split(";")
        return datetime.datetime.fromisoformat(stamp), int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest(f"Curseur invalide : « {cursor} ».") from None


def filtrer(queryset, *, state=None, archived=None, created_since=None, updated_since=None, revision=None,
            min_revision=None, max_revision=None):
    if state is not None:
        queryset = queryset.filter(state=state.value)
    if archived is not None:
        queryset = queryset.filter(archived=archived)
    if created_since is not None:
        queryset = queryset.filter(depose_at__gte=created_since)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    for value, lookup in ((revision, "revision_id"), (min_revision, "revision_id__gte"), (max_revision, "revision_id__lte")):
        if value is not None:
            pk = decode_pk(value, "ProcedureRevision")
            if pk is None:
                raise BadRequest(f"Identifiant de révision invalide : « {value} ».")
            queryset = queryset.filter(**{lookup: pk})
    return queryset


def _check(first, last, after, before):
    if first is not None and last is not None:
        raise BadRequest("Les arguments « first » et « last » ne peuvent pas être utilisés ensemble.")
    if after is not None and before is not None:
        raise BadRequest("Les arguments « after » et « before » ne peuvent pas être utilisés ensemble.")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise BadRequest(f"L'argument « {name} » doit être un entier positif ou nul.")


def _beyond(column: str, cursor: str, greater: bool) -> Q:
    moment, pk = decode_cursor(cursor)
    op = "gt" if greater else "lt"
    return Q(**{f"{column}__{op}": moment}) | Q(**{column: moment, f"pk__{op}": pk})


def paginer(info, queryset, *, first=None, last=None, after=None, before=None, order=Order.ASC,
            by_updated_at=False) -> DossierConnection:
    _check(first, last, after, before)
    column = "updated_at" if by_updated_at else "depose_at"
    limit = min(size for size in (first, last, MAX_PAGE_SIZE) if size is not None) + 1
    inverted = last is not None or before is not None
    ascending = order != Order.DESC
    queryset = queryset.filter(**{f"{column}__isnull": False})
    if after is not None:
        queryset = queryset.filter(_beyond(column, after, greater=ascending))
    if before is not None:
        queryset = queryset.filter(_beyond(column, before, greater=not ascending))
    descending_query = ascending == inverted
    sign = "-" if descending_query else ""
    rows = list(queryset.select_related(*PAGE_SELECT_RELATED).order_by(f"{sign}{column}", f"{sign}pk")[:limit])
    has_previous = after is not None or (len(rows) == limit and inverted)
    has_next = before is not None or (len(rows) == limit and not inverted)
    rows = rows[: limit - 1]
    if inverted:
        rows.reverse()
    info.context.batch.share(rows)
    info.context.batch.prime(rows)
    edges = [DossierEdge(cursor=encode_cursor(getattr(row, column), row.pk), node=Dossier(m=row)) for row in rows]
    return DossierConnection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
