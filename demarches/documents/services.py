"""Writes of the documents app: attestation templates, attestations, accusés de dépôt.

Delivering a document is idempotent: asking again for the same decision (or the same deposit)
returns the document already delivered. PDFs are rendered outside transactions (rendering takes a
tenth of a second); the row is written in a short transaction that checks nothing changed meanwhile.
"""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from demarches.audit.services import operation_enregistrer
from demarches.dossiers.models import Dossier
from demarches.procedures import policies as procedure_policies

from . import balises, contenu, pdfs, selectors
from .models import AccuseDepot, Attestation, AttestationKind, AttestationTemplate, code_generer

logger = logging.getLogger(__name__)

IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg"}


def _image_max_size() -> int:
    return getattr(settings, "ATTESTATION_IMAGE_MAX_SIZE", 1024 * 1024)


def image_verifier(uploaded, *, label: str) -> None:
    """A logo or a signature: PNG or JPEG, at most 1 MB (configurable), really an image."""
    maximum = _image_max_size()
    if uploaded.size > maximum:
        raise ValidationError(
            f"Le fichier du {label} est trop volumineux ({filesizeformat(uploaded.size)}) : "
            f"la taille maximale est de {filesizeformat(maximum)}."
        )
    try:
        with Image.open(uploaded) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            f"Le fichier du {label} n'est pas une image lisible : choisissez une image PNG ou JPEG."
        ) from None
    finally:
        uploaded.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(f"Le {label} doit être une image PNG ou JPEG.")


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _faits_demarche(procedure) -> dict:
    """The démarche as the document names it, frozen on the row for the verification page."""
    return {"procedure_libelle": procedure.libelle, "service_nom": procedure.service.nom if procedure.service_id else ""}


def _delete_after_commit(field_file) -> None:
    name, storage = field_file.name, field_file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- templates --------------------------------------------------------------------------------


@transaction.atomic
def attestation_modele_enregistrer(
    *, procedure, administrateur, kind: str, activated: bool, title: str, body: str, footer: str = "",
    logo=None, supprimer_logo: bool = False, signature=None, supprimer_signature: bool = False, qr_code: bool = True,
) -> AttestationTemplate:
    if not procedure_policies.can_administer(administrateur.user, procedure):
        raise PermissionDenied("Vous n'administrez pas cette démarche.")
    kind = AttestationKind(kind)
    title, body, footer = title.strip(), body.strip(), footer.strip()
    errors = {}
    if not title:
        errors["title"] = "Indiquez le titre de l'attestation."
    if not body:
        errors["body"] = "Rédigez le corps de l'attestation."
    for name, text in (("title", title), ("body", body), ("footer", footer)):
        unknown = balises.inconnues(text, procedure)
        if unknown and name not in errors:
            s = "s" if len(unknown) > 1 else ""
            errors[name] = (
                f"Balise{s} inconnue{s} : {', '.join(unknown)}. Copiez une des balises de la liste, sans la modifier."
            )
    for name, uploaded, label in (("logo", logo, "logo"), ("signature", signature, "tampon ou de la signature")):
        if uploaded is not None:
            try:
                image_verifier(uploaded, label=label)
            except ValidationError as error:
                errors[name] = error.messages[0]
    if errors:
        raise ValidationError(errors)

    template = AttestationTemplate.objects.select_for_update().filter(procedure=procedure, kind=kind).first()
    if template is None:
        template = AttestationTemplate(procedure=procedure, kind=kind)
    before = {"activated": template.activated, "title": template.title, "body": template.body, "footer": template.footer,
              "qr_code": template.qr_code}
    template.activated, template.title, template.body, template.footer = activated, title, body, footer
    template.qr_code = bool(qr_code)
    for attribute, uploaded, remove in (("logo", logo, supprimer_logo), ("signature", signature, supprimer_signature)):
        current = getattr(template, attribute)
        if (uploaded is not None or remove) and current:
            _delete_after_commit(current)
            setattr(template, attribute, "")
        if uploaded is not None:
            getattr(template, attribute).save(uploaded.name, uploaded, save=False)
    template.save()
    changes = [k for k, v in before.items() if getattr(template, k) != v]
    operation_enregistrer(
        operation="attestation_modele_modifier", actor=administrateur.user, procedure=procedure,
        data={"kind": kind.value, "activated": activated, "qr_code": template.qr_code, "changes": changes,
              "logo": bool(logo or supprimer_logo), "signature": bool(signature or supprimer_signature)},
    )
    return template


# --- attestations --------------------------------------------------------------------------------


def _revoquer(attestation: Attestation, *, now) -> None:
    attestation.revoked_at = now
    if attestation.file:
        _delete_after_commit(attestation.file)
        attestation.file = ""
    attestation.save(update_fields=["revoked_at", "file"])
    operation_enregistrer(
        operation="attestation_annuler", automatic=True, dossier=attestation.dossier,
        data={"code": attestation.code, "kind": attestation.kind},
    )


