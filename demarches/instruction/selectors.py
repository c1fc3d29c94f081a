"""Reads of the instructor and expert workspace.

Every list fixes its queryset shape here (joins, annotations, order) so that the pages stay
free of N+1 queries whatever the number of dossiers.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from demarches.dossiers.models import Champ, Commentaire, Dossier, Follow, Traitement
from demarches.procedures.models import GroupeInstructeur, Procedure

from .models import Avis

S = Dossier.State
EN_COURS = (S.EN_CONSTRUCTION, S.EN_INSTRUCTION)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    description: str
    caption: str


# The dashboard tabs, in display order; "a-suivre" is the default one.
TABS = (
    Tab("a-suivre", "à suivre", "Les dossiers déposés qu'aucun instructeur ne suit encore.", "Dossiers à suivre"),
    Tab("suivis", "suivis par moi", "Les dossiers en cours que vous suivez.", "Dossiers suivis par moi"),
    Tab("traites", "traités", "Les dossiers sur lesquels une décision a été prise.", "Dossiers traités"),
    Tab(
        "tous", "tous les dossiers", "Tous les dossiers déposés sur cette démarche, quel que soit leur statut.",
        "Tous les dossiers",
    ),
)
TAB_KEYS = tuple(tab.key for tab in TABS)


def _groupes_of(instructeur) -> QuerySet:
    return GroupeInstructeur.objects.filter(instructeurs=instructeur).values("pk")


def _followed_by_anyone(dossier_ref: str = "pk"):
    return Exists(Follow.objects.filter(dossier_id=OuterRef(dossier_ref)))


def _followed_by(instructeur, dossier_ref: str = "pk"):
    return Exists(Follow.objects.filter(instructeur=instructeur, dossier_id=OuterRef(dossier_ref)))


def dossiers_visibles(instructeur) -> QuerySet:
    """The dossiers an instructeur may open: those of his groups, never the brouillons.

    Dossiers of a démarche en test are included: instructeurs rehearse on them before publication.
    """
    return Dossier.objects.filter(groupe_instructeur__in=_groupes_of(instructeur)).exclude(state=S.BROUILLON)


def _tab_filters(instructeur, prefix: str = "") -> dict[str, Q]:
    """The condition of each tab, usable on Dossier (prefix "") or through a relation ("dossiers__")."""
    ref = f"{prefix}pk" if prefix else "pk"
    state = f"{prefix}state"
    return {
        "a-suivre": Q(**{f"{state}__in": EN_COURS}) & ~Q(_followed_by_anyone(ref)),
        "suivis": Q(**{f"{state}__in": EN_COURS}) & Q(_followed_by(instructeur, ref)),
        "traites": Q(**{f"{state}__in": Dossier.TERMINE}),
        "tous": Q(),
    }


COUNTER_NAMES = {"a-suivre": "a_suivre", "suivis": "suivis", "traites": "traites", "tous": "total"}


def procedures_avec_compteurs(instructeur) -> QuerySet:
    """The démarches an instructeur instructs, each annotated with its four counters (one query)."""
    groupes = _groupes_of(instructeur)
    visible = Q(dossiers__groupe_instructeur__in=groupes) & ~Q(dossiers__state=S.BROUILLON)
    filters = _tab_filters(instructeur, prefix="dossiers__")
    counters = {
        COUNTER_NAMES[key]: Count("dossiers", filter=visible & condition) for key, condition in filters.items()
    }
    return (
        Procedure.objects.filter(pk__in=GroupeInstructeur.objects.filter(instructeurs=instructeur).values("procedure_id"))
        .only("pk", "libelle", "state", "created_at")
        .annotate(**counters)
        .order_by("-created_at", "-pk")
    )


def compteurs(instructeur, procedure) -> dict[str, int]:
    """The four tab counters of one démarche, keyed by tab (one query)."""
    filters = _tab_filters(instructeur)
    aggregates = dossiers_visibles(instructeur).filter(procedure=procedure).aggregate(
        **{COUNTER_NAMES[key]: Count("pk", filter=condition) for key, condition in filters.items()}
    )
    return {key: aggregates[COUNTER_NAMES[key]] or 0 for key in filters}


def dossiers_du_tableau(instructeur, procedure, tab: str) -> QuerySet:
    """The rows of one dashboard tab, most recently updated first, with what each row displays."""
    condition = _tab_filters(instructeur)[tab]
    return (
        dossiers_visibles(instructeur)
        .filter(procedure=procedure)
        .filter(condition)
        .select_related("user")
        .annotate(
            followed_by_me=_followed_by(instructeur),
            has_new_message=Exists(
                Follow.objects.filter(instructeur=instructeur, dossier_id=OuterRef("pk")).filter(
                    Q(messagerie_seen_at__isnull=True) | Q(messagerie_seen_at__lt=OuterRef("last_commentaire_at"))
                )
            ),
        )
        .order_by("-updated_at", "-pk")
    )


def dossier_pour_instructeur(instructeur, *, procedure_id: int, pk: int) -> Dossier | None:
    dossier = (
        dossiers_visibles(instructeur)
        .filter(procedure_id=procedure_id, pk=pk)
        .select_related("procedure", "procedure__service", "user", "groupe_instructeur", "revision")
        .annotate(followed_by_me=_followed_by(instructeur))
        .first()
    )
    return dossier


@dataclass
class LigneDemande:
    """One line of the "Demande" tab: a section heading or a champ with its displayed value."""

    type_de_champ: object
    is_heading: bool = False
    value: str = ""
    pieces: tuple = ()


def demande(dossier: Dossier) -> list[LigneDemande]:
    """The public champs of a dossier in form order, as instructeurs and experts read them (two queries)."""
    champs = {
        champ.stable_id: champ
        for champ in Champ.objects.filter(dossier=dossier, row_id="").prefetch_related("pieces")
    }
    lignes = []
    for tdc in dossier.revision.public_types_de_champ():
        field_type = tdc.field_type
        if not field_type.fillable:
            if field_type.key == "header_section":
                lignes.append(LigneDemande(type_de_champ=tdc, is_heading=True))
            continue
        champ = champs.get(tdc.stable_id)
        if field_type.accepts_files:
            lignes.append(LigneDemande(type_de_champ=tdc, pieces=tuple(champ.pieces.all()) if champ else ()))
        else:
            value = field_type.display(champ.stored) if champ and not field_type.is_empty(champ.stored) else ""
            lignes.append(LigneDemande(type_de_champ=tdc, value=value))
    return lignes


def traitements(dossier: Dossier) -> QuerySet:
    return Traitement.objects.filter(dossier=dossier).order_by("processed_at", "id")


def messages(dossier: Dossier) -> QuerySet:
    return Commentaire.objects.filter(dossier=dossier).select_related("instructeur__user").order_by("created_at", "id")


def avis_du_dossier(dossier: Dossier) -> QuerySet:
    return Avis.objects.filter(dossier=dossier).select_related("expert__user", "claimant__user").order_by("created_at", "id")


AVIS_TABS = (
    Tab("a-donner", "avis à donner", "Les dossiers sur lesquels un instructeur attend votre avis.", "Avis à donner"),
    Tab("donnes", "avis donnés", "Les avis que vous avez déjà rendus.", "Avis donnés"),
)


def avis_de_l_expert(expert, tab: str) -> QuerySet:
    avis = Avis.objects.filter(expert=expert).select_related("dossier__procedure", "dossier__user", "claimant__user")
    if tab == "donnes":
        return avis.filter(answered_at__isnull=False).order_by("-answered_at", "-id")
    return avis.filter(answered_at__isnull=True).order_by("-created_at", "-id")


def avis_compteurs(expert) -> dict[str, int]:
    counts = Avis.objects.filter(expert=expert).aggregate(
        a_donner=Count("pk", filter=Q(answered_at__isnull=True)), donnes=Count("pk", filter=Q(answered_at__isnull=False))
    )
    return {"a-donner": counts["a_donner"], "donnes": counts["donnes"]}


def avis_pour_expert(expert, pk: int) -> Avis | None:
    return (
        Avis.objects.filter(expert=expert, pk=pk)
        .exclude(dossier__state=S.BROUILLON)
        .select_related("dossier__procedure__service", "dossier__user", "dossier__revision", "claimant__user")
        .first()
    )
