"""Reads on dossiers for the usager pages: the queryset shapes are fixed here, once."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from demarches.procedures.models import Procedure

from .models import Champ, Commentaire, Dossier, PieceJointe

S = Dossier.State
EN_COURS = (S.BROUILLON, S.EN_CONSTRUCTION, S.EN_INSTRUCTION)
TRAITES = Dossier.TERMINE
ONGLETS = {"en-cours": EN_COURS, "traites": TRAITES}


def dossier_de_l_usager(*, pk: int) -> Dossier:
    """One dossier with what every usager page shows (démarche, service, revision, owner)."""
    return get_object_or_404(
        Dossier.objects.select_related("procedure__service", "revision", "user"),
        pk=pk,
    )


def dossiers_de_l_usager(*, user, onglet: str):
    """The rows of « Mes dossiers » for one tab (served by the (user, state) index)."""
    return (
        Dossier.objects.filter(user=user, state__in=ONGLETS[onglet])
        .select_related("procedure")
        .order_by("-updated_at", "-pk")
    )


def compteurs_de_l_usager(*, user) -> dict[str, int]:
    counts = Dossier.objects.filter(user=user).aggregate(
        en_cours=Count("pk", filter=Q(state__in=EN_COURS)),
        traites=Count("pk", filter=Q(state__in=TRAITES)),
    )
    return {"en-cours": counts["en_cours"], "traites": counts["traites"]}


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
    dossiers = Dossier.objects.filter(user=user, procedure=procedure, for_procedure_preview=preview).order_by(
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
