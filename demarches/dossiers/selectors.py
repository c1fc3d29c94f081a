"""Reads on dossiers for the usager pages: the queryset shapes are fixed here, once."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404

from demarches.procedures.models import Procedure

from . import policies
from .models import Champ, Commentaire, Dossier, Invitation, PieceJointe

S = Dossier.State
EN_COURS = (S.BROUILLON, S.EN_CONSTRUCTION, S.EN_INSTRUCTION)
TRAITES = Dossier.TERMINE
ONGLETS = ("en-cours", "traites", "invites", "corbeille")


def dossier_de_l_usager(*, pk: int) -> Dossier:
    """One dossier with what every usager page shows (démarche, service, revision, owner)."""
    return get_object_or_404(
        Dossier.objects.select_related("procedure__service", "revision", "user", "editing_fork_origin"),
        pk=pk,
    )


def copie_de_travail(dossier: Dossier) -> Dossier | None:
    """The working copy of an en construction dossier being modified (« Modifier le dossier »), if any."""
    return Dossier.objects.filter(editing_fork_origin=dossier).order_by("pk").first()


def _onglet_filtres(user) -> dict[str, Q]:
    """The tabs of « Mes dossiers »: his own dossiers by state, those he was invited on, his corbeille."""
    invited = Q(pk__in=policies.invitations_de(user).values("dossier_id"))
    own = Q(user=user)
    # Working copies of modifications are reached through their dossier, never listed.
    visible = Q(hidden_by_user_at__isnull=True, editing_fork_origin__isnull=True)
    return {
        "en-cours": own & visible & Q(state__in=EN_COURS),
        "traites": own & visible & Q(state__in=TRAITES),
        "invites": invited & visible & ~own,
        "corbeille": own & Q(hidden_by_user_at__isnull=False, editing_fork_origin__isnull=True),
    }


def _recherche(terme: str) -> Q:
    """By number (« 123 » or « n° 123 »), or by text in the démarche's title or the answers."""
    terme = terme.strip()
    numero = terme.lower().removeprefix("n°").removeprefix("n ").strip()
    condition = Q(procedure__libelle__icontains=terme) | Q(
        Exists(Champ.objects.filter(dossier_id=OuterRef("pk"), value__icontains=terme))
    )
    if numero.isdigit():
        condition |= Q(pk=int(numero))
    return condition


def dossiers_de_l_usager(*, user, onglet: str, recherche: str = ""):
    """The rows of « Mes dossiers » for one tab (served by the (user, state) index)."""
    dossiers = Dossier.objects.filter(_onglet_filtres(user)[onglet])
    if recherche.strip():
        dossiers = dossiers.filter(_recherche(recherche))
    return dossiers.select_related("procedure", "user").order_by("-updated_at", "-pk")


def compteurs_de_l_usager(*, user, recherche: str = "") -> dict[str, int]:
    """The count of every tab, in one query (with the search applied when there is one)."""
    filtres = _onglet_filtres(user)
    dossiers = Dossier.objects.filter(Q(user=user) | filtres["invites"])
    if recherche.strip():
        dossiers = dossiers.filter(_recherche(recherche))
    counts = dossiers.aggregate(**{key.replace("-", "_"): Count("pk", filter=q) for key, q in filtres.items()})
    return {key: counts[key.replace("-", "_")] for key in filtres}


def invitations_du_dossier(dossier: Dossier):
    return Invitation.objects.filter(dossier=dossier).select_related("user").order_by("created_at", "id")


def invitation_du_dossier(dossier: Dossier, invitation_pk: int) -> Invitation:
    return get_object_or_404(Invitation, pk=invitation_pk, dossier=dossier)


def procedure_par_adresse(*, path: str) -> Procedure:
    """The démarche behind /commencer/<path>: published, closed or unpublished (never one still en test)."""
    return get_object_or_404(
        Procedure.objects.select_related("service").exclude(state=Procedure.State.BROUILLON),
        path=path,
    )


def procedure_par_lien_de_test(*, test_token) -> Procedure:
    return get_object_or_404(Procedure.objects.select_related("service"), test_token=test_token)


def dossiers_sur_la_procedure(*, user, procedure: Procedure, preview: bool) -> dict:
    """The usager's latest brouillon and latest deposited dossier on a démarche (for « Commencer »)."""
    if not user.is_authenticated:
        return {"brouillon": None, "depose": None}
    dossiers = Dossier.objects.filter(
        user=user, procedure=procedure, for_procedure_preview=preview, hidden_by_user_at__isnull=True,
        editing_fork_origin__isnull=True,
    ).order_by(
        "-updated_at", "-pk"
    )
    return {
        "brouillon": dossiers.filter(state=S.BROUILLON).first(),
        "depose": dossiers.exclude(state=S.BROUILLON).first(),
    }


def champs_du_dossier(dossier: Dossier) -> list[tuple]:
    """(type de champ, champ or None) for every public field of the dossier's revision, in form order."""
    types = list(dossier.revision.public_types_de_champ())
    champs = {
        champ.stable_id: champ
        for champ in dossier.champs.filter(row_id="").prefetch_related(
            Prefetch("pieces", queryset=PieceJointe.objects.order_by("created_at", "id"))
        )
    }
    return [(tdc, champs.get(tdc.stable_id)) for tdc in types]


def champ_du_dossier(dossier: Dossier, stable_id: int) -> Champ | None:
    pieces = Prefetch("pieces", queryset=PieceJointe.objects.order_by("created_at", "id"))
    return Champ.objects.filter(dossier=dossier, stable_id=stable_id, row_id="").prefetch_related(pieces).first()


def type_de_champ_public(dossier: Dossier, stable_id: int):
    return get_object_or_404(dossier.revision.public_types_de_champ(), stable_id=stable_id)


def piece_du_dossier(dossier: Dossier, piece_pk: int) -> PieceJointe:
    return get_object_or_404(PieceJointe.objects.select_related("champ"), pk=piece_pk, champ__dossier=dossier)


def commentaires_du_dossier(dossier: Dossier):
    return Commentaire.objects.filter(dossier=dossier).order_by("created_at", "id")


def commentaire_du_dossier(dossier: Dossier, commentaire_pk: int) -> Commentaire:
    return get_object_or_404(Commentaire, pk=commentaire_pk, dossier=dossier)


def pieces_a_fournir(procedure: Procedure) -> list[str]:
    """The libellés of the pièces justificatives a new dossier asks for (« Quelle est la durée de remplissage ? »)."""
    revision = procedure.active_revision
    if revision is None:
        return []
    return list(
        revision.types_de_champ.filter(type_champ="piece_justificative", private=False)
        .order_by("position", "id")
        .values_list("libelle", flat=True)
    )
