from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("procedures/", views.index, name="index"),
    path("procedures/nouvelle/", views.nouvelle, name="nouvelle"),
    path("procedures/nouvelle/modeles/", views.modeles, name="modeles"),
    path("procedures/nouvelle/importer/", views.importer, name="importer"),
    path("procedures/<int:source_id>/cloner/", views.cloner, name="cloner"),
    path("procedures/<int:procedure_id>/", views.show, name="show"),
    path("procedures/<int:procedure_id>/exporter/", views.exporter, name="exporter"),
    path("procedures/<int:procedure_id>/modifier/", views.modifier, name="modifier"),
    path("procedures/<int:procedure_id>/champs/", views.champs, name="champs"),
    path("procedures/<int:procedure_id>/annotations/", views.annotations, name="annotations"),
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
    path("procedures/<int:procedure_id>/administrateurs/", views.administrateurs, name="administrateurs"),
    path(
        "procedures/<int:procedure_id>/administrateurs/<int:administrateur_id>/retirer/",
        views.administrateur_retirer, name="administrateur_retirer",
    ),
    path("procedures/<int:procedure_id>/publier/", views.publier, name="publier"),
    path("procedures/<int:procedure_id>/clore/", views.clore, name="clore"),
    path("procedures/<int:procedure_id>/supprimer/", views.supprimer, name="supprimer"),
    path("procedures/<int:procedure_id>/emails/", views.emails, name="emails"),
    path("procedures/<int:procedure_id>/emails/<str:kind>/", views.email_modifier, name="email_modifier"),
    path("procedures/<int:procedure_id>/emails/<str:kind>/retablir/", views.email_retablir, name="email_retablir"),
    path("services/<int:service_id>/modifier/", views.service_modifier, name="service_modifier"),
]
