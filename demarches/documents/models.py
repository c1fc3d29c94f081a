"""Documents delivered to usagers: attestations on decision and deposit receipts (accusés de dépôt).

Both carry a verification code, printed with a QR code (optional on attestations); the public page
/verifier/<code>/ confirms that the document was issued here and shows its key facts, never personal
data. The facts shown there are frozen on the row when the document is issued (démarche title,
service, dates, digests).
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

# Crockford-like alphabet without the characters people confuse when they type (0/O, 1/I/L, U).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 × log2(30) ≈ 78 bits: impossible to guess, short enough to type from paper


def code_generer() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_normaliser(text: str) -> str:
    """What a person typed or scanned, in the stored form (upper case, groups of four)."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH:
        return ""
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


class AttestationKind(models.TextChoices):
    ACCEPTATION = "acceptation", "attestation d'acceptation"
    REFUS = "refus", "attestation de refus"


def _logo_upload_to(instance, filename):
    return f"attestations/modeles/{instance.procedure_id}/{instance.kind}/logo-{filename}"


def _signature_upload_to(instance, filename):
    return f"attestations/modeles/{instance.procedure_id}/{instance.kind}/signature-{filename}"


class AttestationTemplate(models.Model):
    """The attestation an administrateur sets up for a démarche, one per kind (acceptation, refus).

    A démarche without a row uses the default wording (see balises.DEFAULTS); nothing is delivered
    until the administrateur activates the template.
    """

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="attestation_templates")
    kind = models.CharField("type d'attestation", max_length=12, choices=AttestationKind.choices)
    activated = models.BooleanField("attestation activée", default=False)
    title = models.CharField("titre", max_length=255)
    body = models.TextField("corps du document")
    footer = models.CharField("pied de page", max_length=190, blank=True)
    logo = models.FileField("logo", upload_to=_logo_upload_to, blank=True, max_length=500)
    signature = models.FileField("tampon ou signature", upload_to=_signature_upload_to, blank=True, max_length=500)
    # The code QR (with the address and the code of the verification page) printed at the bottom of the
    # attestation. Without it the attestation still gets a code: the verification page keeps answering for it.
    qr_code = models.BooleanField("code QR de vérification", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "modèle d'attestation"
        verbose_name_plural = "modèles d'attestation"
        constraints = [models.UniqueConstraint(fields=["procedure", "kind"], name="un_modele_attestation_par_type")]

    def __str__(self):
        return f"{self.get_kind_display()} de la démarche {self.procedure_id}"


class DocumentVerifiable(models.Model):
    """What every verifiable document keeps: its code, the facts shown on the verification page, its file."""

    code = models.CharField("code de vérification", max_length=19, unique=True, default=code_generer, editable=False)
    procedure_libelle = models.CharField("démarche", max_length=255)
    service_nom = models.CharField("service", max_length=255, blank=True)
    content_digest = models.CharField("empreinte SHA-256 du contenu du dossier", max_length=64)
    file_digest = models.CharField("empreinte SHA-256 du fichier", max_length=64, blank=True)
    created_at = models.DateTimeField("délivré le", default=timezone.now)

    class Meta:
        abstract = True


def _attestation_upload_to(instance, filename):
    return f"attestations/{instance.dossier_id}/{filename}"


class Attestation(DocumentVerifiable):
    """An attestation delivered on a decision. Re-examining the dossier revokes it (the row stays, for
    the verification page to say the document is no longer valid); a new decision delivers a new one."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="attestations")
    kind = models.CharField("type", max_length=12, choices=AttestationKind.choices)
    decision_at = models.DateTimeField("date de la décision")
    file = models.FileField(upload_to=_attestation_upload_to, blank=True, max_length=500)
    revoked_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "attestation"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(revoked_at__isnull=True), name="une_attestation_en_vigueur_par_dossier"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du dossier n° {self.dossier_id}"

    @property
    def type_document(self) -> str:
        return self.get_kind_display().capitalize()

    @property
    def filename(self) -> str:
        return f"attestation-{self.kind}-dossier-{self.dossier_id}.pdf"


def _accuse_upload_to(instance, filename):
    return f"accuses-de-depot/{instance.dossier_id}/{filename}"


class AccuseDepot(DocumentVerifiable):
    """The time-stamped proof of a deposit: when, which dossier, and the SHA-256 digest of what was
    deposited (see contenu.contenu_depose for the exact bytes). Recorded right after the deposit
    commits; its PDF is rendered the first time it is downloaded."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="accuse_depot")
    depose_at = models.DateTimeField("déposé le")
    demandeur = models.CharField("demandeur", max_length=520)
    file = models.FileField(upload_to=_accuse_upload_to, blank=True, max_length=500)

    class Meta:
        verbose_name = "accusé de dépôt"
        verbose_name_plural = "accusés de dépôt"

    def __str__(self):
        return f"Accusé de dépôt du dossier n° {self.dossier_id}"

    type_document = "Accusé de dépôt"

    @property
    def filename(self) -> str:
        return f"accuse-de-depot-dossier-{self.dossier_id}.pdf"
