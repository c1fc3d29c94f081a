"""Reads of the instructor and expert workspace.

Every list fixes its queryset shape here (joins, annotations, order) so that the pages stay
free of N+1 queries whatever the number of dossiers.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from demarches.dossiers.models import Champ, Commentaire, CorrectionDemande, Dossier, Follow, Traitement
from demarches.fields import visibilite
from demarches.fields.registry import StoredValue
from demarches.fields.types.layout import numeros
from demarches.procedures.models import GroupeInstructeur, Procedure

from . import pastilles
from .models import SUPPRESSION_RESTAURABLE_DELAI, Avis, DossierLabel, Label

S = Dossier.State
EN_COURS = (S.EN_CONSTRUCTION, S.EN_INSTRUCTION)
# « expirant bientôt »: the usager is warned two weeks before his dossier expires (reference platform).
EXPIRATION_NOTICE = timedelta(days=getattr(settings, "DOSSIER_EXPIRATION_NOTICE_DAYS", 14))


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
        "tous", "tous les dossiers", "Tous les dossiers déposés sur cette démarche, quel que soit leur statut, hors archives.",
        "Tous les dossiers",
    ),
    Tab(
        "expirant", "expirant bientôt",
        "Les dossiers dont la durée de conservation s'achève dans les prochains jours : ils seront ensuite supprimés.",
        "Dossiers expirant bientôt",
    ),
    Tab("archives", "archivés", "Les dossiers traités que vous avez mis de côté : ils n'apparaissent plus ailleurs.", "Dossiers archivés"),
    Tab(
        "supprimes", "supprimés récemment",
        "Les dossiers traités supprimés pour l'administration ces 14 derniers jours : vous pouvez encore les restaurer. "
        "L'usager, lui, voit toujours son dossier.",
        "Dossiers supprimés récemment",
    ),
)
TAB_KEYS = tuple(tab.key for tab in TABS)


def _groupes_of(instructeur) -> QuerySet:
    return GroupeInstructeur.objects.filter(instructeurs=instructeur, procedure__hidden_at__isnull=True).values("pk")


def _followed_by_anyone(dossier_ref: str = "pk"):
    return Exists(Follow.objects.filter(dossier_id=OuterRef(dossier_ref)))


def _followed_by(instructeur, dossier_ref: str = "pk"):
    return Exists(Follow.objects.filter(instructeur=instructeur, dossier_id=OuterRef(dossier_ref)))


def dossiers_visibles(instructeur) -> QuerySet:
    """The dossiers an instructeur may open: those of his groups, never the brouillons.

    Dossiers of a démarche en test are included: instructeurs rehearse on them before publication.
    """
    return (
        Dossier.objects.filter(groupe_instructeur__in=_groupes_of(instructeur))
        .exclude(state=S.BROUILLON)
        .exclude(hidden_by_user_at__isnull=False, state=S.EN_CONSTRUCTION)  # withdrawn by the usager
    )


def _tab_filters(instructeur, prefix: str = "", *, include_archived: bool = False, parmi: Q | None = None) -> dict[str, Q]:
    """The condition of each tab, usable on Dossier (prefix "") or through a relation ("dossiers__").
    parmi: a condition on `dossier_id` that the dossiers are known to meet (slices of numbers), so
    that only their follows are read."""
    follows = Follow.objects.filter(parmi) if parmi else Follow.objects.all()
    ref = f"{prefix}pk" if prefix else "pk"
    state = f"{prefix}state"
    # Dossiers deleted for the administration leave every tab but « supprimés récemment » (see
    # services.dossier_supprimer_pour_administration); archived ones leave every tab but their own.
    present = Q(**{f"{prefix}suppression_administration__isnull": True})
    courant = present if include_archived else present & Q(**{f"{prefix}archived": False})
    return {
        # "IN (SELECT …)" rather than a correlated EXISTS: PostgreSQL hashes the follows once
        # instead of probing them for each of 100 000 dossiers (counters ≤50 ms, see bench/).
        "a-suivre": courant & Q(**{f"{state}__in": EN_COURS}) & ~Q(**{f"{ref}__in": follows.values("dossier_id")}),
        "suivis": courant
        & Q(**{f"{state}__in": EN_COURS})
        & Q(**{f"{ref}__in": follows.filter(instructeur=instructeur).values("dossier_id")}),
        "traites": courant & Q(**{f"{state}__in": Dossier.TERMINE}),
        "tous": courant,
        "expirant": courant
        & Q(**{f"{prefix}expire_at__lte": timezone.now() + EXPIRATION_NOTICE})
        & ~Q(**{f"{state}__in": (S.BROUILLON, S.EN_INSTRUCTION)}),  # a dossier en instruction never expires
        "archives": present & Q(**{f"{prefix}archived": True}),
        "supprimes": Q(
            **{f"{prefix}suppression_administration__created_at__gt": timezone.now() - SUPPRESSION_RESTAURABLE_DELAI}
        ),
    }


COUNTER_NAMES = {
    "a-suivre": "a_suivre", "suivis": "suivis", "traites": "traites", "tous": "total", "expirant": "expirant",
    "archives": "nb_archives", "supprimes": "nb_supprimes",
}


def procedures_avec_compteurs(instructeur) -> QuerySet:
    """The démarches an instructeur instructs, each annotated with its tab counters (one query)."""
    groupes = _groupes_of(instructeur)
    visible = Q(dossiers__groupe_instructeur__in=groupes) & ~Q(dossiers__state=S.BROUILLON)
    filters = _tab_filters(instructeur, prefix="dossiers__")
    counters = {
        COUNTER_NAMES[key]: Count("dossiers", filter=visible & condition) for key, condition in filters.items()
    }
    return (
        Procedure.objects.filter(hidden_at__isnull=True, pk__in=GroupeInstructeur.objects.filter(instructeurs=instructeur).values("procedure_id"))
        .only("pk", "libelle", "state", "created_at")
        .annotate(**counters, **pastilles.nouveautes_par_procedure(instructeur))
        .order_by("-created_at", "-pk")
    )


def _avec_label(label_id: int | None) -> Q:
    """Dossiers carrying one label (served by the (label, dossier) index); no condition without a label."""
    if label_id is None:
        return Q()
    return Q(Exists(DossierLabel.objects.filter(label_id=label_id, dossier_id=OuterRef("pk"))))


def compteurs(instructeur, procedure, *, label_id: int | None = None, condition: Q | None = None) -> dict[str, int]:
    """The tab counters of one démarche, keyed by tab (one query); they follow the label filter and
    the list's filters and search (`condition`, see instruction.liste.filtres)."""
    filters = _tab_filters(instructeur)
    visibles = dossiers_visibles(instructeur).filter(procedure=procedure).filter(_avec_label(label_id))
    if condition:
        visibles = visibles.filter(condition)
    aggregates = visibles.aggregate(
        **{COUNTER_NAMES[key]: Count("pk", filter=condition) for key, condition in filters.items()}
    )
    return {key: aggregates[COUNTER_NAMES[key]] or 0 for key in filters}


