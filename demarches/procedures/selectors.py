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


def dossier_pour_apercu(procedure: Procedure, user, numero: int):
    """The dossier of this démarche whose values the administrateur may see in an e-mail preview: a test
    dossier, or a dossier he instructs. None otherwise."""
    from demarches.dossiers.models import Dossier
    from demarches.dossiers.policies import can_view_as_instructeur

    dossier = Dossier.objects.select_related("procedure__service", "groupe_instructeur").filter(
        pk=numero, procedure=procedure
    ).first()
    if dossier is None:
        return None
    return dossier if dossier.for_procedure_preview or can_view_as_instructeur(user, dossier) else None


def procedures_par_onglet(administrateur) -> list[dict]:
    """The administrateur's démarches grouped as on the dashboard, each with its dossier count."""
    procedures = (
        Procedure.objects.filter(administrateurs=administrateur, hidden_at__isnull=True)
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
        Procedure.objects.select_related("service", "draft_revision", "published_revision")
        .filter(pk=procedure_id, hidden_at__isnull=True).first()
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


# What each attribute of a champ is called in the summary of changes.
_ATTRIBUTS_COMPARES = (
    ("libelle", "libellé"),
    ("type_champ", "type"),
    ("description", "description"),
    ("mandatory", "caractère obligatoire"),
    ("options", "options"),
)


def _definitions(revision: ProcedureRevision) -> dict[int, dict]:
    result = {}
    for tdc in revision.types_de_champ.select_related("parent").order_by("private", "parent_id", "position", "id"):
        result[tdc.stable_id] = {
            "libelle": tdc.libelle, "type_champ": tdc.type_champ, "description": tdc.description,
            "mandatory": tdc.mandatory, "options": tdc.options, "position": tdc.position, "private": tdc.private,
            "parent": tdc.parent.stable_id if tdc.parent_id else None,
            "parent_libelle": tdc.parent.libelle if tdc.parent_id else "",
        }
    return result


def _rangs(definitions: dict[int, dict], communs: set[int]) -> dict[int, tuple]:
    """Rank of each champ among its siblings present in both revisions: adding or removing a champ
    does not count as moving the others."""
    groupes: dict[tuple, list] = {}
    for stable_id, d in definitions.items():
        if stable_id in communs:
            groupes.setdefault((d["private"], d["parent"]), []).append((d["position"], stable_id))
    return {
        stable_id: (groupe, rang)
        for groupe, items in groupes.items()
        for rang, (_, stable_id) in enumerate(sorted(items))
    }


def revision_changements(procedure: Procedure) -> list[dict]:
    """Champs and annotations added, removed or modified in the draft since the published revision,
    matched by stable_id; each change says what it is in the administrateur's words."""
    if procedure.published_revision_id is None:
        return []
    avant = _definitions(procedure.published_revision)
    apres = _definitions(procedure.draft_revision)
    changements = []
    communs = set(avant) & set(apres)
    rangs_avant, rangs_apres = _rangs(avant, communs), _rangs(apres, communs)

    def _item(action, stable_id, definition, details=()):
        return {
            "action": action, "stable_id": stable_id, "libelle": definition["libelle"],
            "private": definition["private"], "parent_libelle": definition["parent_libelle"], "details": list(details),
        }

    for stable_id, definition in apres.items():
        old = avant.get(stable_id)
        if old is None:
            changements.append(_item("ajout", stable_id, definition))
            continue
        details = []
        for attr, label in _ATTRIBUTS_COMPARES:
            if old[attr] == definition[attr]:
                continue
            if attr == "libelle":
                details.append(f"libellé : « {old['libelle']} » devient « {definition['libelle']} »")
            elif attr == "type_champ":
                details.append(f"type : {registry_label(old['type_champ'])} devient {registry_label(definition['type_champ'])}")
            elif attr == "mandatory":
                details.append("devient obligatoire" if definition["mandatory"] else "devient facultatif")
            else:
                details.append("description modifiée" if attr == "description" else f"{label} modifiées")
        if rangs_avant.get(stable_id) != rangs_apres.get(stable_id):
            details.append("déplacé dans le formulaire")
        if details:
            changements.append(_item("modification", stable_id, definition, details))
    for stable_id, definition in avant.items():
        if stable_id not in apres:
            changements.append(_item("suppression", stable_id, definition))
    order = {"ajout": 0, "modification": 1, "suppression": 2}
    return sorted(changements, key=lambda c: (c["private"], order[c["action"]]))


def registry_label(type_champ: str) -> str:
    from demarches.fields import registry

    try:
        return registry.get(type_champ).label
    except Exception:  # a type removed from the registry still has a name
        return type_champ


def dossiers_a_migrer(procedure: Procedure) -> int:
    """How many dossiers not yet terminated will move to the draft revision when it is published."""
    if procedure.published_revision_id is None:
        return 0
    return (
        procedure.dossiers.filter(state__in=("brouillon", "en_construction", "en_instruction"), for_procedure_preview=False)
        .count()
    )


def procedures_clonables(administrateur, recherche: str = "", limite: int = 50) -> dict:
    """The catalogue of "À partir d'une démarche existante": his own démarches, and every published
    démarche, filtered by words of the title, the service or the number."""
    base = Procedure.objects.filter(hidden_at__isnull=True).select_related("service").order_by("-updated_at", "-id")
    mes = base.filter(administrateurs=administrateur)
    publiees = base.filter(state=Procedure.State.PUBLIEE).exclude(administrateurs=administrateur)
    recherche = (recherche or "").strip()
    if recherche:
        filtre = Q()
        for mot in recherche.split():
            condition = Q(libelle__icontains=mot) | Q(service__nom__icontains=mot) | Q(service__organisme__icontains=mot)
            if mot.isdigit():
                condition |= Q(pk=int(mot))
            filtre &= condition
        mes, publiees = mes.filter(filtre), publiees.filter(filtre)
    return {"mes_procedures": list(mes[:limite]), "publiees": list(publiees[:limite])}


def procedure_clonable(user, procedure_id: int) -> Procedure:
    procedure = Procedure.objects.select_related("service", "draft_revision").filter(pk=procedure_id, hidden_at__isnull=True).first()
    if procedure is None or not policies.can_clone(user, procedure):
        raise Http404("Démarche introuvable.")
    return procedure
