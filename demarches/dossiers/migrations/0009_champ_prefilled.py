from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0008_dossier_prerempli_api"),
    ]

    operations = [
        migrations.AddField(
            model_name="champ",
            name="prefilled",
            field=models.BooleanField(default=False, verbose_name="prérempli"),
        ),
    ]
