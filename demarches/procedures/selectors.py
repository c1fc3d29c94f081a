"""Reads for the administrateur's screens, with their queryset shape fixed once."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from . import policies
from .models import GroupeInstructeur, InstructeurInvitation, Procedure, ProcedureRevision, Service, TypeDeChamp

# Tabs of "Mes démarches": a dépubliée démarche no longer accepts new users, it is listed with the closed ones.
ONGLETS = (
    ("en-test", "En test", (Procedure.State.BROUILLON,)),
    ("publiees", "Publiées", (Procedure.State.PUBLIEE,)),
    ("closes", "Closes", (Procedure.State.CLOSE, Procedure.State.DEPUBLIEE)),
)


def procedures_par_onglet(administrateur) -> list[dict]:
    """The administrateur's démarches grouped as on the dashboard, each with its dossier count."""
    procedures = (
        Procedure.objects.filter(administrateurs=administrateur)
        .select_related("service")
        .annotate(nb_dossiers=Count("dossiers", filter=Q(dossiers__for_procedure_preview=False), distinct=True))
        .order_by("-updated_at", "-id")
    )
    by_state: dict[str, list[Procedure]] = {}
    for procedure in procedures:
        by_state.setdefault(procedure.state, []).append(procedure)
    return [
        {"key": key, "label": label, "procedures": [p for state in states for p in by_state.get(state, [])]}
        for key, label, states in ONGLETS
    ]


def procedure_administree(user, procedure_id: int) -> Procedure:
    """The démarche, if the user administers it; 404 otherwise (its existence is not disclosed)."""
    procedure = (
        Procedure.objects.select_related("service", "draft_revision", "published_revision").filter(pk=procedure_id).first()
    )
    if procedure is None or not policies.can_administer(user, procedure):
        raise Http404("Démarche introuvable.")
    return procedure


def services_utilisables(administrateur):
    """Services the administrateur may attach to a démarche: his own and those of démarches he co-administers."""
    return (
        Service.objects.filter(Q(administrateur=administrateur) | Q(procedures__administrateurs=administrateur))
        .distinct()
        .order_by("nom", "id")
    )


def service_administre(user, service_id: int) -> Service:
    service = Service.objects.filter(pk=service_id).first()
    if service is None or not policies.can_use_service(user, service):
        raise Http404("Service introuvable.")
    return service


def champs_du_brouillon(procedure: Procedure) -> list[TypeDeChamp]:
    """Public champs of the draft revision, in order (children of repetition blocks attached)."""
    return list(
        procedure.draft_revision.types_de_champ.filter(private=False, parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=TypeDeChamp.objects.order_by("position", "id")))
        .order_by("position", "id")
    )


def _schema(revision: ProcedureRevision | None) -> list[tuple]:
    if revision is None:
        return []
    return [
        (t.stable_id, t.type_champ, t.libelle, t.description, t.mandatory, t.private, t.position, t.options, t.parent and t.parent.stable_id)
        for t in revision.types_de_champ.select_related("parent").order_by("private", "parent_id", "position", "id")
    ]


def brouillon_modifie(procedure: Procedure) -> bool:
    """True when the draft differs from the published revision (there is something to publish)."""
    if procedure.published_revision_id is None:
        return True
    return _schema(procedure.draft_revision) != _schema(procedure.published_revision)


def groupe_par_defaut(procedure: Procedure) -> GroupeInstructeur:
    return procedure.default_groupe


def instructeurs_du_groupe(groupe: GroupeInstructeur):
    return groupe.instructeurs.select_related("user").order_by("user__email")


def invitations_en_attente(groupe: GroupeInstructeur):
    return InstructeurInvitation.objects.filter(groupe=groupe, accepted_at__isnull=True).order_by("email")


def invitation_en_attente(procedure: Procedure, invitation_id: int) -> InstructeurInvitation:
    invitation = InstructeurInvitation.objects.filter(
        pk=invitation_id, groupe__procedure=procedure, accepted_at__isnull=True
    ).first()
    if invitation is None:
        raise Http404("Invitation introuvable.")
    return invitation


def instructeur_du_groupe(groupe: GroupeInstructeur, instructeur_id: int):
    instructeur = groupe.instructeurs.select_related("user").filter(pk=instructeur_id).first()
    if instructeur is None:
        raise Http404("Instructeur introuvable.")
    return instructeur


def type_de_champ_du_brouillon(procedure: Procedure, stable_id: int) -> TypeDeChamp:
    tdc = procedure.draft_revision.types_de_champ.filter(stable_id=stable_id).first()
    if tdc is None:
        raise Http404("Champ introuvable.")
    return tdc
