from django.urls import path

from . import views, views_editeur, views_groupes

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
    path("procedures/<int:procedure_id>/champs/", views_editeur.champs, name="champs"),
    path("procedures/<int:procedure_id>/annotations/", views_editeur.annotations, name="annotations"),
    path("procedures/<int:procedure_id>/champs/reordonner/", views_editeur.champs_reordonner, name="champs_reordonner"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/modifier/", views_editeur.champ_modifier, name="champ_modifier"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/deplacer/", views_editeur.champ_deplacer, name="champ_deplacer"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/supprimer/", views_editeur.champ_supprimer, name="champ_supprimer"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/condition/", views_editeur.champ_condition, name="champ_condition"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/enfants/", views_editeur.champ_enfant_ajouter, name="champ_enfant_ajouter"),
    path("procedures/<int:procedure_id>/champs/<int:stable_id>/modele/", views_editeur.modele_telecharger, name="modele_telecharger"),
    path("procedures/<int:procedure_id>/apercu/", views_editeur.apercu, name="apercu"),
    path("procedures/<int:procedure_id>/ineligibilite/", views_editeur.ineligibilite, name="ineligibilite"),
    path("procedures/<int:procedure_id>/instructeurs/", views.instructeurs, name="instructeurs"),
    path(
        "procedures/<int:procedure_id>/instructeurs/<int:instructeur_id>/retirer/",
        views.instructeur_retirer, name="instructeur_retirer",
    ),
    path(
        "procedures/<int:procedure_id>/invitations/<int:invitation_id>/annuler/",
        views.invitation_annuler, name="invitation_annuler",
    ),
    path("procedures/<int:procedure_id>/groupes/", views_groupes.groupes_liste, name="groupes"),
    path("procedures/<int:procedure_id>/groupes/routage/", views_groupes.routage, name="routage"),
    path("procedures/<int:procedure_id>/groupes/<int:groupe_id>/", views_groupes.groupe, name="groupe"),
    path("procedures/<int:procedure_id>/groupes/<int:groupe_id>/clore/", views_groupes.groupe_clore, name="groupe_clore"),
    path(
        "procedures/<int:procedure_id>/groupes/<int:groupe_id>/supprimer/",
        views_groupes.groupe_supprimer, name="groupe_supprimer",
    ),
    path(
        "procedures/<int:procedure_id>/groupes/<int:groupe_id>/instructeurs/",
        views_groupes.groupe_instructeur_ajouter, name="groupe_instructeur_ajouter",
    ),
    path(
        "procedures/<int:procedure_id>/groupes/<int:groupe_id>/instructeurs/<int:instructeur_id>/retirer/",
        views_groupes.groupe_instructeur_retirer, name="groupe_instructeur_retirer",
    ),
    path("procedures/<int:procedure_id>/administrateurs/", views.administrateurs, name="administrateurs"),
    path(
        "procedures/<int:procedure_id>/administrateurs/<int:administrateur_id>/retirer/",
        views.administrateur_retirer, name="administrateur_retirer",
    ),
    path("procedures/<int:procedure_id>/publier/", views.publier, name="publier"),
    path("procedures/<int:procedure_id>/clore/", views.clore, name="clore"),
    path("procedures/<int:procedure_id>/reactiver/", views.reactiver, name="reactiver"),
    path("procedures/<int:procedure_id>/envoyer-copie/", views.envoyer_copie, name="envoyer_copie"),
    path("procedures/<int:procedure_id>/fichiers/<str:nom>/", views.fichier, name="fichier"),
    path("procedures/<int:procedure_id>/supprimer/", views.supprimer, name="supprimer"),
    path("procedures/<int:procedure_id>/emails/", views.emails, name="emails"),
    path("procedures/<int:procedure_id>/emails/<str:kind>/", views.email_modifier, name="email_modifier"),
    path("procedures/<int:procedure_id>/emails/<str:kind>/retablir/", views.email_retablir, name="email_retablir"),
    path("services/<int:service_id>/modifier/", views.service_modifier, name="service_modifier"),
]
