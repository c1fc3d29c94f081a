"""« Modifier le dossier » while it is en construction, on a working copy.

The administration keeps seeing the deposited dossier unchanged while the usager (or a co-editor)
edits a working copy: a brouillon whose `editing_fork_origin` is the deposited dossier, holding a
copy of its public champs and attachments. « Déposer les modifications » (the owner) checks the
copy like a deposit, then, with the deposited dossier's row locked, replaces its public champs by
the copy's, records the event and tells the instructeurs who follow the dossier. As on the
reference platform, the deposit also routes the dossier again (its new answers may send it to
another groupe d'instructeurs, procedures/groupes.py `dossier_rerouter`) and resolves the pending
« demande de correction », if any: the usager's banner goes away and the instructeurs read
« correction effectuée ». « Abandonner les modifications » deletes the copy. The private
annotations of the administration are never touched.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from demarches.audit.services import operation_enregistrer
from demarches.procedures.ineligibilite import motif_du_dossier

from . import notifications, policies
from .models import Champ, CorrectionDemande, Dossier, PieceJointe

S = Dossier.State
IDENTITE_FIELDS = ("civilite", "nom", "prenom", "date_naissance", "siret", "etablissement")


class Operation:
    MODIFICATION_COMMENCER = "dossier_modification_commencer"
    MODIFICATIONS_DEPOSER = "dossier_modifications_deposer"
    MODIFICATIONS_ABANDONNER = "dossier_modifications_abandonner"
    CORRECTION_EFFECTUER = "correction_effectuer"


def champs_copier(source: Dossier, cible: Dossier, *, types: dict | None = None) -> None:
    """Copy the public champs of `source` (and their attachments' files) to `cible`.
    types: stable_id → TypeDeChamp of the target revision (answers to other champs are dropped)."""
    if types is None:
        types = {tdc.stable_id: tdc for tdc in cible.revision.types_de_champ.filter(private=False)}
    source_champs = (
        source.champs.filter(stable_id__in=types.keys(), type_de_champ__private=False)
        .prefetch_related("pieces")
        .order_by("pk")
    )
    for champ in source_champs:
        nouveau = Champ.objects.create(
            dossier=cible, type_de_champ=types[champ.stable_id], stable_id=champ.stable_id, row_id=champ.row_id,
            value=champ.value, data=champ.data, prefilled=champ.prefilled,
        )
        for piece in champ.pieces.all():
            copie = PieceJointe(champ=nouveau, filename=piece.filename, content_type=piece.content_type, size=piece.size)
            with piece.file.open("rb") as handle:
                copie.file.save(piece.filename, ContentFile(handle.read()), save=False)
            copie.save()


def _locked(pk: int) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "user", "editing_fork_origin")
        .get(pk=pk)
    )


@transaction.atomic
def dossier_modification_commencer(*, dossier: Dossier, user) -> Dossier:
    """The working copy of the dossier (made on first use, shared by the owner and his co-editors)."""
    dossier = _locked(dossier.pk)
    if not policies.can_modifier(user, dossier):
        raise PermissionDenied("Ce dossier ne peut plus être modifié.")
    existing = Dossier.objects.filter(editing_fork_origin=dossier).order_by("pk").first()
    if existing is not None:
        return existing
    copie = Dossier.objects.create(
        procedure=dossier.procedure, revision=dossier.revision, user=dossier.user, state=S.BROUILLON,
        for_procedure_preview=dossier.for_procedure_preview, groupe_instructeur=dossier.groupe_instructeur,
        editing_fork_origin=dossier, last_champ_updated_at=dossier.last_champ_updated_at,
        **{name: getattr(dossier, name) for name in IDENTITE_FIELDS},
    )
    champs_copier(dossier, copie)
    operation_enregistrer(
        operation=Operation.MODIFICATION_COMMENCER, actor=user, dossier=dossier, data={"copie": copie.pk}
    )
    return copie


def _signature(champs) -> dict:
    """What the usager answered, champ by champ, to tell which ones changed."""
    return {
        (champ.stable_id, champ.row_id): (champ.value, champ.data, tuple(p.filename for p in champ.pieces.all()))
        for champ in champs
    }


def champs_modifies(origine: Dossier, copie: Dossier) -> list[str]:
    """The libellés of the champs (top level) whose answer differs between the copy and the dossier."""
    before = _signature(origine.champs.filter(type_de_champ__private=False).prefetch_related("pieces"))
    after = _signature(copie.champs.filter(type_de_champ__private=False).prefetch_related("pieces"))
    changed_ids = {key[0] for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    if not changed_ids:
        return []
    libelles = []
    for tdc in origine.revision.types_de_champ.filter(private=False, stable_id__in=changed_ids).select_related("parent"):
        label = tdc.parent.libelle if tdc.parent_id else tdc.libelle
        if label not in libelles:
            libelles.append(label)
    return libelles


@transaction.atomic
def dossier_modifications_deposer(*, copie: Dossier, user) -> list:
    """Merge the working copy into the deposited dossier. Returns the champ errors (nothing merged), or []."""
    from .services import _champs_masques_vider, dossier_erreurs
    from .services_demandeur import identite_manquante

    copie = _locked(copie.pk)
    if not copie.is_editing_fork:
        raise PermissionDenied("Ce dossier n'est pas une modification en cours.")
    origine = _locked(copie.editing_fork_origin_id)
    copie.editing_fork_origin = origine
    if origine.state != S.EN_CONSTRUCTION:
        raise ValidationError(
            "L'administration a commencé l'instruction de votre dossier : vos modifications ne peuvent plus être déposées."
        )
    if not policies.can_deposer_modifications(user, copie):
        raise PermissionDenied("Seul le propriétaire du dossier peut déposer les modifications.")
    manque = identite_manquante(copie)
    if manque:
        raise ValidationError(manque)
    motif = motif_du_dossier(copie)
    if motif:
        raise ValidationError(motif)
    errors = dossier_erreurs(copie)
    if errors:
        return errors
    _champs_masques_vider(copie)
    libelles = champs_modifies(origine, copie)
    identite_changee = any(getattr(origine, name) != getattr(copie, name) for name in IDENTITE_FIELDS)
    now = timezone.now()
    if libelles or identite_changee:
        reponse_de_routage = _reponse_de_routage(origine)
        anciens = Champ.objects.filter(dossier=origine, type_de_champ__private=False)
        files = [piece.file for piece in PieceJointe.objects.filter(champ__in=anciens)]
        anciens.delete()
        Champ.objects.filter(dossier=copie).update(dossier=origine)
        for name in IDENTITE_FIELDS:
            setattr(origine, name, getattr(copie, name))
        origine.last_champ_updated_at = now
        origine.save(update_fields=[*IDENTITE_FIELDS, "last_champ_updated_at", "updated_at"])

        def delete_files():
            for file in files:
                file.delete(save=False)

        transaction.on_commit(delete_files)
        operation_enregistrer(
            operation=Operation.MODIFICATIONS_DEPOSER, actor=user, dossier=origine,
            data={"champs": libelles, "identite": identite_changee},
        )
        from demarches.procedures.groupes import dossier_rerouter

        rerouted = None
        if _reponse_de_routage(origine) != reponse_de_routage:
            rerouted = dossier_rerouter(dossier=origine, user=user)
        if rerouted is None:
            notifications.modifications_aux_instructeurs(origine, libelles)
        # else: the instructeurs of the new groupe were told as for a new dossier.
    correction_resoudre(dossier=origine, user=user, now=now)
    _copie_supprimer(copie)
    return []


def _reponse_de_routage(dossier: Dossier) -> str | None:
    """The answer to the démarche's routing champ (None without routing)."""
    stable_id = dossier.procedure.routing_stable_id
    if stable_id is None:
        return None
    champ = Champ.objects.filter(dossier=dossier, stable_id=stable_id, row_id="").only("value").first()
    return champ.value if champ is not None else ""


def correction_resoudre(*, dossier: Dossier, user, now=None) -> CorrectionDemande | None:
    """The pending « demande de correction » of a dossier whose modifications were just deposited:
    marked done (the usager's banner goes away, the instructeurs read « correction effectuée »).
    Call it inside the deposit's transaction, the dossier's row locked. Returns it, or None."""
    correction = CorrectionDemande.objects.select_for_update().filter(dossier=dossier, resolved_at__isnull=True).first()
    if correction is None:
        return None
    correction.resolved_at = now or timezone.now()
    correction.save(update_fields=["resolved_at"])
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=correction.resolved_at)
    operation_enregistrer(
        operation=Operation.CORRECTION_EFFECTUER, actor=user, dossier=dossier,
        data={"correction": correction.pk, "par": "modifications_deposees"},
    )
    return correction


def _copie_supprimer(copie: Dossier) -> None:
    files = [piece.file for piece in PieceJointe.objects.filter(champ__dossier=copie)]
    copie.delete()

    def delete_files():
        for file in files:
            file.delete(save=False)

    transaction.on_commit(delete_files)


@transaction.atomic
def dossier_modifications_abandonner(*, copie: Dossier, user) -> Dossier:
    """« Abandonner les modifications »: the deposited dossier stays as it was."""
    copie = _locked(copie.pk)
    if not copie.is_editing_fork or not policies._owner_or_invitee(user, copie):
        raise PermissionDenied("Vous ne pouvez pas abandonner ces modifications.")
    origine = copie.editing_fork_origin
    _copie_supprimer(copie)
    operation_enregistrer(operation=Operation.MODIFICATIONS_ABANDONNER, actor=user, dossier=origine)
    return origine
