from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="attestationtemplate",
            name="qr_code",
            field=models.BooleanField(default=True, verbose_name="code QR de vérification"),
        ),
    ]
