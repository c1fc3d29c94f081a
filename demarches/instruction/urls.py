from django.urls import path

from . import views

app_name = "instruction"
urlpatterns = [
    path("", views.procedures, name="procedures"),
    path("<int:procedure_id>/dossiers/<int:pk>/", views.dossier, name="dossier"),
    path("<int:procedure_id>/dossiers/<int:pk>/messagerie/", views.messagerie, name="messagerie"),
    path("avis/", views.avis, name="avis"),
]
