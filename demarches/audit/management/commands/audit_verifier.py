from django.core.management.base import BaseCommand, CommandError

from demarches.audit.services import chain_verifier


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal des opérations (chaîne de hachage)."

    def handle(self, *args, **options):
        broken = chain_verifier()
        if broken:
            raise CommandError(f"Journal altéré : entrées {broken[:20]}")
        self.stdout.write(self.style.SUCCESS("Journal des opérations intègre."))
