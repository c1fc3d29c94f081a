"""Benchmark of the documents app: 50 attestations, accusés de dépôt and dossier PDFs.

Run from the repository root:  .venv/bin/python bench/documents_bench.py [--count 50]

It uses the test settings on a throw-away SQLite database and media folder, builds one démarche with
a dozen champs and N deposited, accepted dossiers, then times the real services (digest, tags,
WeasyPrint rendering with the QR code, storage write, database row) and the bare rendering.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORKDIR = tempfile.mkdtemp(prefix="documents-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "demarches.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{WORKDIR}/media"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

CHAMPS = [
    ("header_section", "Le projet", False),
    ("text", "Nom du projet", True),
    ("textarea", "Description", False),
    ("integer_number", "Nombre de places", False),
    ("decimal_number", "Surface en m²", False),
    ("date", "Date d'ouverture", False),
    ("yes_no", "Établissement existant", False),
    ("email", "Adresse du responsable", False),
    ("phone", "Téléphone", False),
    ("header_section", "Pièces", False),
    ("piece_justificative", "Plan des locaux", False),
]
VALEURS = {
    "Nom du projet": "Les petits pas",
    "Description": "Une crèche de 24 places au centre-ville, ouverte de 7 h 30 à 19 h.",
    "Nombre de places": "24",
    "Surface en m²": "182,5",
    "Date d'ouverture": "2026-09-01",
    "Établissement existant": "false",
    "Adresse du responsable": "direction@creche.example.fr",
    "Téléphone": "01 23 45 67 89",
}


class Posted(dict):
    def getlist(self, key):
        return [self[key]] if key in self else []


def build(count: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demarches.documents import selectors, services
    from demarches.dossiers import services as dossier_services
    from demarches.dossiers import transitions
    from tests import factories

    settings.DOSSIER_STATE_CHANGE_HANDLERS = []  # documents are made below, under the stopwatch
    administrateur, instructeur = factories.AdministrateurFactory(), factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, libelle="Ouverture d'une crèche"
    )
    default = selectors.attestation_modele(procedure, "acceptation")
    services.attestation_modele_enregistrer(
        procedure=procedure, administrateur=administrateur, kind="acceptation", activated=True,
        title=default.title, body=default.body + "\n\nProjet : --Nom du projet-- (--Nombre de places-- places).",
        footer="Préfecture de l'Exemple — 1 place de la République",
    )
    types = {t.libelle: t for t in procedure.published_revision.public_types_de_champ()}
    dossiers = []
    for index in range(count):
        usager = factories.UserFactory()
        dossier = dossier_services.dossier_creer(procedure=procedure, user=usager)
        dossier_services.dossier_identite_enregistrer(dossier=dossier, user=usager, civilite="Mme", nom=f"Martin{index}", prenom="Claire")
        dossier_services.champs_enregistrer(
            dossier=dossier, user=usager, posted=Posted({types[k].html_id: v for k, v in VALEURS.items()})
        )
        dossier_services.piece_ajouter(
            dossier=dossier, user=usager, type_de_champ=types["Plan des locaux"],
            uploaded=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 " + b"x" * 4000, content_type="application/pdf"),
        )
        dossier_services.dossier_deposer(dossier=dossier, user=usager)
        transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Dossier complet et conforme.")
        dossier.refresh_from_db()
        dossiers.append(dossier)
    return procedure, dossiers


def timed(label, items, function):
    durations, cpu, sizes = [], [], []
    for item in items:
        start, start_cpu = time.perf_counter(), time.process_time()
        size = function(item)
        durations.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        sizes.append(size)
    return {
        "label": label,
        "count": len(items),
        "total": sum(durations),
        "mean_ms": 1000 * statistics.mean(durations),
        "p95_ms": 1000 * sorted(durations)[max(0, int(len(durations) * 0.95) - 1)],
        "cpu_ms": 1000 * statistics.mean(cpu),
        "kb": statistics.mean(sizes) / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    procedure, dossiers = build(args.count)
    setup = time.perf_counter() - start

    from demarches.documents import balises, pdfs, selectors, services

    # First render of the process: fonts loaded and parsed once (not counted below).
    cold_start = time.perf_counter()
    pdfs.dossier_pdf(dossiers[0], lecteur="usager")
    cold = time.perf_counter() - cold_start

    template = selectors.attestation_modele(procedure, "acceptation")
    rows = [
        timed("attestation, rendu seul (WeasyPrint + QR)", dossiers, lambda d: len(pdfs.attestation_pdf(
            template=template, valeurs=balises.valeurs(d), procedure=procedure, numero=d.pk, decision_at=d.processed_at,
            delivree_le=d.processed_at, code="BENC-HBEN-CHBE-NCHB"))),
        timed("attestation, service complet (job)", dossiers, lambda d: services.attestation_generer(dossier_id=d.pk).file.size),
        timed("accusé de dépôt (enregistrement + PDF)", dossiers, lambda d: services.accuse_depot_a_telecharger(d).file.size),
        timed("dossier PDF instructeur (avis, annotations)", dossiers,
              lambda d: len(pdfs.dossier_pdf(d, lecteur="instructeur", avec_annotations=True, avec_avis=True))),
    ]

    print(f"\nDocuments — {args.count} dossiers de {len(CHAMPS)} champs (préparation {setup:.1f} s, "
          f"premier rendu à froid {1000 * cold:.0f} ms)\n")
    header = f"{'document':<46} {'nombre':>6} {'total s':>8} {'ms/doc':>8} {'p95 ms':>8} {'CPU ms':>7} {'Ko/doc':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['label']:<46} {row['count']:>6} {row['total']:>8.2f} {row['mean_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['cpu_ms']:>7.1f} {row['kb']:>7.1f}"
        )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nMachine : {os.cpu_count()} processeurs, charge moyenne {load} (1, 5, 15 min). « CPU ms » : temps")
    print("processeur de ce seul processus, peu sensible à la charge ; « ms/doc » : temps écoulé (horloge).")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
