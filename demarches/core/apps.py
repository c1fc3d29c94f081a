from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "demarches.core"
    label = "core"
