"""The administrateur's attestation editor: defaults, tags, images, activation and preview."""

import io
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from demarches.audit.models import OperationLog
from demarches.documents.models import AttestationKind, AttestationTemplate

from .conftest import pdf_text, response_bytes

pytestmark = pytest.mark.django_db


def png(size=(240, 80), *, padding: int = 0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 0, 145)).save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue() + b"\0" * padding, content_type="image/png")


@pytest.fixture
def admin_client(client, administrateur):
    client.force_login(administrateur.user)
    return client


def url(procedure, kind="acceptation", apercu=False):
    name = "attestation_apercu" if apercu else "attestation_modele"
    return reverse(f"documents:{name}{'' if kind == 'acceptation' else '_refus'}", args=[procedure.pk])


def post(client, procedure, kind="acceptation", **data):
    fields = {"activated": "on", "title": "Attestation d'acceptation", "body": "Dossier n° --numéro du dossier-- accepté.", "footer": ""}
    fields.update(data)
    return client.post(url(procedure, kind), {k: v for k, v in fields.items() if v is not None})


def test_the_page_proposes_the_default_wording_and_lists_every_tag(admin_client, procedure):
    response = admin_client.get(url(procedure))

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "<h1 class=\"fr-mb-2w\">Attestation</h1>" in html
    assert "Le service soussigné atteste que le dossier n° --numéro du dossier--" in html
    for tag in ("--numéro du dossier--", "--nom--", "--prénom--", "--date de décision--", "--motivation--",
                "--libellé démarche--", "--Nom du projet--", "--Nombre de places--"):
        assert f"<code>{tag}</code>" in html, tag
    assert "<code>--Votre projet--</code>" not in html, "section titles have no value"
    assert "désactivée" in html


def test_saving_activates_the_template_and_is_logged(admin_client, procedure, administrateur):
    response = post(admin_client, procedure, footer="Préfecture de l'Exemple — 1 rue de la Paix")

    assert response.status_code == 302
    template = AttestationTemplate.objects.get(procedure=procedure, kind=AttestationKind.ACCEPTATION)
    assert template.activated and template.footer == "Préfecture de l'Exemple — 1 rue de la Paix"
    assert OperationLog.objects.filter(operation="attestation_modele_modifier", procedure_id=procedure.pk,
                                       actor_email=administrateur.user.email).exists()
    page = unescape(admin_client.get(url(procedure)).content.decode())
    assert "L'attestation d'acceptation est activée." in page
    assert not AttestationTemplate.objects.filter(kind=AttestationKind.REFUS).exists()


def test_an_unknown_tag_is_refused_and_tied_to_the_field(admin_client, procedure):
    response = post(admin_client, procedure, body="Le projet --nom du projt-- est accepté.")

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Balise inconnue : --nom du projt--" in html
    assert 'aria-describedby="id_body_helptext id_body-messages"' in html
    assert 'aria-invalid="true"' in html
    assert not AttestationTemplate.objects.exists()


def test_tags_match_whatever_the_case_and_spacing(admin_client, procedure):
    assert post(admin_client, procedure, body="Projet --NOM  DU projet-- de --Prénom--.").status_code == 302


def test_required_fields(admin_client, procedure):
    html = unescape(post(admin_client, procedure, title="", body="").content.decode())
    assert "Indiquez le titre de l'attestation." in html and "Rédigez le corps de l'attestation." in html


def test_logo_and_signature_must_be_small_real_images(admin_client, procedure, settings):
    fake = SimpleUploadedFile("logo.png", b"pas une image", content_type="image/png")
    html = unescape(admin_client.post(url(procedure), {"title": "T", "body": "B", "logo": fake}).content.decode())
    assert "Le fichier du logo n'est pas une image lisible" in html

    settings.ATTESTATION_IMAGE_MAX_SIZE = 2000
    html = unescape(admin_client.post(url(procedure), {"title": "T", "body": "B", "signature": png(padding=3000)}).content.decode())
    assert "Le fichier du tampon ou de la signature est trop volumineux" in html
    assert not AttestationTemplate.objects.exists()


def test_logo_is_stored_shown_then_removed(admin_client, procedure):
    assert admin_client.post(url(procedure), {"title": "T", "body": "B", "logo": png()}).status_code == 302
    template = AttestationTemplate.objects.get()
    assert template.logo and template.logo.storage.exists(template.logo.name)
    assert "Image actuelle : logo.png" in admin_client.get(url(procedure)).content.decode()

    assert admin_client.post(url(procedure), {"title": "T", "body": "B", "supprimer_logo": "on"}).status_code == 302
    template.refresh_from_db()
    assert not template.logo


def test_the_preview_is_the_saved_template_with_fictitious_values(admin_client, procedure):
    post(admin_client, procedure, kind="refus", title="Refus n° --numéro du dossier--",
         body="Projet : --Nom du projet--. Motif : --motivation--")

    response = admin_client.get(url(procedure, "refus", apercu=True))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    text = pdf_text(response_bytes(response))
    assert "APERÇU" in text and "Aperçu sans valeur" in text
    assert "Refus n° 123456" in text
    assert "Projet : [réponse au champ « Nom du projet »]" in text
    assert "Motif : Motif du refus saisi par l'instructeur." in text


def test_the_preview_works_before_any_configuration(admin_client, procedure):
    response = admin_client.get(url(procedure, apercu=True))
    text = pdf_text(response_bytes(response))
    assert "Attestation d'acceptation" in text and "Ouverture d'une crèche" in text


def test_a_decompression_bomb_is_refused_like_any_unreadable_image(admin_client, procedure):
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")
    bomb = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")

    response = admin_client.post(url(procedure), {"title": "T", "body": "B", "logo": bomb})

    assert response.status_code == 200
    assert "Le fichier du logo n'est pas une image lisible" in unescape(response.content.decode())
    assert not AttestationTemplate.objects.exists()
