"""Who may download which document. Views ask here; anybody else gets a 404."""

from demarches.dossiers import policies as dossier_policies
from demarches.dossiers.models import Dossier


def _depose(dossier: Dossier) -> bool:
    return dossier.state != Dossier.State.BROUILLON


def can_download_as_usager(user, dossier: Dossier) -> bool:
    """The dossier PDF, the accusé de dépôt and the attestation: the owner, once the dossier is deposited."""
    return dossier_policies.can_view_as_usager(user, dossier) and _depose(dossier)


def can_download_as_instructeur(user, dossier: Dossier) -> bool:
    return dossier_policies.can_view_as_instructeur(user, dossier)


def can_download_as_expert(user, avis) -> bool:
    """The expert asked for an avis reads the dossier it is about (public answers only)."""
    expert = getattr(user, "expert", None) if user and user.is_authenticated else None
    return expert is not None and avis.expert_id == expert.pk and _depose(avis.dossier)
