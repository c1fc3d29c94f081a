from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "api" / "schema.graphql"


def printed_schema() -> str:
    from demarches.api.graphql.schema import schema

    return schema.as_str().rstrip() + "\n"


class Command(BaseCommand):
    help = "Écrit le schéma GraphQL de l'API dans docs/api/schema.graphql (--check : vérifie qu'il est à jour)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Échoue si le fichier n'est pas à jour, sans l'écrire.")
        parser.add_argument("--path", default=str(SCHEMA_PATH), help="Fichier à écrire (par défaut docs/api/schema.graphql).")

    def handle(self, *args, check=False, path=None, **options):
        target = Path(path)
        current = printed_schema()
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != current:
                raise CommandError(f"{target} n'est pas à jour : lancez « manage.py api_schema ».")
            self.stdout.write(f"{target} est à jour.")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(current, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Schéma écrit dans {target}."))
