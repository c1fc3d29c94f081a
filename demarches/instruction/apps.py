from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "demarches.instruction"
    label = "instruction"
