"""Instructeur dashboard benchmark: the dossier list of a démarche with N dossiers × 30 champs.

    .venv/bin/python bench/dashboard_bench.py                    # 10 000 dossiers
    .venv/bin/python bench/dashboard_bench.py --dossiers 100000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/demarches_bench .venv/bin/python bench/dashboard_bench.py

For each tab of the dashboard, the whole request (URL routing, permission checks, counters,
queries, template) is timed through Django's test client, with the number of SQL queries it ran
and, beside it, the raw SQL time of the same queries: the gap is what Python and the template cost.
Data comes from bench/generate.py (its own database, never the development one).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

TABS = ("a-suivre", "suivis", "traites", "tous")


def _percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    generate.setup()
    procedure, instructeur = generate.generate(args.dossiers)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(instructeur.user)
    url = reverse("instruction:procedure", args=[procedure.pk])

    rows = []
    for tab in TABS:
        client.get(url, {"statut": tab})  # warm-up
        durations, queries = [], None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url, {"statut": tab})
                durations.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            queries = captured.captured_queries
        sql_ms = 0.0
        with connection.cursor() as cursor:
            for query in queries:
                if not query["sql"].lstrip().upper().startswith("SELECT"):
                    continue
                start = time.perf_counter()
                cursor.execute(query["sql"])
                cursor.fetchall()
                sql_ms += (time.perf_counter() - start) * 1000
        rows.append((tab, statistics.median(durations), _percentile(durations, 95), len(queries), sql_ms))

    print(f"\nTableau de bord instructeur — {args.dossiers} dossiers × 30 champs, {connection.vendor}, {args.repeat} requêtes par onglet")
    print(f"{'onglet':<10} {'p50 ms':>8} {'p95 ms':>8} {'requêtes SQL':>13} {'SQL brut ms':>12}")
    for tab, p50, p95, count, sql_ms in rows:
        print(f"{tab:<10} {p50:>8.1f} {p95:>8.1f} {count:>13} {sql_ms:>12.1f}")


if __name__ == "__main__":
    main()
