"""Documents attached to e-mails of the dossier's life."""

from demarches.dossiers.models import Dossier

from .services import accuse_depot_a_telecharger, attestation_a_telecharger


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


def acceptation_pieces_jointes(email) -> list[tuple[str, bytes, str]]:
    """The attestation PDF of an accepted dossier, when the démarche delivers one (made if its job has not run)."""
    dossier = Dossier.objects.select_related("procedure__service", "user").filter(pk=email.dossier_id).first()
    if dossier is None or dossier.state != Dossier.State.ACCEPTE:
        return []
    attestation = attestation_a_telecharger(dossier)
    if attestation is None or not attestation.file:
        return []
    with attestation.file.open("rb") as handle:
        return [(attestation.filename, handle.read(), "application/pdf")]
