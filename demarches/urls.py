from django.contrib import admin
from django.urls import include, path

from demarches.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("super-admin/emails/", core_views.sent_emails, name="sent_emails"),
    path("super-admin/emails/<int:pk>/", core_views.sent_email, name="sent_email"),
    path("super-admin/", admin.site.urls),
    path("", include("demarches.accounts.urls")),
    path("", include("demarches.dossiers.urls")),
    path("", include("demarches.documents.urls")),
    path("admin/", include("demarches.procedures.urls")),
    path("procedures/", include("demarches.exports.urls")),
    path("procedures/", include("demarches.instruction.urls")),
    path("referentiels/", include("demarches.referentiels.urls")),
    path("", include("demarches.api.urls")),  # api/v2/…, admin/tokens/…, admin/procedures/<id>/webhook/…
]

