"""Super-admin screens (/super-admin/) for support staff. Published revisions are read-only here too."""

from django.contrib import admin

from .models import GroupeInstructeur, InstructeurInvitation, MailTemplate, Procedure, ProcedureRevision, Service, TypeDeChamp


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("nom", "organisme", "email", "telephone", "administrateur")
    search_fields = ("nom", "organisme", "email", "administrateur__user__email")
    raw_id_fields = ("administrateur",)
    list_select_related = ("administrateur__user",)


class GroupeInstructeurInline(admin.TabularInline):
    model = GroupeInstructeur
    extra = 0
    fields = ("label",)
    show_change_link = True


class ProcedureRevisionInline(admin.TabularInline):
    model = ProcedureRevision
    extra = 0
    fields = ("created_at", "published_at")
    readonly_fields = ("created_at", "published_at")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("id", "libelle", "state", "path", "service", "published_at", "closed_at")
    list_filter = ("state", "for_individual")
    search_fields = ("=id", "libelle", "path", "administrateurs__user__email")
    # The lifecycle (state, revisions, dates) only moves through the services: Publier / Clore.
    readonly_fields = (
        "state", "test_token", "draft_revision", "published_revision", "created_at", "updated_at", "published_at", "closed_at",
    )
    autocomplete_fields = ("service",)
    raw_id_fields = ("administrateurs",)
    list_select_related = ("service",)
    inlines = (GroupeInstructeurInline, ProcedureRevisionInline)


class TypeDeChampInline(admin.TabularInline):
    model = TypeDeChamp
    fk_name = "revision"
    extra = 0
    fields = ("position", "stable_id", "type_champ", "libelle", "mandatory", "private", "parent", "description", "options")
    readonly_fields = ("stable_id",)
    raw_id_fields = ("parent",)
    ordering = ("private", "position", "id")

    def _editable(self, obj):
        return obj is None or not obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(ProcedureRevision)
class ProcedureRevisionAdmin(admin.ModelAdmin):
    list_display = ("id", "procedure", "created_at", "published_at")
    list_filter = ("published_at",)
    search_fields = ("=procedure__id", "procedure__libelle")
    readonly_fields = ("procedure", "created_at", "published_at")
    list_select_related = ("procedure",)
    inlines = (TypeDeChampInline,)

    def has_add_permission(self, request):
        return False  # revisions are created with the démarche and at publication


@admin.register(TypeDeChamp)
class TypeDeChampAdmin(admin.ModelAdmin):
    list_display = ("libelle", "type_champ", "stable_id", "revision", "position", "mandatory", "private")
    list_filter = ("type_champ", "private", "mandatory")
    search_fields = ("libelle", "=stable_id")
    raw_id_fields = ("revision", "parent")
    list_select_related = ("revision",)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.revision.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.revision.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(GroupeInstructeur)
class GroupeInstructeurAdmin(admin.ModelAdmin):
    list_display = ("label", "procedure")
    search_fields = ("label", "=procedure__id", "procedure__libelle")
    raw_id_fields = ("procedure", "instructeurs")
    list_select_related = ("procedure",)


@admin.register(InstructeurInvitation)
class InstructeurInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "groupe", "invited_by", "created_at", "accepted_at")
    list_filter = ("accepted_at",)
    search_fields = ("email",)
    readonly_fields = ("token", "created_at", "accepted_at")
    raw_id_fields = ("groupe", "invited_by")
    list_select_related = ("groupe", "invited_by")


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    list_display = ("procedure", "kind", "subject", "updated_at")
    list_filter = ("kind",)
    search_fields = ("procedure__libelle", "subject")
    raw_id_fields = ("procedure",)
