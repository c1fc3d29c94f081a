from django.urls import path
from django.views.i18n import set_language

from demarches.referentiels import cadastre_views

from . import prefill_api, prefill_views, views

app_name = "dossiers"
urlpatterns = [
    # Starting a démarche (the public link given by the administration, or its test link).
    path("commencer/test/<uuid:test_token>", views.commencer_test, name="commencer_test"),
    path("commencer/<slug:path>", views.commencer, name="commencer"),
    # Prefill (issue 6): the documentation of a démarche's prefill format, the public API creating
    # a prefilled draft, and the link with which the usager claims it.
    path("demarches/<int:procedure_id>/preremplissage", prefill_views.documentation, name="prefill_documentation"),
    path("api/public/v1/demarches/<int:procedure_id>/dossiers", prefill_api.dossiers, name="prefill_api"),
    path("preremplissage/<str:token>", prefill_views.reclamer, name="prefill_reclamer"),
    # The carte champ's parcels layer.
    path("cadastre/parcelles", cadastre_views.parcelles, name="cadastre_parcelles"),
    # The usager's dossiers.
    path("dossiers/", views.index, name="index"),
    path("dossiers/<int:pk>/", views.show, name="show"),
    path("dossiers/<int:pk>/identite/", views.identite, name="identite"),
    path("dossiers/<int:pk>/brouillon/", views.brouillon, name="brouillon"),
    path(
        "dossiers/<int:pk>/modifications/abandonner/", views.modifications_abandonner, name="modifications_abandonner"
    ),
    path("dossiers/<int:pk>/champs/<int:stable_id>/pieces/", views.piece_ajouter, name="piece_ajouter"),
    path("dossiers/<int:pk>/pieces/<int:piece_pk>/", views.piece_telecharger, name="piece_telecharger"),
    path("dossiers/<int:pk>/pieces/<int:piece_pk>/supprimer/", views.piece_supprimer, name="piece_supprimer"),
    path("dossiers/<int:pk>/merci/", views.merci, name="merci"),
    path("dossiers/<int:pk>/demande/", views.demande, name="demande"),
    path("dossiers/<int:pk>/justificatif/", views.justificatif, name="justificatif"),
    path("dossiers/<int:pk>/messagerie/", views.messagerie, name="messagerie"),
    path("dossiers/<int:pk>/invitations/", views.invitations, name="invitations"),
    path(
        "dossiers/<int:pk>/invitations/<int:invitation_pk>/supprimer/",
        views.invitation_supprimer,
        name="invitation_supprimer",
    ),
    path("dossiers/<int:pk>/supprimer/", views.supprimer, name="supprimer"),
    path("dossiers/<int:pk>/restaurer/", views.restaurer, name="restaurer"),
    path("dossiers/<int:pk>/dupliquer/", views.dupliquer, name="dupliquer"),
    path("dossiers/<int:pk>/conserver/", views.conserver, name="conserver"),
    # The usager's account.
    path("profil/", views.profil, name="profil"),
    # The FR/EN switch of the header (Django's view: stores the choice in the language cookie).
    path("langue/", set_language, name="set_language"),
    path(
        "dossiers/<int:pk>/messagerie/<int:commentaire_pk>/piece-jointe/",
        views.commentaire_piece_jointe,
        name="commentaire_piece_jointe",
    ),
]
