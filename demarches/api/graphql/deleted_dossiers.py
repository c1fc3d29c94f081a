"""Dossiers deleted for good (`deletedDossiers`) or hidden from the administration and waiting for their
purge (`pendingDeletedDossiers`): deleted for the administration by an instructeur (« Supprimer le
dossier », instruction.models.SuppressionAdministration), or withdrawn en construction by their usager.
A terminated dossier the usager put in his corbeille stays with the administration: it is not pending.

Deleted dossiers are read from their trace (demarches.dossiers.models.DossierSupprime, written by
the purge of the corbeille, the expiry job and the closing of an account), never from the dossier
itself, which no longer exists. Brouillons never reach the administration: they are left out.
"""

from dataclasses import dataclass
from typing import Optional

import strawberry
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.functions import Coalesce

from demarches.dossiers.models import Dossier as DossierModel
from demarches.dossiers.models import DossierSupprime

from .common import DossierState, Order, PageInfo
from .ids import global_id
from .pagination import MAX_PAGE_SIZE, _check, decode_cursor, encode_cursor
from .scalars import ISO8601DateTime

# Our reasons, in the reference's words.
REASONS = {
    DossierSupprime.Reason.CORBEILLE: "user_request",
    DossierSupprime.Reason.EXPIRATION: "expired",
    DossierSupprime.Reason.COMPTE_SUPPRIME: "user_removed",
}
PENDING_REASON = "user_request"
PENDING_REASON_INSTRUCTEUR = "instructeur_request"
# The dossiers the administration no longer sees (instruction.selectors.dossiers_visibles and its tabs):
# left out of Demarche.dossiers, listed by pendingDeletedDossiers.
HIDDEN_FOR_ADMINISTRATION = Q(suppression_administration__isnull=False) | Q(
    hidden_by_user_at__isnull=False, state=DossierModel.State.EN_CONSTRUCTION
)


@strawberry.type(description="Un dossier supprimé")
class DeletedDossier:
    id: strawberry.ID
    number: int = strawberry.field(description="Le numéro du dossier qui a été supprimé.")
    state: DossierState = strawberry.field(description="L’état du dossier supprimé.")
    reason: str = strawberry.field(description="La raison de la suppression du dossier.")
    date_supression: ISO8601DateTime = strawberry.field(description="Date de suppression.")


@strawberry.type(description="An edge in a connection.")
class DeletedDossierEdge:
    cursor: str
    node: Optional[DeletedDossier]


@strawberry.type(description="The connection type for DeletedDossier.")
class DeletedDossierConnection:
    edges: Optional[list[Optional[DeletedDossierEdge]]]
    nodes: Optional[list[Optional[DeletedDossier]]]
    page_info: PageInfo


@dataclass
class _Source:
    queryset: object
    column: str
    to_node: object


def _deleted_node(trace: DossierSupprime) -> DeletedDossier:
    return DeletedDossier(
        id=global_id("DeletedDossier", trace.pk), number=trace.dossier_number, state=DossierState(trace.state),
        reason=REASONS.get(trace.reason, trace.reason), date_supression=trace.deleted_at,
    )


def _pending_node(dossier: DossierModel) -> DeletedDossier:
    return DeletedDossier(
        id=global_id("Dossier", dossier.pk), number=dossier.pk, state=DossierState(dossier.state),
        reason=PENDING_REASON_INSTRUCTEUR if dossier.supprime_par_instructeur else PENDING_REASON,
        date_supression=dossier.hidden_at,
    )


def supprimes(**filters) -> _Source:
    """By démarche (procedure_id) or by groupe (groupe_instructeur_id: the dossier's groupe when it was deleted;
    traces older than that column have none and appear only under their démarche)."""
    queryset = DossierSupprime.objects.filter(**filters).exclude(state=DossierModel.State.BROUILLON)
    return _Source(queryset.only("pk", "dossier_number", "state", "reason", "deleted_at"), "deleted_at", _deleted_node)


def en_attente(**filters) -> _Source:
    queryset = (
        DossierModel.objects.filter(HIDDEN_FOR_ADMINISTRATION, **filters)
        .exclude(state=DossierModel.State.BROUILLON)
        .annotate(
            hidden_at=Coalesce("suppression_administration__created_at", "hidden_by_user_at"),
            supprime_par_instructeur=ExpressionWrapper(
                Q(suppression_administration__isnull=False), output_field=BooleanField()
            ),
        )
    )
    return _Source(queryset.only("pk", "state"), "hidden_at", _pending_node)


def paginer(source: _Source, *, first=None, last=None, after=None, before=None, order=Order.ASC,
            deleted_since=None) -> DeletedDossierConnection:
    first, last, after, before, order, deleted_since = (
        None if value is strawberry.UNSET else value for value in (first, last, after, before, order, deleted_since)
    )
    _check(first, last, after, before)
    column = source.column
    queryset = source.queryset
    if deleted_since is not None:
        queryset = queryset.filter(**{f"{column}__gte": deleted_since})
    ascending = order != Order.DESC
    inverted = last is not None or before is not None
    for cursor, greater in ((after, ascending), (before, not ascending)):
        if cursor is not None:
            moment, pk = decode_cursor(cursor)
            op = "gt" if greater else "lt"
            queryset = queryset.filter(Q(**{f"{column}__{op}": moment}) | Q(**{column: moment, f"pk__{op}": pk}))
    limit = min(size for size in (first, last, MAX_PAGE_SIZE) if size is not None) + 1
    sign = "-" if ascending == inverted else ""
    rows = list(queryset.order_by(f"{sign}{column}", f"{sign}pk")[:limit])
    has_previous = after is not None or (len(rows) == limit and inverted)
    has_next = before is not None or (len(rows) == limit and not inverted)
    rows = rows[: limit - 1]
    if inverted:
        rows.reverse()
    edges = [DeletedDossierEdge(cursor=encode_cursor(getattr(row, column), row.pk), node=source.to_node(row)) for row in rows]
    return DeletedDossierConnection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        page_info=PageInfo(
            has_next_page=has_next, has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
        ),
    )
