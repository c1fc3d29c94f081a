"""Who may do what on a démarche."""

from .models import Procedure


def can_administer(user, procedure: Procedure) -> bool:
    administrateur = getattr(user, "administrateur", None) if user and user.is_authenticated else None
    return administrateur is not None and procedure.administrateurs.filter(pk=administrateur.pk).exists()


def can_instruct(user, procedure: Procedure) -> bool:
    instructeur = getattr(user, "instructeur", None) if user and user.is_authenticated else None
    return instructeur is not None and procedure.groupes_instructeurs.filter(instructeurs=instructeur).exists()


def publication_manquants(procedure: Procedure) -> list[str]:
    """What must be done before the démarche can be published, in the administrateur's words."""
    missing = []
    if procedure.service_id is None:
        missing.append("renseignez le service en charge de la démarche")
    if not procedure.groupes_instructeurs.filter(instructeurs__isnull=False).exists():
        missing.append("affectez au moins un instructeur")
    if not procedure.draft_revision.types_de_champ.filter(private=False).exists():
        missing.append("ajoutez au moins un champ au formulaire")
    return missing
