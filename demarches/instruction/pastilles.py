"""The orange dots (« pastilles ») of the instructeur's workspace: what changed on a dossier he follows
since he last looked at it.

They are read from timestamps, like the « nouveau message » dot: a follower's Follow remembers when he
last opened the « Demande » tab (demande_seen_at) and the messagerie (messagerie_seen_at); the dossier
remembers when its usager last deposited modifications (last_champ_updated_at, set by
dossiers.services_modification.dossier_modifications_deposer: a deposited dossier is never edited in
place) and when the last message was written (last_commentaire_at). A follower who never opened a tab
counts from the moment he started to follow the dossier, so following it never lights a dot by itself.
Nothing is written for a dot: opening the tab (services.demande_marquer_vue) puts it out.
"""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from demarches.dossiers.models import Dossier, Follow

EN_COURS = (Dossier.State.EN_CONSTRUCTION, Dossier.State.EN_INSTRUCTION)


def _follows(instructeur) -> QuerySet:
    return Follow.objects.filter(instructeur=instructeur).annotate(
        demande_vue_le=Coalesce("demande_seen_at", "created_at"),
        messagerie_vue_le=Coalesce("messagerie_seen_at", "created_at"),
    )


def modifications_non_vues(instructeur, dossier_ref: str = "pk") -> Exists:
    """True on a dossier (annotation) whose usager deposited modifications the follower has not seen yet."""
    return Exists(
        _follows(instructeur).filter(
            dossier_id=OuterRef(dossier_ref), demande_vue_le__lt=OuterRef("last_champ_updated_at")
        )
    )


def dossier_modifications_non_vues(instructeur, dossier: Dossier) -> bool:
    """The same for one dossier (its « Demande » tab)."""
    if dossier.last_champ_updated_at is None:
        return False
    return _follows(instructeur).filter(dossier=dossier, demande_vue_le__lt=dossier.last_champ_updated_at).exists()


def dossier_messages_non_lus(instructeur, dossier: Dossier) -> bool:
    """A message written on a followed dossier after its follower last opened the messagerie."""
    if dossier.last_commentaire_at is None:
        return False
    return _follows(instructeur).filter(dossier=dossier, messagerie_vue_le__lt=dossier.last_commentaire_at).exists()


def _nouveautes() -> Q:
    return Q(demande_vue_le__lt=F("dossier__last_champ_updated_at")) | Q(
        messagerie_vue_le__lt=F("dossier__last_commentaire_at")
    )


def nouveautes_par_procedure(instructeur) -> dict[str, Exists]:
    """Annotations of the démarches dashboard (Procedure rows): is there news on a dossier the instructeur
    follows, among his « suivis » (en cours) and among the « traités »? Dossiers archived or deleted for
    the administration are out of the lists, hence out of the dots."""
    base = _follows(instructeur).filter(
        dossier__procedure_id=OuterRef("pk"), dossier__archived=False, dossier__suppression_administration__isnull=True
    ).filter(_nouveautes())
    return {
        "nouveautes_suivis": Exists(base.filter(dossier__state__in=EN_COURS)),
        "nouveautes_traites": Exists(base.filter(dossier__state__in=Dossier.TERMINE)),
    }