def attestation_generer(*, dossier_id: int) -> Attestation | None:
    """Deliver the attestation of the dossier's decision if the démarche has activated one.

    Idempotent: returns the attestation already delivered for this decision. Returns None when no
    attestation is due (no activated template, not accepted nor refused, decision undone meanwhile).
    """
    dossier = selectors.dossier_complet(dossier_id)
    if dossier is None:
        return None
    template = selectors.attestation_modele_actif(dossier)
    if template is None:
        return None
    existing = selectors.attestation_en_vigueur(dossier)
    if existing is not None:
        return existing
    code, now = code_generer(), timezone.now()
    content_digest = contenu.empreinte(dossier)
    content = pdfs.attestation_pdf(
        template=template, valeurs=balises.valeurs(dossier), procedure=dossier.procedure, numero=dossier.pk,
        decision_at=dossier.processed_at, delivree_le=now, code=code, content_digest=content_digest,
        dossier_de_test=dossier.for_procedure_preview,
    )
    attestation = Attestation(
        dossier_id=dossier.pk, kind=template.kind, decision_at=dossier.processed_at, code=code, created_at=now,
        content_digest=content_digest, file_digest=_sha256(content), **_faits_demarche(dossier.procedure),
    )
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if (locked.state, locked.processed_at) != (dossier.state, dossier.processed_at):
                return None  # the decision changed while we were rendering: the next job will deliver
            for stale in Attestation.objects.select_for_update().filter(dossier=locked, revoked_at__isnull=True):
                if selectors.attestation_correspond(stale, locked):
                    return stale
                _revoquer(stale, now=now)
            attestation.file.save(f"{code}.pdf", ContentFile(content), save=False)
            attestation.save()
            operation_enregistrer(
                operation="attestation_delivrer", automatic=True, dossier=locked,
                data={"code": code, "kind": template.kind, "file_digest": attestation.file_digest},
            )
    except IntegrityError:
        # Another job delivered it between our check and our write.
        if attestation.file:
            attestation.file.storage.delete(attestation.file.name)
        return selectors.attestation_en_vigueur(dossier)
    return attestation


@transaction.atomic
def attestation_annuler(*, dossier_id: int) -> int:
    """Revoke the attestation in force when the decision is undone (re-examination). Returns how many."""
    now = timezone.now()
    attestations = list(
        Attestation.objects.select_for_update().select_related("dossier").filter(dossier_id=dossier_id, revoked_at__isnull=True)
    )
    for attestation in attestations:
        _revoquer(attestation, now=now)
    return len(attestations)


def attestation_a_telecharger(dossier: Dossier) -> Attestation | None:
    """The attestation to hand out: the one delivered, or, if its job has not run yet, made now."""
    return selectors.attestation_en_vigueur(dossier) or attestation_generer(dossier_id=dossier.pk)


# --- accusés de dépôt ----------------------------------------------------------------------------


def accuse_depot_enregistrer(*, dossier_id: int) -> AccuseDepot | None:
    """Record the time-stamped proof of a deposit (digest of the deposited content). Idempotent."""
    existing = AccuseDepot.objects.filter(dossier_id=dossier_id).first()
    if existing is not None:
        return existing
    dossier = selectors.dossier_complet(dossier_id)
    if dossier is None or dossier.state == Dossier.State.BROUILLON:
        return None
    procedure = dossier.procedure
    try:
        with transaction.atomic():
            return AccuseDepot.objects.create(
                dossier=dossier, depose_at=dossier.depose_at or timezone.now(), demandeur=dossier.demandeur,
                content_digest=contenu.empreinte(dossier), **_faits_demarche(procedure),
            )
    except IntegrityError:
        return AccuseDepot.objects.get(dossier_id=dossier_id)


def accuse_depot_a_telecharger(dossier: Dossier) -> AccuseDepot | None:
    """The accusé de dépôt with its PDF, rendered and stored the first time it is asked for."""
    accuse = accuse_depot_enregistrer(dossier_id=dossier.pk)
    if accuse is None or accuse.file:
        return accuse
    accuse.dossier = dossier
    content = pdfs.accuse_depot_pdf(accuse)
    storage = accuse.file.storage
    name = storage.save(accuse.file.field.generate_filename(accuse, f"{accuse.code}.pdf"), ContentFile(content))
    updated = AccuseDepot.objects.filter(pk=accuse.pk, file="").update(file=name, file_digest=_sha256(content))
    if not updated:  # rendered concurrently: keep the first file
        storage.delete(name)
    accuse.refresh_from_db()
    return accuse
