from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demarches.referentiels.paquet import PaquetInvalide, referentiels_charger_paquet
from demarches.referentiels.services import ECHANTILLON_DIR, referentiels_charger, source_par_defaut


class Command(BaseCommand):
    help = (
        "Charge (ou recharge) les communes, départements, régions, EPCI et pays depuis le paquet "
        "@etalab/decoupage-administratif installé par npm, ou depuis un dossier de fichiers JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="dossier contenant communes.json, departements.json, regions.json, epci.json")
        parser.add_argument("--echantillon", action="store_true", help="charger le petit échantillon livré (tests, démonstration)")
        parser.add_argument(
            "--paquet", nargs="?", const="", default=None, metavar="URL_OU_FICHIER_TGZ",
            help="rafraîchir depuis le paquet publié (télécharge la version connue du registre npm si aucune "
            "adresse n'est donnée ; accepte aussi un fichier .tgz local)",
        )

    def handle(self, *args, source=None, echantillon=False, paquet=None, **options):
        if paquet is not None:
            try:
                counts = referentiels_charger_paquet(paquet or None)
            except PaquetInvalide as exc:
                raise CommandError(str(exc)) from exc
            except (ValueError, KeyError) as exc:
                raise CommandError(f"Chargement impossible depuis le paquet : {exc}") from exc
            summary = ", ".join(f"{count} {label}" for label, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Référentiels rafraîchis depuis le paquet : {summary}."))
            return
        folder = ECHANTILLON_DIR if echantillon else Path(source) if source else source_par_defaut()
        try:
            counts = referentiels_charger(source=folder)
        except (FileNotFoundError, ValueError, KeyError) as exc:
            raise CommandError(f"Chargement impossible depuis {folder} : {exc}") from exc
        summary = ", ".join(f"{count} {label}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Référentiels chargés depuis {folder} : {summary}."))
