from django.urls import path

from . import social_views

urlpatterns = [
    path("compte-existant/", social_views.compte_fusion, name="compte_fusion"),
    path("compte-existant/<str:token>/", social_views.compte_fusion_lien, name="compte_fusion_lien"),
]
