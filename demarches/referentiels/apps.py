from django.apps import AppConfig


class ReferentielsConfig(AppConfig):
    name = "demarches.referentiels"
    label = "referentiels"
