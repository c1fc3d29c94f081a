from django.urls import path

from . import views

app_name = "exports"

# Mounted under /procedures/ before the instruction app: /procedures/<id>/exports/…
urlpatterns = [
    path("<int:procedure_id>/exports/", views.liste, name="liste"),
    path("<int:procedure_id>/exports/demander/", views.demander, name="demander"),
    path("<int:procedure_id>/exports/<int:pk>/", views.progression, name="progression"),
    path("<int:procedure_id>/exports/<int:pk>/telecharger/", views.telecharger, name="telecharger"),
    # Modèles d'export of the démarche.
    path("<int:procedure_id>/exports/modeles/", views.modeles_liste, name="modeles"),
    path("<int:procedure_id>/exports/modeles/nouveau/", views.modele_editer, name="modele_nouveau"),
    path("<int:procedure_id>/exports/modeles/<int:pk>/", views.modele_editer, name="modele_modifier"),
    path("<int:procedure_id>/exports/modeles/<int:pk>/supprimer/", views.modele_supprimer, name="modele_supprimer"),
    # Archivage longue durée.
    path("<int:procedure_id>/archives/", views.archives_liste, name="archives"),
    path("<int:procedure_id>/archives/demander/", views.archive_demander, name="archive_demander"),
    path("<int:procedure_id>/archives/<int:pk>/", views.archive_progression, name="archive_progression"),
    path("<int:procedure_id>/archives/<int:pk>/telecharger/", views.archive_telecharger, name="archive_telecharger"),
    # The dossier and all its attachments (instructeur's dossier page).
    path(
        "<int:procedure_id>/dossiers/<int:pk>/telecharger-tout/", views.dossier_zip, name="dossier_zip",
    ),
]
