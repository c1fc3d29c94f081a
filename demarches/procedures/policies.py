"""Who may do what on a démarche, and what a démarche needs before each step of its lifecycle."""

from django.conf import settings

from .models import Procedure, Service

# Seeds: dossiers are kept at most 36 months.
DUREE_CONSERVATION_MAX = getattr(settings, "DUREE_CONSERVATION_DOSSIERS_MAX", 36)
OPTIONS_SEPARATOR = "--separator--"


def _administrateur(user):
    return getattr(user, "administrateur", None) if user and user.is_authenticated else None


def is_administrateur(user) -> bool:
    return _administrateur(user) is not None


def can_administer(user, procedure: Procedure) -> bool:
    administrateur = _administrateur(user)
    return administrateur is not None and procedure.administrateurs.filter(pk=administrateur.pk).exists()


def can_clone(user, procedure: Procedure) -> bool:
    """An administrateur may copy his own démarches and any published one (the catalogue)."""
    if not is_administrateur(user):
        return False
    return procedure.state == Procedure.State.PUBLIEE or can_administer(user, procedure)


def can_use_service(user, service: Service) -> bool:
    """A service belongs to the administrateur who created it and is shared with his co-administrateurs."""
    administrateur = _administrateur(user)
    if administrateur is None:
        return False
    return service.administrateur_id == administrateur.pk or service.procedures.filter(administrateurs=administrateur).exists()


def can_instruct(user, procedure: Procedure) -> bool:
    instructeur = getattr(user, "instructeur", None) if user and user.is_authenticated else None
    return instructeur is not None and procedure.groupes_instructeurs.filter(instructeurs=instructeur).exists()


def publication_manquants(procedure: Procedure) -> list[str]:
    """What must be done before the démarche can be published, in the administrateur's words."""
    missing = []
    if procedure.service_id is None:
        missing.append("renseignez le service en charge de la démarche")
    # An invited instructeur counts: he will find the dossiers waiting once his password is set.
    has_instructeur = procedure.groupes_instructeurs.filter(instructeurs__isnull=False).exists()
    has_invitation = procedure.groupes_instructeurs.filter(invitations__accepted_at__isnull=True, invitations__isnull=False).exists()
    if not (has_instructeur or has_invitation):
        missing.append("affectez au moins un instructeur")
    if not procedure.draft_revision.types_de_champ.filter(private=False).exists():
        missing.append("ajoutez au moins un champ au formulaire")
    if not (procedure.cadre_juridique.strip() or procedure.deliberation):
        missing.append("renseignez le cadre juridique (texte, lien ou délibération) dans la présentation de la démarche")
    return missing


def peut_etre_close(procedure: Procedure) -> bool:
    return procedure.state == Procedure.State.PUBLIEE


def peut_remplacer(user, procedure: Procedure, remplacante: Procedure) -> bool:
    """A closed démarche may send its usagers to another published démarche of the same administrateur."""
    return (
        remplacante.pk != procedure.pk and remplacante.state == Procedure.State.PUBLIEE
        and remplacante.hidden_at is None and can_administer(user, remplacante)
    )


def peut_etre_reactivee(procedure: Procedure) -> bool:
    return (
        procedure.state == Procedure.State.CLOSE and procedure.hidden_at is None
        and procedure.published_revision_id is not None and bool(procedure.path)
    )


def fichier_visible(user, procedure: Procedure) -> bool:
    """The logo, notice and délibération of a démarche are public documents, like its /commencer
    page; once the démarche is deleted only its administrateurs still reach them."""
    return procedure.hidden_at is None or can_administer(user, procedure)



def peut_etre_supprimee(procedure: Procedure) -> bool:
    """A démarche en test, or one that no longer accepts dossiers (close, dépubliée), may be deleted."""
    return procedure.hidden_at is None and procedure.state in (
        Procedure.State.BROUILLON, Procedure.State.CLOSE, Procedure.State.DEPUBLIEE,
    )
