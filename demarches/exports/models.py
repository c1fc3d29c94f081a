import uuid

from django.db import models


def export_upload_to(instance, filename):
    # A random folder: file names stay readable for the instructeur and are never guessable.
    return f"exports/{instance.created_at:%Y/%m/%d}/{uuid.uuid4().hex}/{filename}"


class Export(models.Model):
    """A spreadsheet of a démarche's dossiers asked by an instructeur, built by a background job.

    The job's outcome is stored here (status, progress, attempts, error) so that the instructeur
    follows it on his "Exports" page and an operator can see and retry it.
    """

    class Format(models.TextChoices):
        XLSX = "xlsx", ".xlsx"
        ODS = "ods", ".ods"
        CSV = "csv", ".csv"

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        RUNNING = "running", "en préparation"
        DONE = "done", "prêt"
        FAILED = "failed", "en échec"

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="exports")
    instructeur = models.ForeignKey(
        "accounts.Instructeur", on_delete=models.CASCADE, related_name="exports", verbose_name="demandé par"
    )
    format = models.CharField(max_length=4, choices=Format.choices)
    statut = models.CharField("onglet", max_length=20)
    include_archived = models.BooleanField("avec les dossiers archivés", default=False)
    # The dashboard's label filter, if any (a plain id: deleting the label leaves past exports alone).
    label_id = models.PositiveBigIntegerField("filtre label", null=True, blank=True)
    # Every option that shapes the content, in a canonical form: two exports with the same key
    # (and the same requester, format and démarche) are identical.
    key = models.CharField("options", max_length=255)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    row_count = models.PositiveIntegerField("nombre de dossiers", null=True, blank=True)
    file = models.FileField(upload_to=export_upload_to, max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # Who is building it right now: a worker that lost this token (taken over) stops writing.
    run_token = models.UUIDField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField("disponible jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "export"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The instructeur's "Exports" page and the reuse lookup.
            models.Index(fields=["procedure", "instructeur", "-created_at"], name="export_requester_idx"),
            # The periodic purge and take-over.
            models.Index(fields=["status", "expires_at"], name="export_status_expiry_idx"),
        ]

    def __str__(self):
        return f"Export n° {self.pk} ({self.get_format_display()}) de la démarche {self.procedure_id}"

    @property
    def is_in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
