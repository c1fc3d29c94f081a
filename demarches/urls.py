from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from demarches.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    # The English texts of the scripts (locale/en/LC_MESSAGES/djangojs.po), loaded by base.html when the usager chose English.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
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

