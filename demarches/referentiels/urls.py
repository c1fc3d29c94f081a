from django.urls import path

from . import views

app_name = "referentiels"
urlpatterns = [
    path("communes", views.communes, name="communes"),
    path("adresses", views.adresses, name="adresses"),
    path("epci", views.epci, name="epci"),
]
