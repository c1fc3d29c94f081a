from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "demarches.documents"
    label = "documents"

    def ready(self):
        from demarches.core.emails import pieces_jointes_enregistrer

        from .emails import acceptation_pieces_jointes, accuse_de_reception_pieces_jointes

        # The accusé de réception e-mail carries the deposit receipt (PDF), the acceptance e-mail the attestation.
        pieces_jointes_enregistrer("accuse_de_reception", accuse_de_reception_pieces_jointes)
        pieces_jointes_enregistrer("acceptation", acceptation_pieces_jointes)
