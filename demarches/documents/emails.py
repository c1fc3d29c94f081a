"""Documents attached to e-mails of the dossier's life."""

from demarches.dossiers.models import Dossier

from .services import accuse_depot_a_telecharger


def accuse_de_reception_pieces_jointes(email) -> list[tuple[str, bytes, str]]:
    """The deposit receipt PDF (démarche, number, date and time of the deposit, digest of the content),
    rendered the first time it is asked for."""
    dossier = Dossier.objects.select_related("procedure__service", "user").filter(pk=email.dossier_id).first()
    if dossier is None or dossier.state == Dossier.State.BROUILLON:
        return []
    accuse = accuse_depot_a_telecharger(dossier)
    if accuse is None or not accuse.file:
        return []
    with accuse.file.open("rb") as handle:
        return [(accuse.filename, handle.read(), "application/pdf")]
