"""The trace of a dossier deleted for good keeps the dossier's groupe instructeur, so that
GroupeInstructeur.deletedDossiers (API) lists only the groupe's dossiers.

No data migration: the dossier is gone, its groupe cannot be found again. Traces written before
this migration keep an empty groupe and are listed only under the démarche (Demarche.deletedDossiers).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0010_index_compteurs_instructeur'),
        ('procedures', '0008_service_type_organisme'),
    ]

    operations = [
        migrations.AddField(
            model_name='dossiersupprime',
            name='groupe_instructeur',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='dossiers_supprimes', to='procedures.groupeinstructeur'),
        ),
    ]
