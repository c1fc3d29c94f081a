"""Reads of the documents app: templates, the attestation in force, a document by its code."""

from demarches.dossiers.models import Dossier

from . import balises
from .models import AccuseDepot, Attestation, AttestationKind, AttestationTemplate, code_normaliser

KIND_BY_STATE = {Dossier.State.ACCEPTE: AttestationKind.ACCEPTATION, Dossier.State.REFUSE: AttestationKind.REFUS}


def attestation_modele(procedure, kind: str) -> AttestationTemplate:
    """The démarche's template of this kind, or an unsaved one with the default wording."""
    template = AttestationTemplate.objects.filter(procedure=procedure, kind=kind).first()
    if template is None:
        template = AttestationTemplate(procedure=procedure, kind=kind, activated=False, **balises.DEFAULTS[kind])
    return template


def attestation_modele_actif(dossier: Dossier) -> AttestationTemplate | None:
    """The activated template matching the dossier's decision, if the dossier is accepted or refused."""
    kind = KIND_BY_STATE.get(dossier.state)
    if kind is None:
        return None
    return AttestationTemplate.objects.filter(procedure_id=dossier.procedure_id, kind=kind, activated=True).first()


def attestation_correspond(attestation: Attestation, dossier: Dossier) -> bool:
    return attestation.kind == KIND_BY_STATE.get(dossier.state) and attestation.decision_at == dossier.processed_at


def attestation_en_vigueur(dossier: Dossier) -> Attestation | None:
    """The attestation of the dossier's current decision, if it was delivered."""
    if dossier.state not in KIND_BY_STATE:
        return None
    attestation = Attestation.objects.filter(dossier=dossier, revoked_at__isnull=True).first()
    return attestation if attestation is not None and attestation_correspond(attestation, dossier) else None


def attestation_disponible(dossier: Dossier) -> bool:
    """Whether the dossier has an attestation to download (delivered, or due and made on demand)."""
    return attestation_en_vigueur(dossier) is not None or attestation_modele_actif(dossier) is not None


def document_par_code(code: str) -> Attestation | AccuseDepot | None:
    """The document carrying this verification code, attestations revoked or not."""
    code = code_normaliser(code)
    if not code:
        return None
    return (
        Attestation.objects.select_related("dossier").filter(code=code).first()
        or AccuseDepot.objects.select_related("dossier").filter(code=code).first()
    )


def dossier_complet(pk: int) -> Dossier | None:
    related = ("procedure__service", "revision", "user", "groupe_instructeur")
    return Dossier.objects.select_related(*related).filter(pk=pk).first()
