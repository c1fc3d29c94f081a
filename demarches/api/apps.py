from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "demarches.api"
    label = "api"
