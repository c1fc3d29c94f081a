from django.core.management.base import BaseCommand
from django.db import transaction

from demarches.core.demo import DEMO_ACCOUNTS, DEMO_PATH, charger_demo


class Command(BaseCommand):
    help = "Charge les comptes et la démarche de démonstration (sans effet s'ils existent déjà)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = charger_demo()
        self.stdout.write(self.style.SUCCESS("Données de démonstration " + ("chargées." if created else "déjà présentes.")))
        for role, email, password in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<16} {email:<38} {password}")
        self.stdout.write(f"  Démarche : http://127.0.0.1:8000/commencer/{DEMO_PATH}")
