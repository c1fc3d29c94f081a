"""« Dupliquer »: a new brouillon pre-filled from an existing dossier, attachments included."""

import html

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse

from demarches.dossiers import services, services_usager
from demarches.dossiers.models import Champ, Dossier, PieceJointe
from demarches.procedures import services as procedure_services
from tests import factories

S = Dossier.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def procedure(db, administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur,
        instructeurs=[instructeur],
        champs=[("text", "Nom du projet", True), ("piece_justificative", "Plan des locaux", False)],
        publier=False,
    )
    procedure_services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Avis interne", private=True
    )
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="dupliquer")


def _rempli(procedure, usager, state=S.EN_CONSTRUCTION):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    nom = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    services.champs_enregistrer(dossier=dossier, user=usager, posted=QueryDict(f"{nom.html_id}=Pharmacie"))
    plan = dossier.revision.types_de_champ.get(libelle="Plan des locaux")
    services.piece_ajouter(
        dossier=dossier, user=usager, type_de_champ=plan,
        uploaded=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    )
    Dossier.objects.filter(pk=dossier.pk).update(state=state)
    dossier.refresh_from_db()
    return dossier


@pytest.mark.django_db
def test_dupliquer_copies_identity_answers_and_attachments(procedure, usager):
    source = _rempli(procedure, usager)
    private = source.revision.types_de_champ.get(private=True)
    Champ.objects.create(dossier=source, type_de_champ=private, stable_id=private.stable_id, value="secret")

    copie = services_usager.dossier_dupliquer(dossier=source, user=usager)

    assert copie.pk != source.pk and copie.state == S.BROUILLON and copie.user == usager
    assert (copie.civilite, copie.nom, copie.prenom) == (source.civilite, source.nom, source.prenom)
    assert copie.revision == procedure.active_revision and copie.expire_at is not None
    assert copie.champs.get(type_de_champ__libelle="Nom du projet").value == "Pharmacie"
    assert not copie.champs.filter(value="secret").exists()
    piece = PieceJointe.objects.get(champ__dossier=copie)
    original = PieceJointe.objects.get(champ__dossier=source)
    assert piece.filename == "plan.pdf" and piece.file.name != original.file.name
    with piece.file.open("rb") as f:
        assert f.read() == PDF
    # The copy is independent: deleting its file leaves the original's.
    services.piece_supprimer(piece=piece, user=usager)
    with original.file.open("rb") as f:
        assert f.read() == PDF
    assert services.dossier_erreurs(copie) == []


@pytest.mark.django_db
def test_only_the_owner_duplicates_and_only_on_an_open_demarche(procedure, usager, administrateur):
    source = _rempli(procedure, usager)
    invitee = factories.UserFactory()
    services_usager.invitation_creer(dossier=source, user=usager, email=invitee.email)
    with pytest.raises(PermissionDenied):
        services_usager.dossier_dupliquer(dossier=source, user=invitee)
    procedure_services.procedure_clore(procedure=procedure, administrateur=administrateur)
    source.refresh_from_db()
    source.procedure.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services_usager.dossier_dupliquer(dossier=source, user=usager)


@pytest.mark.django_db
def test_dupliquer_button_opens_the_new_brouillon(client, procedure, usager):
    source = _rempli(procedure, usager, state=S.ACCEPTE)
    client.force_login(usager)
    assert "Dupliquer" in page(client.get(reverse("dossiers:show", args=[source.pk])))
    assert reverse("dossiers:dupliquer", args=[source.pk]) in page(client.get(reverse("dossiers:index") + "?statut=traites"))

    response = client.post(reverse("dossiers:dupliquer", args=[source.pk]))

    copie = Dossier.objects.exclude(pk=source.pk).get()
    assert response["Location"] == reverse("dossiers:brouillon", args=[copie.pk])
    content = page(client.get(response["Location"]))
    assert f"créé à partir du dossier n° {source.pk}" in content and 'value="Pharmacie"' in content
    assert "plan.pdf" in content
