"""API tokens of the administrateurs, and the webhooks of their démarches with their delivery log."""

import ipaddress

from django.db import models
from django.utils import timezone


class APIToken(models.Model):
    """A secret that lets a program act as its administrateur on the GraphQL API.

    Only a SHA-256 digest of the secret is stored: the secret itself is shown once, at creation.
    """

    administrateur = models.ForeignKey("accounts.Administrateur", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom du jeton", max_length=120)
    secret_digest = models.CharField(max_length=64)
    all_procedures = models.BooleanField("toutes mes démarches", default=True)
    procedures = models.ManyToManyField("procedures.Procedure", blank=True, related_name="+")
    write_access = models.BooleanField("lecture et écriture", default=False)
    allowed_networks = models.JSONField("réseaux autorisés", default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("date d'expiration")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    last_used_ips = models.JSONField(default=list, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    # Days-before-expiry thresholds (services.EXPIRY_NOTICE_DAYS) whose notice was e-mailed already.
    expiry_notices_sent = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def days_left(self) -> int:
        """Whole days before expiry (0 on its last day)."""
        return max(0, (self.expires_at - timezone.now()).days)

    def allows_ip(self, ip: str) -> bool:
        if not self.allowed_networks:
            return True
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(network, strict=False) for network in self.allowed_networks)


class WebhookSubscription(models.Model):
    """The "lien de rappel HTTP" of a démarche: called on every state change of its dossiers."""

    procedure = models.OneToOneField("procedures.Procedure", on_delete=models.CASCADE, related_name="webhook")
    url = models.URLField("adresse du lien de rappel", max_length=500)
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "lien de rappel HTTP"

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One notification of one state change, with the outcome of its attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        SUCCEEDED = "succeeded", "livrée"
        RETRYING = "retrying", "nouvel essai prévu"
        FAILED = "failed", "échec"

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="webhook_deliveries")
    dossier_id = models.BigIntegerField()
    state = models.CharField(max_length=20)
    url = models.URLField(max_length=500)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["procedure", "-created_at"], name="webhook_delivery_log_idx")]

    def __str__(self):
        return f"Notification du dossier n° {self.dossier_id} ({self.state})"
