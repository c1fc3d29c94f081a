from django.urls import include, path

from . import views, views_appareil

urlpatterns = [
    path("comptes/invitation/<uuid:token>/", views.invitation_instructeur, name="invitation_instructeur"),
    path("comptes/deverrouiller/<str:token>/", views.deverrouillage, name="compte_deverrouiller"),
    path("comptes/confirmation/renvoyer/", views.confirmation_renvoyer, name="account_resend_confirmation"),
    # Same address and name as allauth's page, which this view extends with the "send again" form.
    path("comptes/confirm-email/", views.verification_sent, name="account_email_verification_sent"),
    path("comptes/franceconnect/", include("demarches.accounts.social_urls")),  # FranceConnect/ProConnect
    path("comptes/verification-navigateur/", views_appareil.verification_appareil, name="verification_appareil"),
    path("comptes/connexion-securisee/<str:secret>/", views_appareil.connexion_securisee, name="connexion_securisee"),
    path("comptes/", include("allauth.urls")),
]
