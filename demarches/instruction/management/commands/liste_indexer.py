from django.core.management.base import BaseCommand

from demarches.instruction.liste import indexation
from demarches.procedures.models import Procedure


class Command(BaseCommand):
    help = "Reconstruit la copie des valeurs des dossiers que lit la liste des instructeurs (filtres, tris, recherche)."

    def add_arguments(self, parser):
        parser.add_argument("--procedure", type=int, action="append", help="numéro de la démarche (toutes par défaut)")

    def handle(self, *args, **options):
        procedures = Procedure.objects.order_by("pk")
        if options["procedure"]:
            procedures = procedures.filter(pk__in=options["procedure"])
        for procedure in procedures:
            count = indexation.procedure_index_reconstruire(procedure)
            self.stdout.write(f"Démarche n° {procedure.pk} : {count} dossiers indexés.")
