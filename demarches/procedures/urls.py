from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("procedures/", views.index, name="index"),
    path("procedures/nouvelle/", views.nouvelle, name="nouvelle"),
    path("procedures/<int:procedure_id>/", views.show, name="show"),
    path("procedures/<int:procedure_id>/modifier/", views.modifier, name="modifier"),
    path("procedures/<int:procedure_id>/champs/", views.champs, name="champs"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/modifier/", views.champ_modifier, name="champ_modifier"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/deplacer/", views.champ_deplacer, name="champ_deplacer"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/supprimer/", views.champ_supprimer, name="champ_supprimer"),
    path("procedures/<int:procedure_id>/instructeurs/", views.instructeurs, name="instructeurs"),
    path(
        "procedures/<int:procedure_id>/instructeurs/<int:instructeur_id>/retirer/",
        views.instructeur_retirer, name="instructeur_retirer",
    ),
    path(
        "procedures/<int:procedure_id>/invitations/<int:invitation_id>/annuler/",
        views.invitation_annuler, name="invitation_annuler",
    ),
    path("procedures/<int:procedure_id>/publier/", views.publier, name="publier"),
    path("procedures/<int:procedure_id>/clore/", views.clore, name="clore"),
    path("services/<int:service_id>/modifier/", views.service_modifier, name="service_modifier"),
]