def compteurs_par_tranche(
    instructeur, procedure, taille: int, *, tranches=None, label_id: int | None = None, condition: Q | None = None
) -> dict[int, dict[str, int]]:
    """The tab counters of one démarche for each slice of `taille` dossier numbers (slice n: numbers
    n × taille to (n + 1) × taille − 1), in one query; only the given `tranches` when there are some.
    A slice where the instructeur sees no dossier is absent."""
    visibles = dossiers_visibles(instructeur).filter(procedure=procedure).filter(_avec_label(label_id))
    if condition:
        visibles = visibles.filter(condition)
    parmi = None
    if tranches is not None:
        bornes, parmi = Q(), Q()
        for tranche in tranches:
            bornes |= Q(pk__gte=tranche * taille, pk__lt=(tranche + 1) * taille)
            parmi |= Q(dossier_id__gte=tranche * taille, dossier_id__lt=(tranche + 1) * taille)
        visibles = visibles.filter(bornes)
    filters = _tab_filters(instructeur, parmi=parmi)
    rows = (
        visibles.annotate(tranche=F("pk") / Value(taille))
        .values("tranche")
        .annotate(**{COUNTER_NAMES[key]: Count("pk", filter=condition) for key, condition in filters.items()})
        .order_by()
    )
    return {row["tranche"]: {key: row[COUNTER_NAMES[key]] or 0 for key in filters} for row in rows}


