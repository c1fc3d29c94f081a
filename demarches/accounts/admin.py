"""Super-admin (/super-admin/): accounts and their instructeur, administrateur and expert profiles."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count
from django.utils import timezone

from . import policies, services
from .models import Administrateur, Expert, Instructeur, JetonConnexion, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class LockStateFilter(admin.SimpleListFilter):
    title = "verrouillage"
    parameter_name = "verrouille"

    def lookups(self, request, model_admin):
        return [("oui", "verrouillé"), ("non", "non verrouillé")]

    def queryset(self, request, queryset):
        threshold = timezone.now() - policies.lock_duration()
        if self.value() == "oui":
            return queryset.filter(locked_at__gt=threshold)
        if self.value() == "non":
            return queryset.exclude(locked_at__gt=threshold)
        return queryset


class ProfileInline(admin.StackedInline):
    extra = 0
    max_num = 1
    can_delete = True
    readonly_fields = ("created_at",)


class InstructeurInline(ProfileInline):
    model = Instructeur
    verbose_name = verbose_name_plural = "profil instructeur"


class AdministrateurInline(ProfileInline):
    model = Administrateur
    verbose_name = verbose_name_plural = "profil administrateur"


class ExpertInline(ProfileInline):
    model = Expert
    verbose_name = verbose_name_plural = "profil expert"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    search_fields = ("email",)
    list_display = (
        "email",
        "profils",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
        "failed_login_attempts",
        "verrouille",
    )
    list_filter = (LockStateFilter, "is_active", "is_staff", "is_superuser")
    list_select_related = ("instructeur", "administrateur", "expert")
    readonly_fields = ("date_joined", "last_login", "failed_login_attempts", "locked_at")
    inlines = (InstructeurInline, AdministrateurInline, ExpertInline)
    actions = ("deverrouiller",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Sécurité", {"fields": ("failed_login_attempts", "locked_at")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description="profils")
    def profils(self, obj):
        names = ["usager"]
        names += [name for name in ("instructeur", "administrateur", "expert") if hasattr(obj, name)]
        return ", ".join(names)

    @admin.display(description="verrouillé", boolean=True)
    def verrouille(self, obj):
        return policies.is_locked(obj)

    @admin.action(description="Déverrouiller les comptes sélectionnés")
    def deverrouiller(self, request, queryset):
        count = 0
        for user in queryset.exclude(locked_at=None, failed_login_attempts=0):
            services.compte_deverrouiller(user=user, actor=request.user)
            count += 1
        self.message_user(request, f"{count} compte(s) déverrouillé(s).", messages.SUCCESS)


class ProfileAdmin(admin.ModelAdmin):
    list_display = ("email", "created_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at",)

    @admin.display(description="adresse électronique", ordering="user__email")
    def email(self, obj):
        return obj.user.email


@admin.register(Instructeur)
class InstructeurAdmin(ProfileAdmin):
    list_display = ("email", "groupes_count", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(groupes_count=Count("groupes"))

    @admin.display(description="groupes instructeurs", ordering="groupes_count")
    def groupes_count(self, obj):
        return obj.groupes_count


@admin.register(Administrateur)
class AdministrateurAdmin(ProfileAdmin):
    pass


@admin.register(Expert)
class ExpertAdmin(ProfileAdmin):
    pass


@admin.register(JetonConnexion)
class JetonConnexionAdmin(admin.ModelAdmin):
    """Read-only trace of the « connexion sécurisée » links sent to agents (the secret itself is never stored)."""

    list_display = ("user", "created_at", "used_at", "renouvellement_envoye_le")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    readonly_fields = ("user", "secret_hash", "created_at", "used_at", "renouvellement_envoye_le")

    def has_add_permission(self, request):
        return False
