import uuid

from django.conf import settings
from django.db import models


def export_upload_to(instance, filename):
    # A random folder: file names stay readable for the instructeur and are never guessable.
    return f"exports/{instance.created_at:%Y/%m/%d}/{uuid.uuid4().hex}/{filename}"


def archive_upload_to(instance, filename):
    return f"archives/{instance.created_at:%Y/%m/%d}/{uuid.uuid4().hex}/{filename}"


class FichierEnPreparation(models.Model):
    """A file built by a background job whose outcome is stored: status, progress, attempts, error.

    Exports and archives share this life: asked, claimed by a worker (run_token + heartbeat), done or
    failed, then purged once expired; a job whose worker died is taken over by the periodic job.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "en attente"
        RUNNING = "running", "en préparation"
        DONE = "done", "prêt"
        FAILED = "failed", "en échec"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    row_count = models.PositiveIntegerField("nombre de dossiers", null=True, blank=True)
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
        abstract = True

    @property
    def is_in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class ExportModele(models.Model):
    """A "modèle d'export" of a démarche, shared by its instructeurs: the format, the columns and
    their order (spreadsheets), or how folders and files are named (zip)."""

    class Format(models.TextChoices):
        XLSX = "xlsx", ".xlsx"
        ODS = "ods", ".ods"
        CSV = "csv", ".csv"
        ZIP = "zip", ".zip"

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="export_modeles")
    nom = models.CharField("nom du modèle", max_length=100)
    format = models.CharField(max_length=4, choices=Format.choices)
    # Spreadsheets: the chosen column keys, in order (keys of selectors' column catalogue).
    colonnes = models.JSONField("colonnes", default=list, blank=True)
    # Zip: the name of each dossier's folder and of its PDF, with tags such as {numero}.
    nom_dossier = models.CharField("nom du dossier de chaque dossier", max_length=200, blank=True)
    nom_pdf = models.CharField("nom du PDF de chaque dossier", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.Instructeur", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "modèle d'export"
        verbose_name_plural = "modèles d'export"
        ordering = ["nom", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "nom"], name="export_modele_nom_unique"),
        ]

    def __str__(self):
        return f"{self.nom} ({self.get_format_display()})"

    @property
    def is_zip(self) -> bool:
        return self.format == self.Format.ZIP


class Export(FichierEnPreparation):
    """A file of a démarche's dossiers asked by an instructeur, built by a background job.

    The job's outcome is stored here (status, progress, attempts, error) so that the instructeur
    follows it on his "Exports" page and an operator can see and retry it.
    """

    class Format(models.TextChoices):
        XLSX = "xlsx", ".xlsx"
        ODS = "ods", ".ods"
        CSV = "csv", ".csv"
        GEOJSON = "json", "GeoJSON"
        ZIP = "zip", ".zip"

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="exports")
    instructeur = models.ForeignKey(
        "accounts.Instructeur", on_delete=models.CASCADE, related_name="exports", verbose_name="demandé par"
    )
    format = models.CharField(max_length=4, choices=Format.choices)
    statut = models.CharField("onglet", max_length=20)
    include_archived = models.BooleanField("avec les dossiers archivés", default=False)
    # The dashboard's label filter, if any (a plain id: deleting the label leaves past exports alone).
    label_id = models.PositiveBigIntegerField("filtre label", null=True, blank=True)
    # The modèle d'export used, and what it said when the export was asked (the modèle may change later).
    modele = models.ForeignKey(
        ExportModele, on_delete=models.SET_NULL, null=True, blank=True, related_name="exports",
        verbose_name="modèle d'export",
    )
    modele_options = models.JSONField("options du modèle", null=True, blank=True)
    # The dossier list as it was when the export was asked: its filters, sort and search
    # ({"filtres": […], "tri": {"colonne", "sens"}, "recherche": "…", "resume": [French texts]}).
    # None: the dashboard's order, no filter (exports asked before the list had filters).
    liste = models.JSONField("filtres, tri et recherche de la liste", null=True, blank=True)
    # Every option that shapes the content, in a canonical form: two exports with the same key
    # (and the same requester, format and démarche) are identical.
    key = models.CharField("options", max_length=255)
    file = models.FileField(upload_to=export_upload_to, max_length=500, blank=True)

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


class Archive(FichierEnPreparation):
    """"Archivage longue durée": the dossiers of a démarche processed in one month (or all of them),
    as a ZIP of their PDFs and attachments, asked by an instructeur or an administrateur."""

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="archivages")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="archives_demandees",
        verbose_name="demandée par",
    )
    # First day of the month whose processed dossiers it holds; empty for "all processed dossiers".
    mois = models.DateField("mois", null=True, blank=True)
    file = models.FileField(upload_to=archive_upload_to, max_length=500, blank=True)

    class Meta:
        verbose_name = "archive"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["procedure", "requested_by", "-created_at"], name="archive_requester_idx"),
            models.Index(fields=["status", "expires_at"], name="archive_status_expiry_idx"),
        ]

    def __str__(self):
        return f"Archive n° {self.pk} de la démarche {self.procedure_id}"
