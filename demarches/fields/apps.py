from django.apps import AppConfig


class FieldsConfig(AppConfig):
    name = "demarches.fields"
    label = "fields"
