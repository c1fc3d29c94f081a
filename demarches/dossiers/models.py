from django.conf import settings
from django.db import models

from demarches.fields.registry import StoredValue


class Dossier(models.Model):
    class State(models.TextChoices):
        BROUILLON = "brouillon", "brouillon"
        EN_CONSTRUCTION = "en_construction", "en construction"
        EN_INSTRUCTION = "en_instruction", "en instruction"
        ACCEPTE = "accepte", "accepté"
        REFUSE = "refuse", "refusé"
        SANS_SUITE = "sans_suite", "classé sans suite"

    TERMINE = (State.ACCEPTE, State.REFUSE, State.SANS_SUITE)

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.PROTECT, related_name="dossiers")
    revision = models.ForeignKey("procedures.ProcedureRevision", on_delete=models.PROTECT, related_name="dossiers")
    # Empty only for a draft prefilled through the public API and not yet claimed (see prefill.py).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="dossiers"
    )
    groupe_instructeur = models.ForeignKey(
        "procedures.GroupeInstructeur", on_delete=models.PROTECT, null=True, blank=True, related_name="dossiers"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.BROUILLON)
    for_procedure_preview = models.BooleanField(default=False)

    civilite = models.CharField("civilité", max_length=4, blank=True, choices=[("M.", "M."), ("Mme", "Mme")])
    nom = models.CharField(max_length=255, blank=True)
    prenom = models.CharField("prénom", max_length=255, blank=True)
    # Asked only when the démarche asks for it (Procedure.demander_date_naissance).
    date_naissance = models.DateField("date de naissance", null=True, blank=True)
    # Personne morale: the SIRET given at the identity step and what the company registry said about it:
    # {"etat": "ok", "etablissement": {...}} or {"etat": "indisponible", "tente_le": ...} (degraded mode).
    siret = models.CharField("SIRET", max_length=14, blank=True)
    etablissement = models.JSONField("établissement", null=True, blank=True)
    # « Modifier le dossier » while en construction: the usager edits a working copy (a brouillon pointing to
    # the deposited dossier); « Déposer les modifications » merges it back. See services_modification.py.
    editing_fork_origin = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="editing_forks"
    )

    motivation = models.TextField(blank=True)
    justificatif_motivation = models.FileField(upload_to="justificatifs/%Y/%m/", blank=True)
    archived = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    depose_at = models.DateTimeField(null=True, blank=True)
    en_construction_at = models.DateTimeField(null=True, blank=True)
    en_instruction_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    last_champ_updated_at = models.DateTimeField(null=True, blank=True)
    last_commentaire_at = models.DateTimeField(null=True, blank=True)
    expire_at = models.DateTimeField(null=True, blank=True)
    # Set when the usager puts the dossier in his corbeille; cleared by « Restaurer ».
    hidden_by_user_at = models.DateTimeField(null=True, blank=True)
    # The « bientôt supprimé » e-mail was sent for the current expire_at (cleared by « Conserver plus longtemps »).
    expiration_notice_sent_at = models.DateTimeField(null=True, blank=True)
    # Prefilled through the public API: created without owner; the usager holding the link carrying
    # prefill_token claims it (prefill.dossier_prerempli_reclamer). Unclaimed ones are purged.
    prefilled = models.BooleanField("prérempli", default=False)
    prefill_token = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["groupe_instructeur", "archived", "state", "-updated_at"], name="dossier_dashboard_idx"),
            models.Index(fields=["expire_at"], name="dossier_expire_at_idx"),
            models.Index(fields=["procedure", "depose_at", "id"], name="dossier_api_depot_idx"),
            models.Index(fields=["procedure", "updated_at", "id"], name="dossier_api_maj_idx"),
            models.Index(fields=["user", "state"], name="dossier_user_state_idx"),
            models.Index(fields=["procedure", "state"], name="dossier_procedure_state_idx"),
            models.Index(fields=["prefilled", "updated_at"], name="dossier_prefill_purge_idx"),
        ]

    def __str__(self):
        return f"Dossier n° {self.pk}"

    @property
    def is_hidden_by_user(self):
        return self.hidden_by_user_at is not None

    @property
    def is_termine(self):
        return self.state in self.TERMINE

    @property
    def is_editing_fork(self):
        return self.editing_fork_origin_id is not None

    @property
    def etablissement_data(self) -> dict | None:
        """The établissement's details (raison sociale, adresse, NAF…) when the registry answered."""
        if isinstance(self.etablissement, dict) and self.etablissement.get("etat") == "ok":
            return self.etablissement.get("etablissement")
        return None

    @property
    def etablissement_indisponible(self) -> bool:
        return bool(self.siret) and isinstance(self.etablissement, dict) and self.etablissement.get("etat") == "indisponible"

    @property
    def expiration_depuis(self) -> str:
        """What the expiry date counts from, when it is still the démarche's retention period after it:
        "depot" (en construction), "decision" (terminé), "" (extended with « Conserver plus longtemps », or none)."""
        if self.expire_at is None:
            return ""
        debut = {self.State.EN_CONSTRUCTION: self.depose_at}.get(self.state)
        if self.state in self.TERMINE:
            debut = self.processed_at
        if debut is None:
            return ""
        from datetime import timedelta

        attendu = debut + timedelta(days=30 * self.procedure.duree_conservation_dossiers)
        if abs(attendu - self.expire_at) > timedelta(days=1):
            return ""
        return "decision" if self.state in self.TERMINE else "depot"

    @property
    def demandeur(self):
        etablissement = self.etablissement_data
        if etablissement and etablissement.get("raison_sociale"):
            return etablissement["raison_sociale"]
        if self.siret:
            return f"SIRET {self.siret}"
        full = " ".join(p for p in (self.prenom, self.nom) if p)
        return full or self.user.email


