from django.contrib import admin

from .models import Export


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
