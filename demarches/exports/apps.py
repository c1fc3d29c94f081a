from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "demarches.exports"
    label = "exports"
