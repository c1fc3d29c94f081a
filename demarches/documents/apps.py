from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "demarches.documents"
    label = "documents"
