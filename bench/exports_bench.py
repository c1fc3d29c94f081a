"""Exports benchmark: N dossiers × 30 champs exported to csv, xlsx and ods, end to end.

    .venv/bin/python bench/exports_bench.py                     # 10 000 dossiers (a few minutes)
    .venv/bin/python bench/exports_bench.py --dossiers 100000   # the target of the issue
    .venv/bin/python bench/exports_bench.py --procedure 1 --instructeur 1   # a démarche generated earlier, as is

Each export runs the real job (services.export_generer: count, read the dossiers chunk by chunk,
write the file, store it, record the e-mail) in a fresh process, so that its peak memory (RSS)
is its own. Beside it, the bare writers write the same cells, already in memory: our own writer
alone (docs/adr/0004, 0005), and the bare library (the stdlib csv module, xlsxwriter in constant
memory; none streams ODS); the ratio of the export's time to the library's is what reading,
shaping and storing the dossiers add, and barely depends on the machine's load. The machine's load average is printed with each line: on a
shared machine, wall-clock seconds grow with it while CPU seconds barely move.
Data lives in var/bench.sqlite3 (bench/generate.py), never in the development database.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, next to this file)

FORMATS = ("csv", "xlsx", "ods")
# The limits for 100 000 dossiers × 30 champs.
TARGETS = {"csv": 10, "xlsx": 20, "ods": 25}
TARGET_ROWS = 100_000
MEMORY_TARGET_MB = 300


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process: unlike wall time, barely affected by other processes on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _warm_up() -> None:
    """What a long-lived worker has done once before its first job: load the URL conf (which
    imports every app's views, WeasyPrint included) and the French translations and formats."""
    from django.urls import reverse
    from django.utils import formats, timezone

    reverse("home")
    formats.date_format(timezone.now(), "j F Y")


def _sans_preferences_de_liste() -> None:
    """Export every dossier of the démarche in the list's default order, whatever filters or sort
    the bench's instructeur left in his list preferences (the bench data is browsed too): an export
    follows the list as the instructeur sees it (services.export_demander)."""
    from demarches.instruction.liste import preferences

    preferences.preference = lambda instructeur, procedure: preferences.ListePreference(
        instructeur=instructeur, procedure=procedure, colonnes=list(preferences.DEFAULT_COLONNES), filtres=[],
        tri_colonne=preferences.DEFAULT_TRI[0], tri_sens=preferences.DEFAULT_TRI[1],
    )


def run_export(format: str, procedure_id: int, instructeur_id: int) -> dict:
    """In the child process: the whole job, timed."""
    from demarches.accounts.models import Instructeur
    from demarches.exports import services
    from demarches.exports.models import Export
    from demarches.procedures.models import Procedure

    procedure = Procedure.objects.get(pk=procedure_id)
    instructeur = Instructeur.objects.select_related("user").get(pk=instructeur_id)
    Export.objects.filter(procedure=procedure).delete()
    _sans_preferences_de_liste()
    _warm_up()
    # The job is run here, in this process, as a worker would: not through the queue.
    services._enqueue = lambda export_id: None
    before = _rss_mb()
    cpu = _cpu_seconds()
    started = time.perf_counter()
    export, _ = services.export_demander(
        instructeur=instructeur, procedure=procedure, format=format, statut="tous", include_archived=True
    )
    export = services.export_generer(export_id=export.pk)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    assert export.status == Export.Status.DONE, export.error
    size = export.file.size
    export.file.delete(save=False)
    return {
        "rows": export.row_count, "seconds": seconds, "cpu": cpu, "rss_mb": _rss_mb(), "rss_before_mb": before,
        "size_mb": size / 2**20,
    }


def _bare_xlsx(path, headers, rows):
    from demarches.exports.writers.xlsx import XlsxWriter

    writer = XlsxWriter(path)
    writer.write_sheet("Dossiers", headers, rows)
    writer.close()


def _bare_csv(path, headers, rows):
    import csv

    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(headers)
        writer.writerows(rows)


def _bare_ods(path, headers, rows):
    from demarches.exports.writers.ods import OdsWriter

    writer = OdsWriter(path)
    writer.write_sheet("Dossiers", headers, rows)
    writer.close()


def _library_xlsx(path, headers, rows):
    """The reference library (xlsxwriter, constant memory): what a ready-made writer costs."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "remove_timezone": True})
    sheet = workbook.add_worksheet("Dossiers")
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, ["" if v is None else v for v in row])
    workbook.close()


# The bare library writing the same cells: the stdlib csv module, xlsxwriter; no library streams
# ODS (STACK_NOTES), so the ods line compares with our own writer alone.
LIBRARIES = {"csv": ("csv (stdlib)", _bare_csv), "xlsx": ("xlsxwriter", _library_xlsx), "ods": None}


def run_bare(format: str, procedure_id: int, instructeur_id: int) -> dict:
    """In the child process: the same cells, read first (not timed), then written by the bare writer."""
    import tempfile

    from demarches.accounts.models import Instructeur
    from demarches.exports import selectors
    from demarches.procedures.models import Procedure

    procedure = Procedure.objects.get(pk=procedure_id)
    instructeur = Instructeur.objects.get(pk=instructeur_id)
    (sheet,) = selectors.feuilles(instructeur, procedure, statut="tous", include_archived=True, with_avis=False)
    rows = list(sheet.rows)
    bare = {"csv": _bare_csv, "xlsx": _bare_xlsx, "ods": _bare_ods}[format]
    with tempfile.TemporaryDirectory() as folder:
        cpu = _cpu_seconds()
        started = time.perf_counter()
        bare(str(Path(folder) / f"bare.{format}"), sheet.headers, rows)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu
        library, library_seconds = LIBRARIES.get(format), None
        if library is not None:
            started = time.perf_counter()
            library[1](str(Path(folder) / f"library.{format}"), sheet.headers, rows)
            library_seconds = time.perf_counter() - started
    return {"rows": len(rows), "seconds": seconds, "cpu": cpu, "library_seconds": library_seconds}


def _child(mode: str, format: str, procedure_id: int, instructeur_id: int, database_url: str | None) -> dict:
    command = [
        sys.executable, __file__, f"--{mode}", format,
        "--procedure", str(procedure_id), "--instructeur", str(instructeur_id),
    ]
    if database_url:
        command += ["--database-url", database_url]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"La mesure {mode} {format} a échoué :\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--export", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--bare", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--procedure", type=int, help="mesurer cette démarche déjà générée (avec --instructeur)")
    parser.add_argument("--instructeur", type=int, help="l'instructeur qui exporte (avec --procedure)")
    args = parser.parse_args(argv)
    measuring = bool(args.export or args.bare)
    # --procedure/--instructeur without a mode: measure a démarche generated earlier as it is, without
    # re-running generate.py (whose checks on 100 000 dossiers may take minutes).
    existing = bool(args.procedure and args.instructeur)
    generate.setup(args.database_url, migrate=not measuring)  # the parent migrated: measures start clean

    if measuring:
        result = (run_export if args.export else run_bare)(args.export or args.bare, args.procedure, args.instructeur)
        print(json.dumps(result))
        return

    if existing:
        from demarches.accounts.models import Instructeur
        from demarches.procedures.models import Procedure

        procedure = Procedure.objects.get(pk=args.procedure)
        instructeur = Instructeur.objects.get(pk=args.instructeur)
        args.dossiers = procedure.dossiers.count()
    else:
        procedure, instructeur = generate.generate(args.dossiers)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    scale = args.dossiers / TARGET_ROWS
    print(f"\nExport de {args.dossiers} dossiers × 30 champs (démarche n° {procedure.pk}), un processus par mesure\n")
    header = (
        f"{'format':<7}{'lignes':>8}{'secondes':>10}{'CPU (s)':>9}{'RSS max (Mo)':>14}{'RSS avant (Mo)':>16}"
        f"{'fichier (Mo)':>14}{'écrivain seul (s)':>19}{'dont CPU (s)':>14}{'bibliothèque (s)':>18}"
        f"{'ratio':>7}{'cible (s)':>11}{'charge':>8}"
    )
    print(header)
    print("-" * len(header))
    for format in formats:
        job = _child("export", format, procedure.pk, instructeur.pk, args.database_url)
        bare = _child("bare", format, procedure.pk, instructeur.pk, args.database_url)
        target = TARGETS[format] * scale
        # The ratio: the whole export against the bare library writing the same cells (our own
        # writer for ods): what reading, shaping and storing the dossiers add, whatever the load.
        reference = bare["library_seconds"] or bare["seconds"]
        library = f"{bare['library_seconds']:.1f}" if bare["library_seconds"] is not None else "—"
        print(
            f"{format:<7}{job['rows']:>8}{job['seconds']:>10.1f}{job['cpu']:>9.1f}{job['rss_mb']:>14.0f}"
            f"{job['rss_before_mb']:>16.0f}{job['size_mb']:>14.1f}{bare['seconds']:>19.1f}{bare['cpu']:>14.1f}"
            f"{library:>18}{job['seconds'] / reference:>7.2f}{target:>11.1f}{os.getloadavg()[0]:>8.1f}",
            flush=True,
        )
    print(
        f"\ncible : le temps de l'issue pour {TARGET_ROWS} dossiers ramené à {args.dossiers} (linéaire) ; "
        f"mémoire maximale visée : {MEMORY_TARGET_MB} Mo quel que soit le nombre de dossiers.\n"
        "Bibliothèque : la bibliothèque seule écrivant les mêmes cellules (csv de la bibliothèque standard, "
        "xlsxwriter en mémoire constante ; aucune bibliothèque n'écrit l'ods en flux : notre écrivain seul). "
        "Ratio : secondes de l'export / secondes de la bibliothèque (de notre écrivain seul pour l'ods).\n"
        "CPU : temps processeur du processus, peu sensible à la charge de la machine (à comparer quand "
        "les secondes sont gonflées par d'autres processus). RSS avant : le processus du worker prêt, avant l'export. "
        "Charge : charge moyenne de la machine (1 min) à la fin de la mesure, pour "
        f"{os.cpu_count()} processeurs."
    )


if __name__ == "__main__":
    main()
