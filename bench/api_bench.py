"""GraphQL API benchmark: pages of dossiers with all their champs, messages and avis.

    .venv/bin/python bench/api_bench.py                       # 2 000 dossiers × 30 champs
    .venv/bin/python bench/api_bench.py --dossiers 20000 --repeat 50
    BENCH_API_DATABASE_URL=postgres://postgres@127.0.0.1:5432/demarches_bench .venv/bin/python bench/api_bench.py
    .venv/bin/python bench/api_bench.py --profile 5 --explain    # where a page of 100 spends its time

Each request goes through the whole stack (URL routing, token check, rate limit, GraphQL
validation and execution, JSON) with Django's test client, walking the démarche page after page
as a synchronisation script does. For page sizes 10, 50 and 100 it prints the median and 95th
percentile time, and the number of SQL queries per request (which must not grow with the page
size). Data comes from bench/generate.py, in its own database (var/bench-api.sqlite3 by default).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

DEFAULT_DATABASE_URL = f"sqlite:///{generate.ROOT / 'var' / 'bench-api.sqlite3'}"
PAGE_SIZES = (10, 50, 100)
MESSAGES_PER_DOSSIER = 2

DOCUMENT = """query page($number: Int!, $first: Int, $after: String) {
  demarche(number: $number) {
    dossiers(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id number state dateDepot dateDerniereModification motivation
        usager { email }
        demandeur { ... on PersonnePhysique { civilite nom prenom } }
        traitements { state dateTraitement emailAgentTraitant }
        messages { email body createdAt }
        avis { question reponse dateQuestion expert { email } }
        champs {
          id champDescriptorId label stringValue
          ... on TextChamp { value }
          ... on IntegerNumberChamp { value }
          ... on DecimalNumberChamp { value }
          ... on DateChamp { date value }
          ... on CheckboxChamp { value }
          ... on CiviliteChamp { value }
          ... on MultipleDropDownListChamp { values }
        }
      }
    }
  }
}"""


def _percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _reference_ms() -> float:
    start = time.process_time()
    total = 0
    for number in range(1_000_000):
        total += number
    return (time.process_time() - start) * 1000


def ensure_messages(procedure):
    from django.db import transaction

    from demarches.dossiers.models import Commentaire

    if Commentaire.objects.filter(dossier__procedure=procedure).exists():
        return
    instructeur = procedure.default_groupe.instructeurs.select_related("user").get()
    with transaction.atomic():
        ids = list(procedure.dossiers.values_list("pk", flat=True))
        for start in range(0, len(ids), generate.BATCH):
            Commentaire.objects.bulk_create([
                Commentaire(dossier_id=pk, email=instructeur.user.email, instructeur=instructeur,
                            body=f"Message {n} : merci de compléter votre dossier avec le budget détaillé.")
                for pk in ids[start:start + generate.BATCH] for n in range(1, MESSAGES_PER_DOSSIER + 1)
            ])


def profile_and_explain(request, args, connection, CaptureQueriesContext):
    """Where the time of a page of 100 goes: SQL per query (with its plan), Python per function."""
    import cProfile
    import pstats

    after = request(100, None)  # warm-up
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        request(100, after)
        total = (time.perf_counter() - start) * 1000
    sql = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    print(f"Page de 100 : {total:.1f} ms dont SQL {sql:.1f} ms ({len(captured.captured_queries)} requêtes), "
          f"Python {total - sql:.1f} ms")
    for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"])):
        print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:160]}")
        if args.explain and connection.vendor == "postgresql" and query["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                print("\n".join("            " + row[0] for row in cursor.fetchall()))
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU time: the machine may be shared
        profiler.enable()
        for _ in range(args.profile):
            after = request(100, after)
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
        stats.print_stats(35)
        stats.sort_stats("cumulative").print_stats(45)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30, help="requêtes mesurées par taille de page")
    parser.add_argument("--database-url", default=None, help=f"par défaut : {DEFAULT_DATABASE_URL}")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profiler N requêtes de 100 dossiers (cProfile) au lieu de la mesure")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN ANALYZE de chaque requête SQL d'une page de 100 dossiers")
    parser.add_argument("--no-migrate", action="store_true", help="base déjà à jour : ne pas lancer migrate")
    args = parser.parse_args()

    generate.setup(
        args.database_url or os.environ.get("BENCH_API_DATABASE_URL") or DEFAULT_DATABASE_URL, migrate=not args.no_migrate
    )
    procedure, _instructeur = generate.generate(args.dossiers)
    ensure_messages(procedure)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from demarches.api import services

    settings.ALLOWED_HOSTS = ["*"]
    settings.API_RATE_LIMIT_PER_MINUTE = 10**9  # measure the API, not the rate limiter
    administrateur = procedure.administrateurs.first()
    _token, secret = services.api_token_creer(administrateur=administrateur, name="Banc d'essai", write_access=False)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def request(first, after):
        body = json.dumps({"query": DOCUMENT, "variables": {"number": procedure.pk, "first": first, "after": after}})
        response = client.post("/api/v2/graphql", data=body, content_type="application/json")
        assert response.status_code == 200, response.content[:500]
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        connection_data = payload["data"]["demarche"]["dossiers"]
        assert len(connection_data["nodes"]) == min(first, args.dossiers)
        info = connection_data["pageInfo"]
        return info["endCursor"] if info["hasNextPage"] else None

    if args.profile or args.explain:
        profile_and_explain(request, args, connection, CaptureQueriesContext)
        return

    rows = []
    for size in PAGE_SIZES:
        after = request(size, None)  # warm-up
        durations, cpu, query_counts, sql_ms = [], [], set(), []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start, start_cpu = time.perf_counter(), time.process_time()
                after = request(size, after)  # None at the end of the démarche: start again from the first page
                durations.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            query_counts.add(len(captured.captured_queries))
            sql_ms.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        rows.append((
            size, statistics.median(durations), _percentile(durations, 95), statistics.median(cpu), sorted(query_counts),
            statistics.median(sql_ms),
        ))

    print(f"\nAPI GraphQL — page de dossiers avec champs, messages et avis ; {args.dossiers} dossiers × 30 champs, "
          f"{MESSAGES_PER_DOSSIER} messages par dossier, {connection.vendor}, {args.repeat} requêtes par taille")
    print(f"{'page':>6} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms (p50)':>13} {'requêtes SQL':>13} {'SQL ms (p50)':>13}")
    for size, p50, p95, cpu_ms, counts, sql in rows:
        print(f"{size:>6} {p50:>8.1f} {p95:>8.1f} {cpu_ms:>13.1f} {'/'.join(map(str, counts)):>13} {sql:>13.1f}")
    counts = {size: counts for size, *_, counts, _sql in rows}
    same = len({min(c) for c in counts.values()}) == 1  # the token's use is written once a minute: one more, sometimes
    per_size = " ; ".join(f"page de {size} → {'/'.join(map(str, c))}" for size, c in counts.items())
    print(f"Requêtes SQL par requête API : {per_size} "
          f"({'identiques quelle que soit la taille de la page' if same else 'ATTENTION : elles varient avec la taille de la page'}).")
    print(f"Référence de vitesse de la machine : 1 million d'additions Python en {_reference_ms():.0f} ms "
          "(comparer les mesures entre machines à cette aune).")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None:
        print(f"Charge de la machine pendant la mesure : {load:.1f} (moyenne sur 1 min, pour {os.cpu_count()} cœurs) ; "
              "au-delà du nombre de cœurs, les durées mesurées comptent l'attente du processeur (voir la colonne CPU).")
    print("Requêtes SQL : la première requête d'une minute note aussi l'utilisation du jeton (une écriture de plus).")


if __name__ == "__main__":
    main()
