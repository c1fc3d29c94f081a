"""Super-admin views of documents: to look and search, never to write (documents change through services)."""

from django.contrib import admin

from .models import AccuseDepot, Attestation, AttestationTemplate


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AttestationTemplate)
class AttestationTemplateAdmin(ReadOnlyAdmin):
    list_display = ("procedure", "kind", "activated", "updated_at")
    list_filter = ("kind", "activated")
    search_fields = ("procedure__libelle", "=procedure__id")


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    list_display = ("code", "dossier_id", "kind", "decision_at", "created_at", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("=code", "=dossier__id")
    readonly_fields = [f.name for f in Attestation._meta.fields]


@admin.register(AccuseDepot)
class AccuseDepotAdmin(ReadOnlyAdmin):
    list_display = ("code", "dossier_id", "depose_at", "created_at")
    search_fields = ("=code", "=dossier__id")
    readonly_fields = [f.name for f in AccuseDepot._meta.fields]
