"""The three documents, as PDF bytes: attestation, dossier, accusé de dépôt. No writes here."""

import posixpath
import re

from django.utils import timezone

from demarches.dossiers.models import Dossier, Traitement

from . import balises, contenu, renderers
from .models import AccuseDepot, AttestationKind, AttestationTemplate

BLANK_LINES = re.compile(r"\n\s*\n")


def _paragraphes(text: str) -> list[str]:
    return [p.strip() for p in BLANK_LINES.split((text or "").replace("\r\n", "\n")) if p.strip()]


def _service(procedure):
    return procedure.service if procedure.service_id else None


def _verification(code: str) -> dict:
    url = renderers.verification_url(code)
    return {"code": code, "verification_url": url, "qr_uri": renderers.qr_code(url)}


def attestation_pdf(
    *, template: AttestationTemplate, valeurs: dict, procedure, numero, decision_at, delivree_le, code: str,
    content_digest: str = "", apercu: bool = False, dossier_de_test: bool = False,
) -> bytes:
    context = {
        "title": balises.remplacer(template.title, valeurs),
        "paragraphes": _paragraphes(balises.remplacer(template.body, valeurs)),
        "footer": balises.remplacer(template.footer, valeurs),
        "logo_uri": renderers.image_data_uri(template.logo),
        "signature_uri": renderers.image_data_uri(template.signature),
        "kind": template.kind,
        "type_document": AttestationKind(template.kind).label.capitalize(),
        "procedure": procedure,
        "service": _service(procedure),
        "numero": numero,
        "decision_at": decision_at,
        "delivree_le": delivree_le,
        "content_digest": content_digest,
        "apercu": apercu,
        "dossier_de_test": dossier_de_test,
        "qr_code": template.qr_code,
        # Without the code QR the attestation prints no verification block (its code still works on the page).
        **(_verification(code) if template.qr_code else {}),
    }
    return renderers.pdf("documents/pdf/attestation.html", context)


def attestation_apercu_pdf(template: AttestationTemplate) -> bytes:
    """The administrateur's preview: the saved template filled with fictitious values, marked as such."""
    procedure = template.procedure
    now = timezone.now()
    return attestation_pdf(
        template=template, valeurs=balises.valeurs_exemple(procedure, template.kind), procedure=procedure,
        numero="123456", decision_at=now, delivree_le=now, code="APER-CUAP-ERCU-APER", apercu=True,
    )


def accuse_depot_pdf(accuse: AccuseDepot) -> bytes:
    dossier = accuse.dossier
    context = {
        "accuse": accuse,
        "dossier": dossier,
        "service": _service(dossier.procedure),
        "format_contenu": contenu.CONTENU_FORMAT,
        "dossier_de_test": dossier.for_procedure_preview,
        "calculee_au_depot": abs(accuse.created_at - accuse.depose_at) < timezone.timedelta(minutes=2),
        **_verification(accuse.code),
    }
    return renderers.pdf("documents/pdf/accuse_depot.html", context)


def dossier_pdf(dossier: Dossier, *, lecteur: str, avec_annotations: bool = False, avec_avis: bool = False) -> bytes:
    """The dossier as its reader may see it. lecteur: "usager", "instructeur" or "expert"; annotations,
    avis and the history of decisions are for instructeurs only."""
    from demarches.instruction.models import Avis

    instructeur = lecteur == "instructeur"
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "service": _service(dossier.procedure),
        "lecteur": lecteur,
        "justificatif_nom": posixpath.basename(dossier.justificatif_motivation.name or ""),
        "lignes": contenu.lignes(dossier),
        "annotations": contenu.lignes(dossier, private=True) if instructeur and avec_annotations else None,
        "avis_list": (
            list(
                Avis.objects.filter(dossier=dossier)
                .select_related("expert__user", "claimant__user")
                .order_by("created_at", "id")
            )
            if instructeur and avec_avis
            else None
        ),
        "dossier_de_test": dossier.for_procedure_preview,
        "traitements": (
            list(Traitement.objects.filter(dossier=dossier).order_by("processed_at", "id")) if instructeur else None
        ),
    }
    return renderers.pdf("documents/pdf/dossier.html", context)
