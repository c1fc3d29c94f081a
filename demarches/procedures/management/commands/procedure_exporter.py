"""Print (or write) a démarche's definition as JSON: ``manage.py procedure_exporter <id> [--output f.json]``."""

import json

from django.core.management.base import BaseCommand, CommandError

from demarches.procedures import definitions
from demarches.procedures.models import Procedure


class Command(BaseCommand):
    help = "Exporte la définition d'une démarche (présentation, service, champs, annotations, e-mails) en JSON."

    def add_arguments(self, parser):
        parser.add_argument("procedure_id", type=int)
        parser.add_argument("--output", "-o", help="fichier à écrire (par défaut : la sortie standard)")

    def handle(self, *args, procedure_id, output=None, **options):
        procedure = Procedure.objects.filter(pk=procedure_id).first()
        if procedure is None:
            raise CommandError(f"Aucune démarche n° {procedure_id}.")
        text = json.dumps(definitions.exporter(procedure), ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(f"Démarche n° {procedure_id} exportée dans {output}.")
        else:
            self.stdout.write(text)
