"""Export → import and clone carry the attestation templates (texts, activation, logo and tampon or
signature embedded in base64), the instruction labels, and a sanitised description; images are
checked on import exactly like an upload in the attestation editor."""

import base64
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from demarches.documents import services as documents_services
from demarches.documents.models import AttestationTemplate
from demarches.instruction.models import Label
from demarches.procedures import definitions, services
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db


def _image(fmt: str, color=(0, 0, 145), size=(24, 12)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


PNG, JPEG, GIF = _image("PNG"), _image("JPEG", color=(225, 0, 15)), _image("GIF")


@pytest.fixture
def source(administrateur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, publier=False, libelle="Aide au permis",
        champs=[("integer_number", "Montant demandé", True), ("text", "Commune", False)],
    )
    documents_services.attestation_modele_enregistrer(
        procedure=procedure, administrateur=administrateur, kind="acceptation", activated=True,
        title="Attestation d'aide au permis",
        body="Le dossier n° --numéro du dossier-- est accepté pour --Montant demandé-- euros.\n\nCommune : --Commune--",
        footer="Mairie, 1 place de la République",
        logo=SimpleUploadedFile("marianne.png", PNG, content_type="image/png"),
        signature=SimpleUploadedFile("tampon.jpg", JPEG, content_type="image/jpeg"),
    )
    documents_services.attestation_modele_enregistrer(
        procedure=procedure, administrateur=administrateur, kind="refus", activated=False,
        title="Refus de l'aide", body="Motif : --motivation--",
    )
    Label.objects.create(procedure=procedure, name="À rappeler", color=Label.Color.GREEN_MENTHE)
    Label.objects.create(procedure=procedure, name="Pièce manquante", color=Label.Color.PINK_TUILE)
    return Procedure.objects.get(pk=procedure.pk)


def _templates(procedure):
    return {t.kind: t for t in AttestationTemplate.objects.filter(procedure=procedure)}


def _lire(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _verifier_copie(copie, source):
    """Same texts and images as the source, in files of the copy's own."""
    sources, copies = _templates(source), _templates(copie)
    assert set(copies) == {"acceptation", "refus"}
    for kind, template in copies.items():
        origine = sources[kind]
        assert (template.activated, template.title, template.body, template.footer) == (
            origine.activated, origine.title, origine.body, origine.footer)
    acceptation = copies["acceptation"]
    assert _lire(acceptation.logo) == PNG and _lire(acceptation.signature) == JPEG
    assert acceptation.logo.name != sources["acceptation"].logo.name
    assert f"/{copie.pk}/" in acceptation.logo.name and f"/{copie.pk}/" in acceptation.signature.name
    assert acceptation.logo.name.endswith(".png") and acceptation.signature.name.endswith(".jpg")
    assert not copies["refus"].logo and not copies["refus"].signature
    assert [(label.name, label.color) for label in Label.objects.filter(procedure=copie).order_by("id")] == [
        ("À rappeler", "green-menthe"), ("Pièce manquante", "pink-tuile"),
    ]


def test_the_document_carries_attestations_with_their_images_and_the_labels(source):
    document = definitions.exporter(source)
    acceptation, refus = document["attestations"]
    assert acceptation["kind"] == "acceptation" and acceptation["activated"] is True
    assert acceptation["body"].startswith("Le dossier n° --numéro du dossier--")
    assert acceptation["footer"] == "Mairie, 1 place de la République"
    assert base64.b64decode(acceptation["logo"]) == PNG and base64.b64decode(acceptation["signature"]) == JPEG
    assert refus == {"kind": "refus", "activated": False, "qr_code": True, "title": "Refus de l'aide",
                     "body": "Motif : --motivation--", "footer": "", "logo": None, "signature": None}
    assert document["labels"] == [{"name": "À rappeler", "color": "green-menthe"},
                                  {"name": "Pièce manquante", "color": "pink-tuile"}]
    # never a path of this instance
    assert "attestations/modeles" not in json.dumps(document)


def test_export_import_export_is_identical(source):
    autre = factories.AdministrateurFactory()
    document = json.loads(json.dumps(definitions.exporter(source)))
    importee = services.procedure_importer(administrateur=autre, document=document)
    assert definitions.exporter(importee) == document
    _verifier_copie(importee, source)


def test_round_trip_through_the_web_and_the_commands(admin_client, source, tmp_path):
    response = admin_client.get(reverse("procedures:exporter", args=[source.pk]))
    other = factories.AdministrateurFactory()
    admin_client.force_login(other.user)
    upload = SimpleUploadedFile("demarche.json", response.content, content_type="application/json")
    assert admin_client.post(reverse("procedures:importer"), {"fichier": upload}).status_code == 302
    par_le_web = Procedure.objects.get(administrateurs=other)
    assert definitions.exporter(par_le_web) == definitions.exporter(source)
    _verifier_copie(par_le_web, source)
    path = tmp_path / "export.json"
    call_command("procedure_exporter", str(par_le_web.pk), "--output", str(path), stderr=io.StringIO())
    troisieme = factories.AdministrateurFactory()
    call_command("procedure_importer", str(path), "--administrateur", troisieme.user.email, stdout=io.StringIO())
    par_commande = Procedure.objects.get(administrateurs=troisieme)
    assert definitions.exporter(par_commande) == definitions.exporter(source)
    _verifier_copie(par_commande, source)


def test_clone_copies_the_images_to_files_of_its_own(source, administrateur):
    copie = services.procedure_cloner(procedure=source, administrateur=administrateur)
    assert definitions.exporter(copie) == definitions.exporter(source)
    _verifier_copie(copie, source)
    # removing the source's logo leaves the copy's
    logo_source = _templates(source)["acceptation"].logo
    logo_source.storage.delete(logo_source.name)
    assert _lire(_templates(copie)["acceptation"].logo) == PNG


def test_a_missing_image_file_is_left_out_of_the_export(source):
    logo = _templates(source)["acceptation"].logo
    logo.storage.delete(logo.name)
    document = definitions.exporter(source)
    assert document["attestations"][0]["logo"] is None and document["attestations"][0]["signature"]


def test_someone_else_cannot_export_the_demarche(client, source):
    client.force_login(factories.AdministrateurFactory().user)
    response = client.get(reverse("procedures:exporter", args=[source.pk]))
    assert response.status_code in (403, 404)
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied)
        services.procedure_exporter(procedure=source, administrateur=factories.AdministrateurFactory())


# --- Documents refused ----------------------------------------------------------------------------


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.mark.parametrize("change,message", [
    (lambda d: d["attestations"][0].update(logo=_b64(b"<?php system($_GET['c']); ?>")),
     "Attestation d'acceptation : Le fichier du logo n'est pas une image lisible"),
    (lambda d: d["attestations"][0].update(signature=_b64(b"<svg onload=alert(1)></svg>")),
     "Le fichier du tampon ou de la signature n'est pas une image lisible"),
    (lambda d: d["attestations"][0].update(logo=_b64(GIF)), "Le logo doit être une image PNG ou JPEG."),
    (lambda d: d["attestations"][0].update(logo=_b64(PNG[:40])), "n'est pas une image lisible"),
    (lambda d: d["attestations"][0].update(logo="pas du base64 !"), "n'est pas encodée en base64"),
    (lambda d: d["attestations"][0].update(logo=12), "doit être un texte en base64"),
    (lambda d: d["attestations"][1].update(body="Montant : --Montant accordé--"),
     "Attestation de refus : Balise inconnue : --Montant accordé--"),
    (lambda d: d["attestations"][1].update(title="  "), "Indiquez le titre de l'attestation."),
    (lambda d: d["attestations"][1].update(kind="acceptation"), "apparaît plusieurs fois"),
    (lambda d: d["attestations"][1].update(kind="sursis"), "doit être « acceptation » ou « refus »"),
    (lambda d: d.update(attestations={"kind": "refus"}), "« attestations » doit être une liste"),
    (lambda d: d["labels"][1].update(color="fuchsia"), "la couleur du label « Pièce manquante » est inconnue"),
    (lambda d: d["labels"][1].update(name="à RAPPELER"), "le label « à RAPPELER » apparaît plusieurs fois"),
    (lambda d: d["labels"][1].update(name="x" * 51), "dépasse 50 caractères"),
    (lambda d: d["labels"].append("Urgent"), "le label n° 3 doit être un objet"),
])
def test_a_bad_attestation_or_label_is_refused_and_nothing_is_created(source, change, message):
    document = definitions.exporter(source)
    change(document)
    before = (Procedure.objects.count(), AttestationTemplate.objects.count(), Label.objects.count())
    with pytest.raises(ValidationError) as error:
        services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert message in " ".join(error.value.messages)
    assert (Procedure.objects.count(), AttestationTemplate.objects.count(), Label.objects.count()) == before


def test_an_oversized_image_is_refused_like_in_the_editor(source, settings):
    settings.ATTESTATION_IMAGE_MAX_SIZE = len(JPEG) - 1
    document = definitions.exporter(source)
    with pytest.raises(ValidationError) as error:
        services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert "Le fichier du tampon ou de la signature est trop volumineux" in " ".join(error.value.messages)
    assert "la taille maximale est de" in " ".join(error.value.messages)


def test_a_decompression_bomb_is_refused(source):
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")  # ~50 kB file, 400 million pixels
    document = definitions.exporter(source)
    document["attestations"][0]["logo"] = _b64(buffer.getvalue())
    with pytest.raises(ValidationError) as error:
        services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert "Attestation d'acceptation" in " ".join(error.value.messages)


def test_a_bad_image_through_the_web_shows_a_french_error(admin_client, source):
    document = definitions.exporter(source)
    document["attestations"][0]["logo"] = _b64(b"MZ\x90\x00 not an image")
    upload = SimpleUploadedFile("demarche.json", json.dumps(document).encode(), content_type="application/json")
    response = admin_client.post(reverse("procedures:importer"), {"fichier": upload})
    assert response.status_code == 200
    assert "Le fichier du logo n&#x27;est pas une image lisible" in response.content.decode()
    assert Procedure.objects.count() == 1


def test_a_document_without_attestations_nor_labels_is_still_imported(source):
    document = definitions.exporter(source)
    document.pop("attestations")
    document.pop("labels")
    importee = services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert not AttestationTemplate.objects.filter(procedure=importee).exists()
    assert not Label.objects.filter(procedure=importee).exists()


# --- Description ------------------------------------------------------------------------------------


def test_the_imported_description_is_sanitised(source):
    document = definitions.exporter(source)
    document["procedure"]["description"] = (
        '<p onclick="steal()">Bienvenue <strong>ici</strong></p><script>alert(1)</script>'
        '<p><a href="javascript:alert(1)">piège</a> <a href="https://www.service-public.fr">aide</a></p>'
    )
    importee = services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert importee.description == (
        '<p>Bienvenue <strong>ici</strong></p><p><a rel="noopener">piège</a> '
        '<a href="https://www.service-public.fr" rel="noopener">aide</a></p>'
    )
    assert definitions.exporter(importee)["procedure"]["description"] == importee.description


def test_a_description_with_nothing_left_after_sanitising_is_refused(source):
    document = definitions.exporter(source)
    document["procedure"]["description"] = "<script>alert(1)</script>"
    with pytest.raises(ValidationError) as error:
        services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert "« description » de la démarche est vide" in " ".join(error.value.messages)
