from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "demarches.instruction"
    label = "instruction"

    def ready(self) -> None:
        from . import compteurs
        from .liste import reindexation

        compteurs.connecter()
        reindexation.connecter()
