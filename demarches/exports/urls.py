from django.urls import path

from . import views

app_name = "exports"

# Mounted under /procedures/ before the instruction app: /procedures/<id>/exports/…
urlpatterns = [
    path("<int:procedure_id>/exports/", views.liste, name="liste"),
    path("<int:procedure_id>/exports/demander/", views.demander, name="demander"),
    path("<int:procedure_id>/exports/<int:pk>/", views.progression, name="progression"),
    path("<int:procedure_id>/exports/<int:pk>/telecharger/", views.telecharger, name="telecharger"),
]
