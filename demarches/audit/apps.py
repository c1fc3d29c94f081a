from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "demarches.audit"
    label = "audit"
