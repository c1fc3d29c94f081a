from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("dossiers/", views.index, name="index"),
    path("dossiers/<int:pk>/", views.show, name="show"),
    path("dossiers/<int:pk>/brouillon/", views.brouillon, name="brouillon"),
    path("dossiers/<int:pk>/messagerie/", views.messagerie, name="messagerie"),
]
