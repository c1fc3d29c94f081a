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
    answer = models.TextField("avis", blank=True)
    answered_at = models.DateTimeField("donné le", null=True, blank=True)
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