def dossiers_du_tableau(
    instructeur, procedure, tab: str, *, include_archived: bool = False, label_id: int | None = None
) -> QuerySet:
    """The rows of one dashboard tab, most recently updated first, with what each row displays
    (labels prefetched: one more query per page).

    include_archived (exports): the tab's condition without the exclusion of archived dossiers.
    label_id: only the dossiers carrying that label.
    """
    condition = (_tab_filters(instructeur, include_archived=True) if include_archived else _tab_filters(instructeur))[tab]
    return (
        dossiers_visibles(instructeur)
        .filter(procedure=procedure)
        .filter(condition)
        .filter(_avec_label(label_id))
        .select_related("user")
        .prefetch_related(Prefetch("dossier_labels", queryset=DossierLabel.objects.select_related("label").order_by("label_id")))
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


def dossiers_de_la_liste(
    instructeur, procedure, tab: str, *, condition: Q | None = None, tri=None, colonnes=(), include_archived: bool = False
) -> QuerySet:
    """The rows of one tab of the customisable list: filtered by `condition` (filters and search),
    sorted by `tri` (instruction.liste.filtres.Tri), with what the shown `colonnes` display fetched
    in one query each (followers, labels), whatever the number of rows. Read for the page only:
    which rows the instructeur follows (suivis_parmi: as a column of this query, PostgreSQL would
    hash all his follows before the first row) and the values of the champ columns (valeurs_des_champs).

    include_archived (exports): the tab's condition without the exclusion of archived dossiers."""
    rows = _ce_que_la_ligne_affiche(
        dossiers_visibles(instructeur)
        .filter(procedure=procedure)
        .filter(_tab_filters(instructeur, include_archived=include_archived)[tab]),
        instructeur,
        colonnes,
    )
    if condition:
        rows = rows.filter(condition)
    if tri is None:
        return rows.order_by("-updated_at", "-pk")
    if tri.filtre is not None:
        rows = rows.filter(tri.filtre)
    if tri.annotations:
        rows = rows.annotate(**tri.annotations)
    return rows.order_by(*tri.order_by)


def _ce_que_la_ligne_affiche(rows: QuerySet, instructeur, colonnes) -> QuerySet:
    """What a row of the list shows beside the dossier: its usager and groupe, its orange dots, and
    the followers and labels when those columns are shown (one query each, whatever the rows)."""
    rows = rows.select_related("user", "groupe_instructeur").annotate(
        modifications_non_vues=pastilles.modifications_non_vues(instructeur),
        has_new_message=Exists(
            Follow.objects.filter(instructeur=instructeur, dossier_id=OuterRef("pk")).filter(
                Q(messagerie_seen_at__isnull=True) | Q(messagerie_seen_at__lt=OuterRef("last_commentaire_at"))
            )
        ),
    )
    keys = {colonne.key for colonne in colonnes}
    prefetches = []
    if "labels" in keys:
        prefetches.append(Prefetch("dossier_labels", queryset=DossierLabel.objects.select_related("label").order_by("label_id")))
    if "suiveurs" in keys:
        prefetches.append(
            Prefetch("follows", queryset=Follow.objects.select_related("instructeur__user").order_by("created_at", "id"), to_attr="suiveurs_de_la_liste")
        )
    return rows.prefetch_related(*prefetches) if prefetches else rows


def numeros_de_la_liste(rows: QuerySet) -> QuerySet:
    """The dossier numbers of the list's query (dossiers_de_la_liste), in its order: what its sort
    reads to find one page.

    Sorting every row of a démarche with all its columns (and its usager's, joined) costs three
    times as much on 100 000 dossiers as sorting their numbers and keys only, when the sort cannot
    walk an index (followers, labels); `dossiers_par_numero` then reads the page's rows by key."""
    return rows.prefetch_related(None).values_list("pk", flat=True)


def dossiers_par_numero(instructeur, procedure, numeros, *, colonnes=()) -> list:
    """The dossiers of one page of the list, in the order of `numeros`, with what their rows show.
    Only the dossiers the instructeur may see: the numbers come from his list, this checks it again."""
    numeros = list(numeros)
    rows = _ce_que_la_ligne_affiche(
        dossiers_visibles(instructeur).filter(procedure=procedure, pk__in=numeros), instructeur, colonnes
    )
    par_numero = {dossier.pk: dossier for dossier in rows}
    return [par_numero[pk] for pk in numeros if pk in par_numero]


def valeurs_des_champs(dossier_ids, stable_ids) -> dict[int, dict[int, StoredValue]]:
    """The stored values of some top-level champs of some dossiers, by dossier then stable_id (one
    query, plain tuples: a page of 100 dossiers × 5 champ columns needs no Champ instances)."""
    valeurs: dict[int, dict[int, StoredValue]] = {}
    rows = Champ.objects.filter(dossier_id__in=list(dossier_ids), stable_id__in=list(stable_ids), row_id="")
    for dossier_id, stable_id, value, data in rows.order_by("id").values_list("dossier_id", "stable_id", "value", "data"):
        valeurs.setdefault(dossier_id, {}).setdefault(stable_id, StoredValue(value=value, data=data))
    return valeurs


def suivis_parmi(instructeur, dossier_ids) -> set[int]:
    """Those of these dossiers the instructeur follows (one query, by the (instructeur, dossier) key)."""
    return set(
        Follow.objects.filter(instructeur=instructeur, dossier_id__in=list(dossier_ids)).values_list("dossier_id", flat=True)
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
    numero: str = ""  # a section title's number, as on the usager's form
    dossier_lie: int | None = None  # « Lien vers un autre dossier »: the linked dossier's number
    procedure_liee: int | None = None  # its démarche, when the reader may open it (see liens_visibles)


def demande(dossier: Dossier) -> list[LigneDemande]:
    """The public champs of a dossier in form order, as instructeurs and experts read them (two queries)."""
    champs = {
        champ.stable_id: champ
        for champ in Champ.objects.filter(dossier=dossier, row_id="").prefetch_related("pieces")
    }
    lignes = []
    types_de_champ = list(dossier.revision.public_types_de_champ())
    # Champs hidden by their condition are not part of the demande (as on the usager's side).
    hidden = visibilite.masques(types_de_champ, {stable_id: champ.stored for stable_id, champ in champs.items()})
    # Numbered among all the section titles of the form, hidden ones included, as on the usager's side.
    numeros_sections = numeros(
        (tdc.stable_id, tdc.libelle, tdc.options) for tdc in types_de_champ if tdc.type_champ == "header_section"
    )
    for tdc in types_de_champ:
        if tdc.stable_id in hidden:
            continue
        field_type = tdc.field_type
        if not field_type.fillable:
            if field_type.key == "header_section":
                lignes.append(LigneDemande(type_de_champ=tdc, is_heading=True, numero=numeros_sections.get(tdc.stable_id, "")))
            continue
        champ = champs.get(tdc.stable_id)
        if field_type.accepts_files:
            lignes.append(LigneDemande(type_de_champ=tdc, pieces=tuple(champ.pieces.all()) if champ else ()))
        else:
            value = field_type.display(champ.stored) if champ and not field_type.is_empty(champ.stored) else ""
            lignes.append(LigneDemande(type_de_champ=tdc, value=value, dossier_lie=_dossier_lie(field_type, champ) if value else None))
    return lignes


def _dossier_lie(field_type, champ) -> int | None:
    if field_type.key != "dossier_link" or not isinstance(champ.data, dict):
        return None
    number = champ.data.get("dossier_id")
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def liens_visibles(instructeur, lignes: list[LigneDemande]) -> list[LigneDemande]:
    """Tells each « Lien vers un autre dossier » line the démarche of its dossier when the instructeur
    may open it (a dossier of his groups, see dossiers_visibles): one query for the whole page."""
    numbers = {ligne.dossier_lie for ligne in lignes if ligne.dossier_lie is not None}
    if not numbers:
        return lignes
    visibles = dict(dossiers_visibles(instructeur).filter(pk__in=numbers).values_list("pk", "procedure_id"))
    for ligne in lignes:
        if ligne.dossier_lie is not None:
            ligne.procedure_liee = visibles.get(ligne.dossier_lie)
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


def _avis_actifs(expert, procedure_id: int | None = None) -> QuerySet:
    """The avis asked of this expert and not revoked, on deposited dossiers (optionally of one démarche)."""
    avis = Avis.objects.filter(expert=expert, revoked_at__isnull=True).exclude(dossier__state=S.BROUILLON)
    return avis.filter(dossier__procedure_id=procedure_id) if procedure_id else avis


def avis_de_l_expert(expert, tab: str, procedure_id: int | None = None) -> QuerySet:
    avis = _avis_actifs(expert, procedure_id).select_related("dossier__procedure", "dossier__user", "claimant__user")
    if tab == "donnes":
        return avis.filter(answered_at__isnull=False).order_by("-answered_at", "-id")
    return avis.filter(answered_at__isnull=True).order_by("-created_at", "-id")


def avis_compteurs(expert, procedure_id: int | None = None) -> dict[str, int]:
    counts = _avis_actifs(expert, procedure_id).aggregate(
        a_donner=Count("pk", filter=Q(answered_at__isnull=True)), donnes=Count("pk", filter=Q(answered_at__isnull=False))
    )
    return {"a-donner": counts["a_donner"], "donnes": counts["donnes"]}


def avis_procedures(expert) -> list[dict]:
    """The démarches on which the expert was consulted, with how many avis he still has to give on each."""
    return list(
        _avis_actifs(expert)
        .values("dossier__procedure_id", "dossier__procedure__libelle")
        .annotate(a_donner=Count("pk", filter=Q(answered_at__isnull=True)), total=Count("pk"))
        .order_by("dossier__procedure__libelle", "dossier__procedure_id")
    )


def avis_pour_expert(expert, pk: int) -> Avis | None:
    return (
        _avis_actifs(expert)
        .filter(pk=pk)
        .select_related("dossier__procedure__service", "dossier__user", "dossier__revision", "claimant__user")
        .first()
    )


def avis_partages(avis: Avis) -> QuerySet:
    """What the other experts consulted on the same dossier answered and agreed to share (never confidential avis)."""
    return (
        Avis.objects.filter(dossier_id=avis.dossier_id, confidentiel=False, revoked_at__isnull=True, answered_at__isnull=False)
        .exclude(pk=avis.pk)
        .select_related("expert__user")
        .order_by("answered_at", "id")
    )


# --- annotations privées -------------------------------------------------------------------------


def annotation_types(dossier: Dossier) -> list:
    """The private champs an instructeur fills on this dossier's revision, in order.

    Pièces justificatives post to the instructeur's own upload URLs (views_annotations), repetition
    blocks to the annotations page. A titre d'identité is never an annotation (the editor does not
    offer it): one made before is left out."""
    return [tdc for tdc in dossier.revision.private_types_de_champ() if tdc.type_champ != "titre_identite"]


def annotation_champ(dossier: Dossier, stable_id: int) -> Champ | None:
    return Champ.objects.filter(dossier=dossier, stable_id=stable_id, row_id="").first()


def annotation_piece(dossier: Dossier, piece_id: int):
    """An attachment of one of the dossier's annotations privées (None otherwise)."""
    from demarches.dossiers.models import PieceJointe

    return (
        PieceJointe.objects.filter(pk=piece_id, champ__dossier=dossier, champ__row_id="")
        .filter(champ__stable_id__in=[tdc.stable_id for tdc in annotation_types(dossier) if tdc.field_type.accepts_files])
        .select_related("champ")
        .first()
    )


def annotations_du_dossier(dossier: Dossier) -> list[tuple]:
    """(type de champ, champ or None) for every annotation of the dossier, in form order (two queries)."""
    types = annotation_types(dossier)
    champs = {
        champ.stable_id: champ
        for champ in Champ.objects.filter(dossier=dossier, row_id="", stable_id__in=[t.stable_id for t in types])
    }
    return [(tdc, champs.get(tdc.stable_id)) for tdc in types]


def labels_du_dossier(dossier: Dossier) -> list[Label]:
    return list(Label.objects.filter(dossier_labels__dossier=dossier).order_by("id"))


def derniere_correction(dossier: Dossier) -> CorrectionDemande | None:
    """The latest « demande de correction » of a dossier (pending or done), with its message."""
    return CorrectionDemande.objects.filter(dossier=dossier).select_related("commentaire").order_by("-created_at", "-id").first()


def correction_en_attente(dossier: Dossier) -> CorrectionDemande | None:
    return (
        CorrectionDemande.objects.filter(dossier=dossier, resolved_at__isnull=True).select_related("commentaire").first()
    )


# --- personnes impliquées ---------------------------------------------------------------------------


def suiveurs(dossier: Dossier) -> QuerySet:
    """The instructeurs following the dossier, first follower first."""
    return Follow.objects.filter(dossier=dossier).select_related("instructeur__user").order_by("created_at", "id")


def collegues_a_qui_envoyer(dossier: Dossier, instructeur) -> QuerySet:
    """The instructeurs of the dossier's group who do not follow it yet (never oneself)."""
    from demarches.accounts.models import Instructeur

    return (
        Instructeur.objects.filter(groupes=dossier.groupe_instructeur_id)
        .exclude(pk=instructeur.pk)
        .exclude(follows__dossier=dossier)
        .select_related("user")
        .order_by("user__email")
        .distinct()
    )
