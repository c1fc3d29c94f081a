from django.db import models


class Avis(models.Model):
    """An external opinion an instructeur asks an expert to give on a dossier."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="avis")
    expert = models.ForeignKey("accounts.Expert", on_delete=models.CASCADE, related_name="avis")
    claimant = models.ForeignKey(
        "accounts.Instructeur", on_delete=models.SET_NULL, null=True, blank=True, related_name="avis_demandes",
        verbose_name="demandé par",
    )
    introduction = models.TextField("message à l'expert")
    introduction_file = models.FileField(
        "pièce jointe à la demande", upload_to="avis/demandes/%Y/%m/", max_length=500, blank=True
    )
    question_label = models.CharField("question (réponse oui/non)", max_length=500, blank=True)
    confidentiel = models.BooleanField(
        "confidentiel", default=False, help_text="Visible des seuls instructeurs, jamais des autres experts."
    )
    answer = models.TextField("avis", blank=True)
    question_answer = models.BooleanField("réponse à la question", null=True, blank=True)
    piece_justificative = models.FileField("pièce jointe à l'avis", upload_to="avis/reponses/%Y/%m/", max_length=500, blank=True)
    answered_at = models.DateTimeField("donné le", null=True, blank=True)
    reminded_at = models.DateTimeField("relancé le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The expert's two lists ("à donner", "donnés"), newest first.
            models.Index(fields=["expert", "answered_at", "-created_at"], name="avis_expert_list_idx"),
        ]

    def __str__(self):
        return f"Avis n° {self.pk} sur le dossier n° {self.dossier_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_pending(self) -> bool:
        return self.answered_at is None and self.revoked_at is None


class Label(models.Model):
    """A coloured label of a démarche that its instructeurs put on dossiers ("À relancer", "Urgent"…)."""

    class Color(models.TextChoices):
        # DSFR illustrative colours (fr-badge--<colour>).
        PURPLE_GLYCINE = "purple-glycine", "violet glycine"
        PINK_TUILE = "pink-tuile", "rose tuile"
        GREEN_EMERAUDE = "green-emeraude", "vert émeraude"
        BLUE_ECUME = "blue-ecume", "bleu écume"
        ORANGE_TERRE_BATTUE = "orange-terre-battue", "orange terre battue"
        YELLOW_TOURNESOL = "yellow-tournesol", "jaune tournesol"
        GREEN_MENTHE = "green-menthe", "vert menthe"
        BLUE_CUMULUS = "blue-cumulus", "bleu cumulus"
        PINK_MACARON = "pink-macaron", "rose macaron"
        BROWN_CAFE_CREME = "brown-cafe-creme", "brun café crème"
        BEIGE_GRIS_GALET = "beige-gris-galet", "beige gris galet"

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="labels")
    name = models.CharField("nom", max_length=50)
    color = models.CharField("couleur", max_length=30, choices=Color.choices, default=Color.BLUE_ECUME)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["procedure", "name"], name="unique_label_per_procedure")]

    def __str__(self):
        return self.name


class DossierLabel(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="dossier_labels")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="dossier_labels")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label_id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "label"], name="unique_label_per_dossier")]
        indexes = [
            # The dashboard filter ?label=<id>: the dossiers carrying one label.
            models.Index(fields=["label", "dossier"], name="dossier_label_filter_idx"),
        ]
