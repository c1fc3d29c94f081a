from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demarches.referentiels.services import ECHANTILLON_DIR, referentiels_charger, source_par_defaut


class Command(BaseCommand):
    help = (
        "Charge (ou recharge) les communes, départements, régions, EPCI et pays depuis le paquet "
        "@etalab/decoupage-administratif installé par npm, ou depuis un dossier de fichiers JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="dossier contenant communes.json, departements.json, regions.json, epci.json")
        parser.add_argument("--echantillon", action="store_true", help="charger le petit échantillon livré (tests, démonstration)")

    def handle(self, *args, source=None, echantillon=False, **options):
        folder = ECHANTILLON_DIR if echantillon else Path(source) if source else source_par_defaut()
        try:
            counts = referentiels_charger(source=folder)
        except (FileNotFoundError, ValueError, KeyError) as exc:
            raise CommandError(f"Chargement impossible depuis {folder} : {exc}") from exc
        summary = ", ".join(f"{count} {label}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Référentiels chargés depuis {folder} : {summary}."))
