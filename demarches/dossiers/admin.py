"""Super-admin views of dossiers: to look and search, never to write.

Dossiers change only through services and the state machine (with their traitement and audit entry),
so these admin pages are read-only.
"""

from django.contrib import admin

from .models import Champ, Commentaire, Dossier, DossierSupprime, Invitation, PieceJointe, Traitement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChampInline(admin.TabularInline):
    model = Champ
    fields = ("stable_id", "row_id", "type_de_champ", "value", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TraitementInline(admin.TabularInline):
    model = Traitement
    fields = ("state", "processed_at", "instructeur_email", "motivation")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("id", "procedure", "user", "state", "for_procedure_preview", "depose_at", "updated_at")
    list_filter = ("state", "procedure", "for_procedure_preview", "archived")
    search_fields = ("=id", "user__email", "nom", "prenom", "procedure__libelle")
    list_select_related = ("procedure", "user")
    date_hierarchy = "created_at"
    inlines = [TraitementInline, ChampInline]


@admin.register(Champ)
class ChampAdmin(ReadOnlyAdmin):
    list_display = ("id", "dossier", "stable_id", "type_de_champ", "value", "updated_at")
    list_filter = ("type_de_champ__type_champ",)
    search_fields = ("=dossier__id", "value")
    list_select_related = ("dossier", "type_de_champ")
    raw_id_fields = ("dossier", "type_de_champ")


@admin.register(PieceJointe)
class PieceJointeAdmin(ReadOnlyAdmin):
    list_display = ("id", "filename", "champ", "content_type", "size", "created_at")
    search_fields = ("filename", "=champ__dossier__id")
    list_select_related = ("champ",)


@admin.register(Commentaire)
class CommentaireAdmin(ReadOnlyAdmin):
    list_display = ("id", "dossier", "email", "is_automatic", "created_at")
    list_filter = ("is_automatic",)
    search_fields = ("=dossier__id", "email", "body")
    list_select_related = ("dossier",)


@admin.register(Traitement)
class TraitementAdmin(ReadOnlyAdmin):
    list_display = ("id", "dossier", "state", "processed_at", "instructeur_email")
    list_filter = ("state",)
    search_fields = ("=dossier__id", "instructeur_email")
    list_select_related = ("dossier",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("id", "dossier", "email", "user", "created_at")
    search_fields = ("=dossier__id", "email")
    list_select_related = ("dossier", "user")


@admin.register(DossierSupprime)
class DossierSupprimeAdmin(ReadOnlyAdmin):
    """The trace of dossiers deleted for good: number, démarche, groupe, state, reason, date."""

    list_display = ("dossier_number", "procedure", "groupe_instructeur", "state", "reason", "deleted_at")
    list_filter = ("reason", "state")
    search_fields = ("=dossier_number", "procedure__libelle")
    list_select_related = ("procedure", "groupe_instructeur")
