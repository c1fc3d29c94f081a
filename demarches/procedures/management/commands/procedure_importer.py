"""Create a démarche en test from an exported definition:
``manage.py procedure_importer <file.json> --administrateur <email>``."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from demarches.accounts.models import Administrateur
from demarches.procedures import services


class Command(BaseCommand):
    help = "Importe une démarche exportée (fichier JSON) : elle est créée en test pour l'administrateur indiqué."

    def add_arguments(self, parser):
        parser.add_argument("fichier")
        parser.add_argument("--administrateur", required=True, help="adresse électronique de l'administrateur")

    def handle(self, *args, fichier, administrateur, **options):
        admin = Administrateur.objects.select_related("user").filter(user__email__iexact=administrateur.strip()).first()
        if admin is None:
            raise CommandError(f"Aucun administrateur n'a l'adresse {administrateur}.")
        try:
            with open(fichier, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"Lecture de {fichier} impossible : {error}") from None
        try:
            procedure = services.procedure_importer(administrateur=admin, document=document)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Démarche n° {procedure.pk} « {procedure.libelle} » importée (en test).")
