"""PostgreSQL only: the descending sorts of the dossier list (empty values last) read these indexes
backwards-free; the ascending ones use the (stable_id, value, dossier) indexes of 0003. SQLite
cannot declare NULLS LAST in an index and sorts the (small) lists it serves in memory."""

from django.db import migrations

FIELDS = ("texte", "nombre", "date")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A filter names one champ and one value: without statistics on the pair, PostgreSQL multiplies
    # their selectivities, underestimates the rows of « Thème = Culture » a hundredfold and sorts
    # them all instead of walking the sort index and stopping after one page.
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS valeur_indexee_texte_stats (mcv) ON stable_id, texte FROM instruction_valeurindexee"
    )
    for field in FIELDS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS valeur_indexee_{field}_desc_idx "
            f"ON instruction_valeurindexee (stable_id, {field} DESC NULLS LAST, dossier_id DESC)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS valeur_indexee_texte_stats")
    for field in FIELDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS valeur_indexee_{field}_desc_idx")


class Migration(migrations.Migration):
    dependencies = [("instruction", "0004_liste_preferences_valeurs_indexees_actions_groupees")]

    operations = [migrations.RunPython(create, drop)]
