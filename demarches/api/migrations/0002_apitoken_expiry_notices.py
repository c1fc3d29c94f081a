from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expiry_notices_sent",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
