"""PostgreSQL statistics on the slice of dossier numbers that the remembered counters group by
(instruction/compteurs.py, slices of 4 096 numbers): without them the planner guesses one group per
dossier and sorts every row on disk instead of hashing a few dozen groups."""

from django.db import migrations

CREER = "CREATE STATISTICS IF NOT EXISTS dossier_tranche_compteurs ON (id / 4096) FROM dossiers_dossier"
SUPPRIMER = "DROP STATISTICS IF EXISTS dossier_tranche_compteurs"


def creer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREER)


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUPPRIMER)


class Migration(migrations.Migration):
    dependencies = [("instruction", "0008_suppression_administration"), ("dossiers", "0011_dossiersupprime_groupe_instructeur")]

    operations = [migrations.RunPython(creer, supprimer)]