class Champ(models.Model):
    """The value of one field of one dossier (one row per row of a repetition block)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="champs")
    type_de_champ = models.ForeignKey("procedures.TypeDeChamp", on_delete=models.PROTECT, related_name="+")
    stable_id = models.PositiveIntegerField()
    row_id = models.CharField(max_length=36, blank=True, default="")
    value = models.TextField(blank=True, default="")
    data = models.JSONField(null=True, blank=True)
    # The value came from a prefill (link or public API, see prefill.py); exposed by the API (Champ.prefilled).
    prefilled = models.BooleanField("prérempli", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "stable_id", "row_id"], name="unique_champ_per_dossier_row")
        ]

    @property
    def stored(self) -> StoredValue:
        return StoredValue(value=self.value, data=self.data)


def piece_upload_to(instance, filename):
    return f"dossiers/{instance.champ.dossier_id}/{instance.champ.stable_id}/{filename}"


class PieceJointe(models.Model):
    champ = models.ForeignKey(Champ, on_delete=models.CASCADE, related_name="pieces")
    file = models.FileField(upload_to=piece_upload_to, max_length=500)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Traitement(models.Model):
    """One row per state change: who, when, and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="traitements")
    state = models.CharField(max_length=20, choices=Dossier.State.choices)
    processed_at = models.DateTimeField()
    instructeur_email = models.CharField(max_length=254, blank=True)
    motivation = models.TextField(blank=True)

    class Meta:
        ordering = ["processed_at", "id"]


class Commentaire(models.Model):
    """A message of the messagerie; automatic e-mails are copied here too."""

    AUTOMATIC_SENDER = "Email automatique"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="commentaires")
    email = models.CharField("expéditeur", max_length=254)
    instructeur = models.ForeignKey("accounts.Instructeur", on_delete=models.SET_NULL, null=True, blank=True)
    body = models.TextField("message")
    piece_jointe = models.FileField(upload_to="messagerie/%Y/%m/", blank=True, max_length=500)
    piece_jointe_filename = models.CharField(max_length=255, blank=True)
    is_automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set when its author deleted it (« Supprimer le message »): the body reads « Message supprimé ».
    discarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def sender_label(self):
        if self.is_automatic:
            return self.AUTOMATIC_SENDER
        return self.email


class Follow(models.Model):
    instructeur = models.ForeignKey("accounts.Instructeur", on_delete=models.CASCADE, related_name="follows")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)
    demande_seen_at = models.DateTimeField(null=True, blank=True)
    messagerie_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instructeur", "dossier"], name="unique_follow")]


class Invitation(models.Model):
    """A co-editor invited by the owner: may fill the form and upload, never deposit.

    Matched to an account by e-mail until the invitee opens it; `user` is then set.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse électronique")
    message = models.TextField(blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations_dossiers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "email"], name="unique_invitation_per_dossier")]
        indexes = [models.Index(fields=["email"], name="invitation_email_idx")]

    def __str__(self):
        return f"Invitation de {self.email} sur le dossier n° {self.dossier_id}"

    @staticmethod
    def validite():
        """How long an invitation not yet opened stays valid (settings.INVITATION_DOSSIER_VALIDITE_JOURS,
        30 days by default). Once opened by the invitee, it no longer expires."""
        from datetime import timedelta

        return timedelta(days=getattr(settings, "INVITATION_DOSSIER_VALIDITE_JOURS", 30))

    @property
    def expire_at(self):
        return self.created_at + self.validite()

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.user_id is None and self.expire_at <= timezone.now()


class CorrectionDemande(models.Model):
    """« Demander une correction »: the instructeur sends the dossier back to the usager with a reason.

    At most one pending correction per dossier; resolved when the usager says he made it (or when
    the dossier goes back en instruction).
    """

    class Reason(models.TextChoices):
        INCOMPLETE = "incomplete", "dossier incomplet"
        INCORRECT = "incorrect", "dossier incorrect"
        OUTDATED = "outdated", "pièce ou information périmée"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="corrections")
    reason = models.CharField("motif", max_length=20, choices=Reason.choices, default=Reason.INCORRECT)
    commentaire = models.OneToOneField(Commentaire, on_delete=models.CASCADE, related_name="correction")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(resolved_at__isnull=True), name="one_pending_correction_per_dossier"
            )
        ]

    @property
    def is_pending(self) -> bool:
        return self.resolved_at is None


class DossierSupprime(models.Model):
    """What remains of a dossier deleted for good (corbeille purge, expiry, closed account): a trace
    for the administration, without any personal data."""

    class Reason(models.TextChoices):
        CORBEILLE = "corbeille", "supprimé par l'usager"
        EXPIRATION = "expiration", "expiré"
        COMPTE_SUPPRIME = "compte_supprime", "compte de l'usager supprimé"
        PREREMPLI_ABANDONNE = "prerempli", "dossier prérempli jamais repris"

    dossier_number = models.PositiveBigIntegerField("numéro du dossier", db_index=True)
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="dossiers_supprimes")
    # The dossier's groupe when it was deleted. Empty for traces written before it was kept (migration
    # 0011) or whose groupe was deleted since: those are listed only under the démarche.
    groupe_instructeur = models.ForeignKey(
        "procedures.GroupeInstructeur", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="dossiers_supprimes",
    )
    state = models.CharField(max_length=20, choices=Dossier.State.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        verbose_name = "dossier supprimé"
        verbose_name_plural = "dossiers supprimés"

    def __str__(self):
        return f"Dossier n° {self.dossier_number} ({self.get_reason_display()})"
