from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "demarches.dossiers"
    label = "dossiers"
