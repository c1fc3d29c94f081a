from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "demarches.procedures"
    label = "procedures"
