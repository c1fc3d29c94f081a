from django.db import models


class OutgoingEmail(models.Model):
    """Every e-mail the platform sends: recorded first, delivered by a background job."""

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        SENT = "sent", "envoyé"
        FAILED = "failed", "en échec"

    to = models.EmailField("destinataire")
    subject = models.CharField("objet", max_length=500)
    body = models.TextField("texte")
    html_body = models.TextField("HTML", blank=True)
    kind = models.CharField("type", max_length=60, blank=True)
    dossier_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "e-mail envoyé"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} → {self.to}"
