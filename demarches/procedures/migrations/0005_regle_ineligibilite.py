import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("procedures", "0004_procedure_hidden_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegleIneligibilite",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("active", models.BooleanField(default=False, verbose_name="règles d'inéligibilité activées")),
                ("message", models.TextField(blank=True, verbose_name="message affiché à l'usager inéligible")),
                ("condition", models.JSONField(blank=True, default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "procedure",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="regle_ineligibilite",
                        to="procedures.procedure",
                    ),
                ),
            ],
            options={"verbose_name": "règles d'inéligibilité"},
        ),
    ]
