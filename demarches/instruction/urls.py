from django.urls import path

from . import views, views_annotations, views_avis, views_groupe, views_message, views_notifications, views_statistiques
from .liste import views as liste_views

app_name = "instruction"

dossier = "<int:procedure_id>/dossiers/<int:pk>/"

urlpatterns = [
    path("", views.procedures, name="procedures"),
    # Expert workspace (names start with "avis": the profile switcher shows the expert profile there).
    path("avis/", views.avis, name="avis"),
    path("avis/<int:avis_id>/", views.avis_detail, name="avis_detail"),
    path("avis/<int:avis_id>/pieces/<int:piece_id>/", views.avis_piece, name="avis_piece"),
    path("avis/<int:avis_id>/avis/<int:autre_id>/<slug:quoi>/", views_avis.fichier_expert, name="avis_fichier_expert"),
    # Instructeur workspace.
    path("<int:procedure_id>/", liste_views.procedure, name="procedure"),
    path("<int:procedure_id>/statistiques/", views_statistiques.statistiques, name="statistiques"),
    path("<int:procedure_id>/liste/colonnes/", liste_views.colonnes, name="liste_colonnes"),
    path("<int:procedure_id>/liste/filtres/", liste_views.filtre_ajouter, name="liste_filtre_ajouter"),
    path("<int:procedure_id>/liste/filtres/valeur/", liste_views.filtre_valeur, name="liste_filtre_valeur"),
    path("<int:procedure_id>/liste/filtres/retirer/", liste_views.filtre_retirer, name="liste_filtre_retirer"),
    path("<int:procedure_id>/liste/tri/", liste_views.tri, name="liste_tri"),
    path("<int:procedure_id>/actions-groupees/", liste_views.action_groupee_lancer, name="action_groupee_lancer"),
    path("<int:procedure_id>/actions-groupees/<int:action_id>/", liste_views.action_groupee, name="action_groupee"),
    path("<int:procedure_id>/notifications/", views_notifications.notifications_gerer, name="notifications"),
    path(dossier, views.dossier, name="dossier"),
    path(dossier + "annotations/", views.annotations, name="annotations"),
    path(dossier + "annotations/<int:stable_id>/pieces/", views_annotations.piece_ajouter, name="annotation_piece_ajouter"),
    path(
        dossier + "annotations/pieces/<int:piece_id>/supprimer/", views_annotations.piece_supprimer,
        name="annotation_piece_supprimer",
    ),
    path(dossier + "messagerie/", views.messagerie, name="messagerie"),
    path(dossier + "messagerie/<int:commentaire_id>/piece-jointe/", views.message_piece_jointe, name="message_piece_jointe"),
    path(dossier + "messagerie/<int:commentaire_id>/supprimer/", views_message.message_supprimer, name="message_supprimer"),
    path(dossier + "pieces/<int:piece_id>/", views.piece, name="piece"),
    path(dossier + "justificatif/", views.justificatif, name="justificatif"),
    path(dossier + "suivre/", views.suivre, name="suivre"),
    path(dossier + "ne-plus-suivre/", views.ne_plus_suivre, name="ne_plus_suivre"),
    path(dossier + "passer-en-instruction/", views.passer_en_instruction, name="passer_en_instruction"),
    path(dossier + "repasser-en-construction/", views.repasser_en_construction, name="repasser_en_construction"),
    path(dossier + "repasser-en-instruction/", views.repasser_en_instruction, name="repasser_en_instruction"),
    path(dossier + "demander-une-correction/", views.demander_correction, name="demander_correction"),
    path("dossiers/<int:pk>/correction-effectuee/", views.correction_effectuee, name="correction_effectuee"),
    path(dossier + "personnes/", views.personnes, name="personnes"),
    path(dossier + "changer-de-groupe/", views_groupe.changer_groupe, name="changer_groupe"),
    path(dossier + "archiver/", views.archiver, name="archiver"),
    path(dossier + "labels/", views.labels, name="labels"),
    path(dossier + "labels/nouveau/", views.label_creer, name="label_creer"),
    path(dossier + "desarchiver/", views.desarchiver, name="desarchiver"),
    path(dossier + "supprimer/", views.supprimer, name="supprimer"),
    path(dossier + "restaurer/", views.restaurer, name="restaurer"),
    path(dossier + "decision/<slug:action>/", views.decision, name="decision"),
    path(dossier + "demander-un-avis/", views.demander_avis, name="demander_avis"),
    path(dossier + "avis/<int:avis_id>/relancer/", views_avis.relancer, name="avis_relancer"),
    path(dossier + "avis/<int:avis_id>/revoquer/", views_avis.revoquer, name="avis_revoquer"),
    path(dossier + "avis/<int:avis_id>/<slug:quoi>/", views_avis.fichier_instructeur, name="avis_fichier"),
]
