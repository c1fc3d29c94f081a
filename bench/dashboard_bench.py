"""Instructeur dashboard benchmark: the dossier list of a démarche with N dossiers × 30 champs.

    .venv/bin/python bench/dashboard_bench.py                    # 10 000 dossiers
    .venv/bin/python bench/dashboard_bench.py --dossiers 100000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/demarches_bench .venv/bin/python bench/dashboard_bench.py
    … --explain   # each scenario's queries with their time, EXPLAIN (ANALYZE, BUFFERS) of the slowest

Scenarios:
- each tab of the default list;
- "liste personnalisée": 5 custom columns (champs), a filter on a champ (Thème principal is one
  of « Culture ») and a sort on another champ (Montant demandé, descending) — target ≤150 ms p95;
- "compteurs": the tab counters under that filter, as the page gets them (instruction/compteurs.py:
  remembered while nothing they count changes) — target ≤50 ms p95; "recalculés": counted again
  (selectors.compteurs), what the first display after a change costs;
- "sans compteurs mémorisés": the page just before, with the counters counted again each time;
- "après un changement": the page (or the counters) right after a usager changed a champ of one
  dossier through the autosave's service (not timed: "modification d'un champ" times it, with the job
  that copies the dossier into the list's index once the change commits, run inline here as
  CELERY_TASK_ALWAYS_EAGER); the counters count again the slice of that dossier only;
- "recherche": the list searched for a word of the champ values (found in almost every dossier), for a
  dossier number and for a usager's e-mail address — ≤200 ms p95;
- "tri …": sorts on the dossier's metadata, its followers and its labels (no target; metadata sorts walk an
  index, followers and labels are one CASE over hashed lists of dossiers, see liste/filtres._tri_premier,
  sorting the numbers only before the page's rows are read by key, see selectors.numeros_de_la_liste).

The whole request (URL routing, permission checks, counters, queries, template) is timed through
Django's test client, with the number of SQL queries it ran and, beside it, the raw SQL time of the
same queries run again on the same connection: the gap is what Python and the template cost.
Data comes from bench/generate.py (its own database, never the development one).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate

TABS = ("a-suivre", "suivis", "traites", "tous")
COLONNES = ("Nom du projet", "Thème principal", "Commune", "Montant demandé", "Date de début")
FILTRE = ("Thème principal", ["Culture"])
TRI = ("Montant demandé", "desc")
TRIS_META = (
    ("en_instruction_at", "desc"), ("processed_at", "asc"), ("demandeur", "desc"), ("suiveurs", "asc"), ("labels", "desc"),
)
TARGETS = {"liste personnalisée": 150, "compteurs": 50, "recherche mot": 200, "recherche numéro": 200, "recherche e-mail": 200}


def _percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _raw_sql_ms(connection, queries) -> float:
    """Run the captured SELECTs again, as they were sent, and time them (median of 3 runs each)."""
    total = 0.0
    with connection.cursor() as cursor:
        for query in queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                cursor.execute(query["sql"])
                cursor.fetchall()
                runs.append((time.perf_counter() - start) * 1000)
            total += statistics.median(runs)
    return total


def _explain(connection, name, queries, slowest=3) -> None:
    """--explain: the scenario's queries with their time, and the plans of the slowest ones."""
    timed = []
    with connection.cursor() as cursor:
        for query in queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            start = time.perf_counter()
            cursor.execute(query["sql"])
            cursor.fetchall()
            timed.append(((time.perf_counter() - start) * 1000, query["sql"]))
        print(f"\n=== {name}: {len(timed)} SELECT")
        for ms, sql in timed:
            print(f"  {ms:7.1f} ms  {sql[:160]}")
        if connection.vendor != "postgresql":
            return
        for ms, sql in sorted(timed, reverse=True)[:slowest]:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"\n--- {ms:.1f} ms\n{sql}\n" + "\n".join(row[0] for row in cursor.fetchall()))


def _measure(connection, repeat, call, explain=None, avant=None):
    """avant: run before each timed call, not timed (the change a scenario's page follows)."""
    from django.test.utils import CaptureQueriesContext

    call()  # warm-up
    durations, queries = [], None
    for _ in range(repeat):
        if avant:
            avant()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call()
            durations.append((time.perf_counter() - start) * 1000)
        queries = captured.captured_queries
    if explain:
        _explain(connection, explain, queries)
    return statistics.median(durations), _percentile(durations, 95), len(queries), _raw_sql_ms(connection, queries)


