from django.contrib import admin

from .models import APIToken, WebhookDelivery, WebhookSubscription


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ("name", "administrateur", "write_access", "all_procedures", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("write_access", "all_procedures")
    search_fields = ("name", "administrateur__user__email")
    readonly_fields = ("secret_digest", "last_used_at", "last_used_ips", "created_at")
    exclude = ("procedures",)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "url", "updated_at")
    readonly_fields = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "procedure", "dossier_id", "state", "status", "attempts", "response_code")
    list_filter = ("status",)
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
