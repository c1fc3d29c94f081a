"""ZIP export benchmark: a ZIP of ~1 GB streams with constant memory.

    .venv/bin/python bench/zip_bench.py                  # 100 MB then 1 GB (about a minute)
    .venv/bin/python bench/zip_bench.py --sizes 100 2000 # other sizes, in MB

For each size, a démarche gets dossiers whose attachments (generated, incompressible bytes) add up
to that size; then, in a fresh process so that its peak memory is its own, the real streaming code
(exports.zip.flux_zip: each dossier's PDF rendered with WeasyPrint, then its attachments read from
the storage in chunks) writes the ZIP to a file. The time, the throughput and the peak RSS are
printed: the peak stays the same whatever the size. The ZIP is then opened with the standard
library's zipfile to check its entries and a CRC.
Data lives in var/zip_bench.sqlite3 (made anew each run) and var/zip-bench-media (removed at the end).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'zip_bench.sqlite3'}"
MEDIA_ROOT = ROOT / "var" / "zip-bench-media"
FILE_MB = 8  # size of one attachment
FILES_PER_DOSSIER = 5
MEMORY_TARGET_MB = 300


def _setup():
    os.environ["MEDIA_ROOT"] = str(MEDIA_ROOT)
    import generate  # bench/generate.py: points Django at a bench database

    generate.setup(DATABASE_URL)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(size_mb: int) -> dict:
    """A démarche whose dossiers' attachments weigh size_mb; returns its ids."""
    from django.core.files.base import File

    from demarches.dossiers.models import Champ, Dossier, PieceJointe
    from tests import factories

    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        instructeurs=[instructeur], champs=[("text", "Nom du projet", True), ("piece_justificative", "Pièces", False)],
        libelle=f"Banc d'essai zip {size_mb} Mo",
    )
    files = max(1, size_mb // FILE_MB)
    dossiers = []
    block = os.urandom(1024 * 1024)  # incompressible content, rotated so that files differ
    for index in range(0, files, FILES_PER_DOSSIER):
        dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION, nom=f"Dossier {index}")
        tdc = dossier.revision.types_de_champ.get(libelle="Pièces")
        champ = Champ.objects.create(dossier=dossier, stable_id=tdc.stable_id, type_de_champ=tdc, value="pièces")
        for number in range(index, min(files, index + FILES_PER_DOSSIER)):
            with tempfile.TemporaryFile() as handle:
                for part in range(FILE_MB):
                    shift = (number * 7 + part) % len(block)
                    handle.write(block[shift:] + block[:shift])
                handle.seek(0)
                piece = PieceJointe(champ=champ, filename=f"piece-{number}.bin", size=FILE_MB * 1024 * 1024)
                piece.file.save(f"piece-{number}.bin", File(handle), save=False)
                piece.save()
        dossiers.append(dossier.pk)
    return {"procedure": procedure.pk, "instructeur": instructeur.pk, "files": files, "dossiers": len(dossiers)}


def run_zip(procedure_id: int, path: str) -> dict:
    """In the child process: stream the ZIP of every dossier to a file, timed."""
    from django.urls import reverse

    from demarches.dossiers.models import Dossier
    from demarches.exports import zip as zip_export

    reverse("home")  # what a long-lived worker has loaded once
    before = _rss_mb()
    start = time.perf_counter()
    dossiers = zip_export.dossiers_pour_zip(Dossier.objects.filter(procedure_id=procedure_id).order_by("pk"))
    size = zip_export.ecrire_zip(path, zip_export.flux_zip(dossiers))
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "bytes": size, "rss_before_mb": before, "peak_rss_mb": _rss_mb()}


def check(path: str, expected_files: int, expected_dossiers: int) -> None:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pdfs = [n for n in names if n.endswith(".pdf")]
        pieces = [n for n in names if "/pieces_justificatives/" in n]
        assert len(pdfs) == expected_dossiers, (len(pdfs), expected_dossiers)
        assert len(pieces) == expected_files, (len(pieces), expected_files)
        with archive.open(pieces[-1]) as handle:  # reading to the end checks the CRC
            while handle.read(1024 * 1024):
                pass


def child(args) -> None:
    _setup()
    print(json.dumps(run_zip(args.procedure, args.path)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1024], help="sizes of the attachments, in MB")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--procedure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    # A fresh database each run: the factories' e-mail addresses start again from the first one.
    Path(DATABASE_URL.removeprefix("sqlite:///")).unlink(missing_ok=True)
    _setup()
    rows = []
    work = Path(tempfile.mkdtemp(prefix="zip-bench-"))
    try:
        for size in args.sizes:
            started = time.perf_counter()
            data = prepare(size)
            prepared = time.perf_counter() - started
            path = str(work / f"bench-{size}.zip")
            output = subprocess.run(
                [sys.executable, __file__, "--child", "--procedure", str(data["procedure"]), "--path", path],
                check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
            result = json.loads(output)
            check(path, data["files"], data["dossiers"])
            rows.append((size, data, prepared, result))
            os.remove(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)

    print(f"\nZIP export, streamed (attachments of {FILE_MB} MB, {FILES_PER_DOSSIER} per dossier, plus each dossier's PDF)")
    print(f"{'attachments':>12} {'dossiers':>9} {'zip size':>10} {'time':>8} {'throughput':>11} {'RSS at start':>13} {'peak RSS':>9}")
    for size, data, _prepared, result in rows:
        mb = result["bytes"] / 1024 / 1024
        print(
            f"{size:>9} MB {data['dossiers']:>9} {mb:>7.0f} MB {result['seconds']:>7.1f}s {mb / result['seconds']:>7.0f} MB/s "
            f"{result['rss_before_mb']:>10.0f} MB {result['peak_rss_mb']:>6.0f} MB"
        )
    peaks = [r[3]["peak_rss_mb"] for r in rows]
    growth = max(peaks) - min(peaks)
    print(f"\nPeak memory grows by {growth:.0f} MB between the smallest and the largest ZIP (limit {MEMORY_TARGET_MB} MB in all).")
    if max(peaks) > MEMORY_TARGET_MB or growth > 50:
        print("NOT CONSTANT: memory grows with the size of the ZIP")
        sys.exit(1)
    print("Constant memory: the ZIP is streamed.")


if __name__ == "__main__":
    main()
