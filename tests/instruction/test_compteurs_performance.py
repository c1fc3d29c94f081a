"""The tab counters (selectors.compteurs) on PostgreSQL: the covering index of migration
dossiers 0010 holds every dossier column they read, so PostgreSQL can count from the index alone."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demarches.dossiers.models import Dossier
from demarches.instruction import selectors
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="index with INCLUDE: PostgreSQL only"),
]


def test_the_counters_index_exists_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'dossier_compteurs_idx'")
        (definition,) = cursor.fetchone()
    assert "ON public.dossiers_dossier USING btree (procedure_id, groupe_instructeur_id, state, archived)" in definition
    assert "INCLUDE (hidden_by_user_at, expire_at, id)" in definition


def test_the_index_holds_every_dossier_column_the_counters_read(instructeur):
    """An index-only scan needs every column of the dossier the query reads (the planner only picks it
    on a vacuumed table, so the test compares the columns rather than a plan)."""
    demarche = factories.procedure_creer(instructeurs=[instructeur])
    for state in (Dossier.State.EN_CONSTRUCTION, Dossier.State.EN_INSTRUCTION, Dossier.State.ACCEPTE):
        factories.dossier_creer(procedure=demarche, state=state)
    with CaptureQueriesContext(connection) as captured:
        counts = selectors.compteurs(instructeur, demarche, label_id=None)
    assert counts["tous"] == 3
    lues = set(re.findall(r'"dossiers_dossier"\."(\w+)"', captured.captured_queries[-1]["sql"]))
    assert {"procedure_id", "state", "archived", "id"} <= lues
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE c.relname = 'dossier_compteurs_idx'"
        )
        indexees = {row[0] for row in cursor.fetchall()}
    assert lues <= indexees, lues - indexees
