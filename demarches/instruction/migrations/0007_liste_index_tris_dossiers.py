"""PostgreSQL only: indexes of the dossier list (sorts on the dossier's columns, index freshness).

The sorts of the dossier list on the dossier's own columns walk an index of the
démarche's dossiers in the order shown and stop after one page, instead of sorting every dossier.

- nullable dates (« Déposé le », « Passé en instruction le », « Traité le »): empty values last in
  both directions, so one index per direction (an ASC index read backwards gives NULLS FIRST);
- never-empty columns (« Mis à jour le », « Demandeur », « Statut »): one ASC index, read
  backwards for « desc » (filtres.tri sorts them without NULLS LAST). « Mis à jour le » already has
  dossier_api_maj_idx (procedure, updated_at, id), « Déposé le » ascending dossier_api_depot_idx.

SQLite cannot declare NULLS LAST in an index and sorts the (small) lists it serves in memory.
"""

from django.db import migrations

INDEXES = (
    ("dossier_liste_depose_desc_idx", "procedure_id, depose_at DESC NULLS LAST, id DESC"),
    ("dossier_liste_instruction_idx", "procedure_id, en_instruction_at, id"),
    ("dossier_liste_instruction_desc_idx", "procedure_id, en_instruction_at DESC NULLS LAST, id DESC"),
    ("dossier_liste_traite_idx", "procedure_id, processed_at, id"),
    ("dossier_liste_traite_desc_idx", "procedure_id, processed_at DESC NULLS LAST, id DESC"),
    ("dossier_liste_demandeur_idx", "procedure_id, nom, prenom, id"),
    ("dossier_liste_etat_idx", "procedure_id, state, id"),
)
# indexation.dossiers_a_indexer: the fresh copies of the dossiers changed lately, read from this index only.
FRAICHEUR = ("dossier_texte_fraicheur_idx", "instruction_dossiertexte", "procedure_id, source_updated_at, dossier_id")


def _all():
    return [(name, "dossiers_dossier", columns) for name, columns in INDEXES] + [FRAICHEUR]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in _all():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in _all():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_index_tableau_de_bord_et_api"),
        ("instruction", "0006_preferences_notification"),
    ]

    operations = [migrations.RunPython(create, drop)]
