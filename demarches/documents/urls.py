from django.urls import path

from . import views

app_name = "documents"

attestation = "admin/procedures/<int:procedure_id>/attestation/"
instructeur = "procedures/<int:procedure_id>/dossiers/<int:pk>/"

urlpatterns = [
    # Usager (owner of the dossier).
    path("dossiers/<int:pk>/pdf/", views.dossier_pdf, name="dossier_pdf"),
    path("dossiers/<int:pk>/accuse-de-depot/", views.accuse_depot, name="accuse_depot"),
    path("dossiers/<int:pk>/attestation/", views.attestation, name="attestation"),
    # Instructeur of the dossier's group, expert asked for an avis.
    path(instructeur + "pdf/", views.dossier_pdf_instructeur, name="dossier_pdf_instructeur"),
    path(instructeur + "attestation/", views.attestation_instructeur, name="attestation_instructeur"),
    path("procedures/avis/<int:avis_id>/pdf/", views.dossier_pdf_expert, name="dossier_pdf_expert"),
    # Administrateur: attestation templates of a démarche, with a preview.
    path(attestation, views.attestation_modele, {"kind": "acceptation"}, name="attestation_modele"),
    path(attestation + "apercu/", views.attestation_apercu, {"kind": "acceptation"}, name="attestation_apercu"),
    path(attestation + "refus/", views.attestation_modele, {"kind": "refus"}, name="attestation_modele_refus"),
    path(attestation + "refus/apercu/", views.attestation_apercu, {"kind": "refus"}, name="attestation_apercu_refus"),
    # Public verification of a document from its QR code.
    path("verifier/", views.verifier_formulaire, name="verifier_formulaire"),
    path("verifier/<str:code>/", views.verifier, name="verifier"),
]