def _preferences(procedure, instructeur):
    """5 custom columns, one filter on a champ and a sort on another, as the instructeur would choose them."""
    from demarches.instruction import services
    from demarches.instruction.liste import preferences
    from demarches.instruction.liste.views import _colonnes

    disponibles = _colonnes(procedure, services.labels_de_la_procedure(procedure))
    by_libelle = {c.libelle: c for c in disponibles.values()}
    preferences.colonnes_definir(
        instructeur=instructeur,
        procedure=procedure,
        keys=[by_libelle[l].key for l in COLONNES],
        disponibles=disponibles,
    )
    preferences.filtres_vider(instructeur=instructeur, procedure=procedure)
    colonne = by_libelle[FILTRE[0]]
    preferences.filtre_ajouter(
        instructeur=instructeur,
        procedure=procedure,
        filtre={"colonne": colonne.key, "operateur": "parmi", "valeur": FILTRE[1]},
    )
    preferences.tri_definir(
        instructeur=instructeur, procedure=procedure, key=by_libelle[TRI[0]].key, sens=TRI[1], disponibles=disponibles
    )
    return disponibles


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print each scenario's queries and the plans of the slowest")
    args = parser.parse_args()

    generate.setup()
    procedure, instructeur = generate.generate(args.dossiers)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from django.core.cache import cache

    from demarches.dossiers.models import Dossier
    from demarches.instruction import compteurs, selectors
    from demarches.instruction.liste import filtres, preferences

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(instructeur.user)
    session = client.session  # a browser the instructeur already confirmed ("connexion sécurisée")
    session["appareil_verifie"] = instructeur.user.pk
    session.save()
    url = reverse("instruction:procedure", args=[procedure.pk])

    def page(recompter=False, **params):
        def call():
            if recompter:  # the counters are not remembered yet (first display after a change)
                cache.clear()
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code
            return response

        return call

    from django.http import QueryDict

    from demarches.dossiers import services as dossiers_services

    en_construction = list(
        procedure.dossiers.filter(state=Dossier.State.EN_CONSTRUCTION).select_related("user", "procedure")[:2000]
    )
    nom_du_projet = procedure.active_revision.types_de_champ.get(libelle="Nom du projet")
    hasard = random.Random(0)

    def changer():
        """A usager's autosave changes a champ of one of his dossiers (en construction)."""
        dossier = hasard.choice(en_construction)
        posted = QueryDict(mutable=True)
        posted[nom_du_projet.html_id] = f"Projet modifié {hasard.randrange(10**9)}"
        assert dossiers_services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=posted) == {}

    rows = []

    def measure(name, call, avant=None):
        rows.append((name, *_measure(connection, args.repeat, call, explain=name if args.explain else None, avant=avant)))

    # The default list (no preference): each tab.
    preferences.ListePreference.objects.filter(instructeur=instructeur, procedure=procedure).delete()
    for tab in TABS:
        measure(f"onglet {tab}", page(statut=tab))

    # The customised list: 5 champ columns, a filter on one champ, a sort on another.
    disponibles = _preferences(procedure, instructeur)
    measure("liste personnalisée", page(statut="tous"))
    measure("  sans compteurs mémorisés", page(recompter=True, statut="tous"))
    measure("  après un changement", page(statut="tous"), avant=changer)
    measure("modification d'un champ", changer)

    choix = preferences.choix(preferences.preference(instructeur, procedure), disponibles)
    condition = filtres.filtres_q(disponibles, choix.filtres)
    total = selectors.compteurs(instructeur, procedure, condition=condition)["tous"]
    shown = min(total, 100)
    measure("compteurs", lambda: compteurs.compteurs(instructeur, procedure, condition=condition))
    measure("  recalculés", lambda: selectors.compteurs(instructeur, procedure, condition=condition))
    measure("  après un changement", lambda: compteurs.compteurs(instructeur, procedure, condition=condition), avant=changer)

    # Full-text search (the filter stays on, as an instructeur would have it).
    preferences.filtres_vider(instructeur=instructeur, procedure=procedure)
    measure("recherche mot", page(statut="tous", q="jardin festival"))
    measure("  sans compteurs mémorisés", page(recompter=True, statut="tous", q="jardin festival"))
    measure("  après un changement", page(statut="tous", q="jardin festival"), avant=changer)
    numero = procedure.dossiers.order_by("pk").values_list("pk", flat=True)[args.dossiers // 2]
    measure("recherche numéro", page(statut="tous", q=str(numero)))
    measure("  sans compteurs mémorisés", page(recompter=True, statut="tous", q=str(numero)))
    email = procedure.dossiers.order_by("pk").values_list("user__email", flat=True)[args.dossiers // 3]
    measure("recherche e-mail", page(statut="tous", q=email))
    measure("  sans compteurs mémorisés", page(recompter=True, statut="tous", q=email))

    # Sorts on the dossier's metadata (no filter): an index of the démarche's dossiers in that order.
    for key, sens in TRIS_META:
        preferences.tri_definir(instructeur=instructeur, procedure=procedure, key=key, sens=sens, disponibles=disponibles)
        measure(f"tri {key} {sens}", page(statut="tous"))

    print(
        f"\nListe des dossiers — {args.dossiers} dossiers × 30 champs, {connection.vendor}, {args.repeat} mesures par scénario"
    )
    print(
        f"liste personnalisée : colonnes {', '.join(COLONNES)} ; filtre {FILTRE[0]} ∈ {FILTRE[1]} ; tri {TRI[0]} {TRI[1]}"
        f" ({total} dossiers filtrés, {shown} affichés)"
    )
    print(f"{'scénario':<28} {'p50 ms':>8} {'p95 ms':>8} {'cible':>7} {'requêtes SQL':>13} {'SQL brut ms':>12}")
    for name, p50, p95, count, sql_ms in rows:
        target = TARGETS.get(name)
        flag = "" if target is None else (f"≤{target}" + (" ✓" if p95 <= target else " ✗"))
        print(f"{name:<28} {p50:>8.1f} {p95:>8.1f} {flag:>7} {count:>13} {sql_ms:>12.1f}")


if __name__ == "__main__":
    main()
