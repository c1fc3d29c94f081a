from django.contrib import admin

from .models import Archive, Export, ExportModele


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = (
        "id", "procedure", "instructeur", "format", "statut", "status", "progress", "row_count", "attempts",
        "created_at", "expires_at",
    )
    list_filter = ("status", "format")
    search_fields = ("instructeur__user__email", "procedure__id", "procedure__libelle")
    list_select_related = ("procedure", "instructeur__user")
    raw_id_fields = ("procedure", "instructeur")
    readonly_fields = ("created_at", "started_at", "heartbeat_at", "finished_at", "run_token", "error")
    date_hierarchy = "created_at"


@admin.register(ExportModele)
class ExportModeleAdmin(admin.ModelAdmin):
    list_display = ("id", "nom", "procedure", "format", "created_by", "updated_at")
    list_filter = ("format",)
    search_fields = ("nom", "procedure__id", "procedure__libelle")
    list_select_related = ("procedure", "created_by__user")
    raw_id_fields = ("procedure", "created_by")


@admin.register(Archive)
class ArchiveAdmin(admin.ModelAdmin):
    list_display = ("id", "procedure", "requested_by", "mois", "status", "progress", "row_count", "attempts", "created_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("requested_by__email", "procedure__id", "procedure__libelle")
    list_select_related = ("procedure", "requested_by")
    raw_id_fields = ("procedure", "requested_by")
    readonly_fields = ("created_at", "started_at", "heartbeat_at", "finished_at", "run_token", "error")
    date_hierarchy = "created_at"
