from django.urls import path

from . import direct_upload_views, views

app_name = "api"
urlpatterns = [
    path("api/v2/graphql", views.graphql, name="graphql"),
    path("api/v2/fichiers/<str:token>/", views.fichier, name="fichier"),
    path("api/v2/direct_uploads/<str:token>", direct_upload_views.direct_upload, name="direct_upload"),
    path("admin/tokens/", views.jetons, name="jetons"),
    path("admin/tokens/nouveau/", views.jeton_nouveau, name="jeton_nouveau"),
    path("admin/tokens/<int:token_id>/revoquer/", views.jeton_revoquer, name="jeton_revoquer"),
    path("admin/procedures/<int:procedure_id>/webhook/", views.webhook, name="webhook"),
    path("admin/procedures/<int:procedure_id>/webhook/secret/", views.webhook_secret, name="webhook_secret"),
    path(
        "admin/procedures/<int:procedure_id>/webhook/livraisons/<int:delivery_id>/renvoyer/",
        views.webhook_renvoyer, name="webhook_renvoyer",
    ),
    path("graphql", views.graphiql, name="graphiql"),
    path("graphql/requete", views.graphql_session, name="graphql_session"),
    path("graphql/fichiers/<str:name>", views.graphiql_asset, name="graphiql_asset"),
]
