from django.contrib import admin

from .models import Avis, Label


@admin.register(Avis)
class AvisAdmin(admin.ModelAdmin):
    list_display = ("id", "dossier", "expert", "claimant", "created_at", "answered_at")
    list_filter = (("answered_at", admin.EmptyFieldListFilter),)
    search_fields = ("expert__user__email", "claimant__user__email", "dossier__id")
    list_select_related = ("dossier", "expert__user", "claimant__user")
    raw_id_fields = ("dossier", "expert", "claimant")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "color", "procedure", "created_at")
    list_filter = ("color",)
    search_fields = ("name", "procedure__libelle")
    raw_id_fields = ("procedure",)
