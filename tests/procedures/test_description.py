"""Describe the démarche: logo, notice, cadre juridique, DPO, MonAvis, estimated time, durée de conservation."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from demarches.audit.models import OperationLog
from demarches.procedures import description, policies, services
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db


CADRE = "Loi n° 78-17 du 6 janvier 1978"


@pytest.fixture
def procedure(db, administrateur, instructeur):
    """A published démarche (with its cadre juridique, required for publication)."""
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], cadre_juridique=CADRE)

MONAVIS = (
    '<a href="https://voxusagers.numerique.gouv.fr/Demarches/3491?&view-mode=formulaire-avis&nd_source=button&key=abc">'
    '<img src="https://voxusagers.numerique.gouv.fr/static/bouton-bleu.svg" alt="Je donne mon avis" '
    'title="Je donne mon avis sur cette démarche" /></a>'
)


def png(name="logo.png", image_format="PNG", size=(40, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name="guide.pdf", size=None) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n% guide\n"
    if size:
        content += b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(procedure, **extra):
    return {
        "libelle": procedure.libelle, "description": procedure.description, "for_individual": "1",
        "declarative_with_state": "", "duree_conservation_dossiers": "12",
        "service_choice": str(procedure.service_id), **extra,
    }


# --- checks (unit) ------------------------------------------------------------------------------


def test_logo_png_and_jpeg_accepted():
    description.logo_verifier(png())
    description.logo_verifier(png("logo.jpg", "JPEG"))


@pytest.mark.parametrize("uploaded,message", [
    (SimpleUploadedFile("logo.png", b"not an image at all"), "n'est pas une image lisible"),
    (png("logo.gif", "GIF"), "doit être une image PNG ou JPEG"),
    (png("logo.png", "JPEG"), "ne correspond pas à son extension"),
    (png("logo.png", "GIF"), "ne correspond pas à son extension"),
])
def test_logo_content_is_checked_not_only_the_extension(uploaded, message):
    with pytest.raises(ValidationError, match=message):
        description.logo_verifier(uploaded)


def test_logo_at_most_5_mb():
    big = png()
    big.size = 5 * 1024 * 1024 + 1
    with pytest.raises(ValidationError, match="trop volumineux .* maximale est de 5 Mo"):
        description.logo_verifier(big)


def test_notice_pdf_and_office_accepted_by_signature():
    description.notice_verifier(pdf())
    description.notice_verifier(SimpleUploadedFile("guide.docx", b"PK\x03\x04rest"))
    description.notice_verifier(SimpleUploadedFile("guide.xls", description.OLE + b"rest"))


@pytest.mark.parametrize("uploaded,message", [
    (SimpleUploadedFile("guide.exe", b"MZ..."), "format de fichier n'est pas accepté"),
    (SimpleUploadedFile("guide.pdf", b"<html>not a pdf</html>"), "ne correspond pas à son extension"),
    (SimpleUploadedFile("guide.docx", b"%PDF-1.4"), "ne correspond pas à son extension"),
    (pdf(size=20 * 1024 * 1024 + 1), "trop volumineux"),
])
def test_notice_refused(uploaded, message):
    with pytest.raises(ValidationError, match=message):
        description.notice_verifier(uploaded)


def test_deliberation_accepts_images_too():
    description.deliberation_verifier(png("deliberation.png"))
    with pytest.raises(ValidationError, match="ne correspond pas"):
        description.deliberation_verifier(SimpleUploadedFile("deliberation.jpg", b"\x89PNG\r\n\x1a\n"))
    description.deliberation_verifier(pdf("deliberation.pdf", size=20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="trop volumineux .* maximale est de 20 Mo"):
        description.deliberation_verifier(pdf("deliberation.pdf", size=20 * 1024 * 1024 + 1))


@pytest.mark.parametrize("value,expected", [
    ("", ""), ("  DPO@Exemple.FR ", "dpo@exemple.fr"), ("https://www.exemple.fr/dpo", "https://www.exemple.fr/dpo"),
])
def test_dpo_email_or_url(value, expected):
    assert description.dpo_normaliser(value) == expected


@pytest.mark.parametrize("value", ["dpo", "https://", "javascript:alert(1)", "ftp://exemple.fr"])
def test_dpo_invalid(value):
    with pytest.raises(ValidationError):
        description.dpo_normaliser(value)


def test_monavis_official_button_kept_and_sanitised():
    propre = description.monavis_verifier(MONAVIS.replace("<img ", '<img onerror="alert(1)" '))
    assert propre.startswith('<a href="https://voxusagers.numerique.gouv.fr/Demarches/3491')
    assert "onerror" not in propre and 'rel="noopener noreferrer"' in propre
    assert 'alt="Je donne mon avis"' in propre


@pytest.mark.parametrize("code", [
    "<script>alert(1)</script>",
    MONAVIS.replace("https://voxusagers.numerique.gouv.fr/Demarches", "https://pirate.example.com/Demarches"),
    MONAVIS.replace("https://voxusagers.numerique.gouv.fr/static", "https://pirate.example.com/static"),
    MONAVIS.replace("https://", "http://"),
    MONAVIS + "<p>Et un texte</p>",
    MONAVIS + MONAVIS,
    MONAVIS.replace('alt="Je donne mon avis"', ""),
    '<a href="https://voxusagers.numerique.gouv.fr/Demarches/1">Je donne mon avis</a>',
])
def test_monavis_anything_else_refused(code):
    with pytest.raises(ValidationError, match="bouton MonAvis"):
        description.monavis_verifier(code)


# --- services -----------------------------------------------------------------------------------


def test_files_replaced_and_removed(procedure_en_test, administrateur, django_capture_on_commit_callbacks):
    procedure = services.procedure_fichiers_modifier(
        procedure=procedure_en_test, administrateur=administrateur, fichiers={"logo": png(), "notice": pdf()},
    )
    first_logo = procedure.logo.name
    assert procedure.noms_fichiers == {"logo": "logo.png", "notice": "guide.pdf", "deliberation": ""}
    storage = procedure.logo.storage
    with django_capture_on_commit_callbacks(execute=True):
        procedure = services.procedure_fichiers_modifier(
            procedure=procedure, administrateur=administrateur, fichiers={"logo": png("nouveau.jpg", "JPEG")}, supprimer=["notice"],
        )
    assert procedure.noms_fichiers["logo"] == "nouveau.jpg" and not procedure.notice
    assert not storage.exists(first_logo)
    entry = OperationLog.objects.filter(procedure_id=procedure.pk).order_by("-id").first()
    assert entry.data == {"action": "procedure_fichiers_modifier", "fichiers": {"logo": "nouveau.jpg", "notice": None}}


def test_files_service_checks_content_and_rights(procedure_en_test, administrateur):
    with pytest.raises(ValidationError) as error:
        services.procedure_fichiers_modifier(
            procedure=procedure_en_test, administrateur=administrateur,
            fichiers={"logo": SimpleUploadedFile("logo.png", b"nope"), "notice": pdf("guide.txt")},
        )
    assert set(error.value.error_dict) == {"logo", "notice"}
    with pytest.raises(PermissionDenied):
        services.procedure_fichiers_modifier(
            procedure=procedure_en_test, administrateur=factories.AdministrateurFactory(), fichiers={"logo": png()},
        )


def test_options_checked_by_the_service(procedure_en_test, administrateur):
    with pytest.raises(ValidationError) as error:
        services.procedure_modifier(
            procedure=procedure_en_test, administrateur=administrateur,
            lien_dpo="pas un contact", monavis_embed="<b>x</b>", duree_estimee_minutes=0,
        )
    assert set(error.value.error_dict) == {"lien_dpo", "monavis_embed", "duree_estimee_minutes"}
    procedure = services.procedure_modifier(
        procedure=procedure_en_test, administrateur=administrateur, lien_dpo="DPO@exemple.fr", monavis_embed=MONAVIS,
        duree_estimee_minutes=15, cadre_juridique="Article L. 212-1 du code de l'éducation",
    )
    assert procedure.lien_dpo == "dpo@exemple.fr" and "rel=" in procedure.monavis_embed


def test_duree_de_conservation_bounded_by_the_platform_setting(procedure_en_test, administrateur):
    maximum = policies.DUREE_CONSERVATION_MAX
    with pytest.raises(ValidationError, match=f"entre 1 et {maximum} mois"):
        services.procedure_modifier(procedure=procedure_en_test, administrateur=administrateur, duree_conservation_dossiers=maximum + 1)
    services.procedure_modifier(procedure=procedure_en_test, administrateur=administrateur, duree_conservation_dossiers=maximum)


def test_cadre_juridique_required_before_publication(procedure_en_test, administrateur):
    Procedure.objects.filter(pk=procedure_en_test.pk).update(cadre_juridique="")
    procedure_en_test.refresh_from_db()
    assert any("cadre juridique" in m for m in policies.publication_manquants(procedure_en_test))
    with pytest.raises(ValidationError, match="cadre juridique"):
        services.procedure_publier(procedure=procedure_en_test, administrateur=administrateur, path="velo")
    # a délibération is enough
    services.procedure_fichiers_modifier(procedure=procedure_en_test, administrateur=administrateur, fichiers={"deliberation": pdf()})
    procedure_en_test.refresh_from_db()
    assert not any("cadre juridique" in m for m in policies.publication_manquants(procedure_en_test))
    assert services.procedure_publier(procedure=procedure_en_test, administrateur=administrateur, path="velo").state == "publiee"


def test_copy_takes_the_description_and_files(procedure_en_test, administrateur):
    services.procedure_modifier(procedure=procedure_en_test, administrateur=administrateur, lien_dpo="dpo@exemple.fr",
                                monavis_embed=MONAVIS, duree_estimee_minutes=10, cadre_juridique="Loi n° 1")
    services.procedure_fichiers_modifier(procedure=procedure_en_test, administrateur=administrateur,
                                         fichiers={"logo": png(), "notice": pdf()})
    procedure_en_test.refresh_from_db()
    copie = services.procedure_cloner(procedure=procedure_en_test, administrateur=administrateur)
    assert (copie.lien_dpo, copie.duree_estimee_minutes, copie.cadre_juridique) == ("dpo@exemple.fr", 10, "Loi n° 1")
    assert copie.noms_fichiers["logo"] == "logo.png" and copie.logo.name != procedure_en_test.logo.name
    assert copie.notice.read().startswith(b"%PDF-")


# --- views --------------------------------------------------------------------------------------


def test_modifier_uploads_files_and_options(admin_client, procedure_en_test):
    url = reverse("procedures:modifier", args=[procedure_en_test.pk])
    page = admin_client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and "Logo de la démarche" in page and "Code du bouton MonAvis" in page
    response = admin_client.post(url, form_data(
        procedure_en_test, logo=png(), notice=pdf(), deliberation=pdf("deliberation.pdf"),
        cadre_juridique="https://www.legifrance.gouv.fr/loi", lien_dpo="https://exemple.fr/dpo", monavis_embed=MONAVIS,
        duree_estimee_minutes="20", lien_notice="",
    ))
    assert response.status_code == 302
    procedure = Procedure.objects.get(pk=procedure_en_test.pk)
    assert procedure.noms_fichiers == {"logo": "logo.png", "notice": "guide.pdf", "deliberation": "deliberation.pdf"}
    assert procedure.duree_estimee_minutes == 20 and procedure.lien_dpo == "https://exemple.fr/dpo"
    show = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert "20 minutes" in show and reverse("procedures:fichier", args=[procedure.pk, "notice"]) in show
    # the current files are listed on the form, with a box to remove each
    page = admin_client.get(url).content.decode()
    assert "Fichier actuel" in page and "Supprimer le logo actuel" in page
    admin_client.post(url, form_data(procedure, supprimer_logo="on", cadre_juridique="Loi"))
    assert not Procedure.objects.get(pk=procedure.pk).logo


@pytest.mark.parametrize("field,value,message", [
    ("logo", SimpleUploadedFile("logo.png", b"GIF89a fake"), "n&#x27;est pas une image lisible"),
    ("notice", SimpleUploadedFile("guide.pdf", b"no pdf"), "ne correspond pas à son extension"),
    ("deliberation", SimpleUploadedFile("d.zip", b"PK\x03\x04"), "format de fichier n&#x27;est pas accepté"),
    ("lien_dpo", "dpo", "Saisissez une adresse électronique"),
    ("monavis_embed", "<iframe src='https://pirate.example.com'></iframe>", "bouton MonAvis"),
    ("duree_estimee_minutes", "0", "Le temps de remplissage estimé doit être compris"),
    ("lien_notice", "pas une url", "Saisissez une adresse web valide"),
    ("duree_conservation_dossiers", str(policies.DUREE_CONSERVATION_MAX + 1), "La durée de conservation doit être comprise"),
])
def test_errors_in_french_next_to_the_field(admin_client, procedure_en_test, field, value, message):
    response = admin_client.post(reverse("procedures:modifier", args=[procedure_en_test.pk]), form_data(procedure_en_test, **{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    error_block = html.split(f'id="id_{field}-messages"', 1)[1].split("</div>", 1)[0]
    assert message in error_block
    assert not Procedure.objects.get(pk=procedure_en_test.pk).logo


def test_new_demarche_with_a_logo(admin_client):
    from tests.procedures.test_views_procedures import VALID

    response = admin_client.post(reverse("procedures:nouvelle"), {**VALID, "logo": png(), "cadre_juridique": "Loi"})
    assert response.status_code == 302
    procedure = Procedure.objects.latest("pk")
    assert procedure.noms_fichiers["logo"] == "logo.png" and procedure.cadre_juridique == "Loi"


def test_usager_sees_logo_notice_dpo_and_time_on_commencer(client, procedure, administrateur):
    services.procedure_modifier(procedure=procedure, administrateur=administrateur, lien_dpo="dpo@exemple.fr",
                                duree_estimee_minutes=15, cadre_juridique="Décret n° 2020-1")
    services.procedure_fichiers_modifier(procedure=procedure, administrateur=administrateur,
                                         fichiers={"logo": png(), "notice": pdf()})
    html = client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    logo_url = reverse("procedures:fichier", args=[procedure.pk, "logo"])
    notice_url = reverse("procedures:fichier", args=[procedure.pk, "notice"])
    assert logo_url in html and notice_url in html
    assert "Télécharger le guide de la démarche" in html and "Temps de remplissage estimé : 15 minutes" in html
    assert 'href="mailto:dpo@exemple.fr"' in html and "Décret n° 2020-1" in html
    # anyone may download them, logo inline and notice as an attachment
    logo = client.get(logo_url)
    assert logo.status_code == 200 and not logo["Content-Disposition"].startswith("attachment")
    notice = client.get(notice_url)
    assert notice["Content-Disposition"].startswith("attachment") and b"".join(notice.streaming_content).startswith(b"%PDF-")


def test_notice_as_a_link(client, procedure, administrateur):
    services.procedure_modifier(procedure=procedure, administrateur=administrateur, lien_notice="https://exemple.fr/guide")
    html = client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    assert 'href="https://exemple.fr/guide"' in html and "Consulter le guide de la démarche" in html


def test_files_of_a_deleted_or_unknown_demarche_are_not_served(client, procedure_en_test, administrateur):
    services.procedure_fichiers_modifier(procedure=procedure_en_test, administrateur=administrateur, fichiers={"logo": png()})
    url = reverse("procedures:fichier", args=[procedure_en_test.pk, "logo"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("procedures:fichier", args=[procedure_en_test.pk, "notice"])).status_code == 404
    assert client.get(reverse("procedures:fichier", args=[procedure_en_test.pk, "description"])).status_code == 404
    assert client.get(reverse("procedures:fichier", args=[999999, "logo"])).status_code == 404
    services.procedure_supprimer(procedure=procedure_en_test, administrateur=administrateur)
    assert client.get(url).status_code == 404


def test_logo_in_the_header_of_dossier_pages_and_monavis_after_deposit(client, procedure, administrateur, usager):
    services.procedure_modifier(procedure=procedure, administrateur=administrateur, monavis_embed=MONAVIS)
    services.procedure_fichiers_modifier(procedure=procedure, administrateur=administrateur, fichiers={"logo": png()})
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state="en_construction")
    client.force_login(usager)
    logo_url = reverse("procedures:fichier", args=[procedure.pk, "logo"])
    for name in ("dossiers:merci", "dossiers:show"):
        html = client.get(reverse(name, args=[dossier.pk])).content.decode()
        assert 'href="https://voxusagers.numerique.gouv.fr/Demarches/3491' in html, name
        assert 'rel="noopener noreferrer"' in html
    assert logo_url in client.get(reverse("dossiers:show", args=[dossier.pk])).content.decode()


def test_monavis_stored_before_the_check_is_sanitised_at_display(client, procedure, usager):
    Procedure.objects.filter(pk=procedure.pk).update(monavis_embed=MONAVIS + "<script>alert('x')</script>")
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state="en_construction")
    client.force_login(usager)
    html = client.get(reverse("dossiers:merci", args=[dossier.pk])).content.decode()
    assert "alert(" not in html and "voxusagers.numerique.gouv.fr/Demarches/3491" in html


def test_an_administrateur_never_changes_a_demarche_he_does_not_administer(client, procedure_en_test):
    autre = factories.AdministrateurFactory()
    client.force_login(autre.user)
    url = reverse("procedures:modifier", args=[procedure_en_test.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(procedure_en_test, logo=png(), lien_dpo="x@exemple.fr")).status_code == 404
    procedure_en_test.refresh_from_db()
    assert not procedure_en_test.logo and not procedure_en_test.lien_dpo


# --- service: type d'organisme ------------------------------------------------------------------


def test_service_type_organisme_on_the_service_form(admin_client, procedure_en_test):
    service = procedure_en_test.service
    url = reverse("procedures:service_modifier", args=[service.pk]) + f"?procedure={procedure_en_test.pk}"
    assert "Type d&#x27;organisme" in admin_client.get(url).content.decode()
    data = {"nom": service.nom, "organisme": "Mairie de Brest", "email": service.email, "type_organisme": "collectivite_territoriale"}
    assert admin_client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.type_organisme == "collectivite_territoriale"
    show = admin_client.get(reverse("procedures:show", args=[procedure_en_test.pk])).content.decode()
    assert "Collectivité territoriale" in show
    html = admin_client.post(url, {**data, "type_organisme": "ministere-pirate"}).content.decode()
    assert "Sélectionnez un choix valide" in html.split('id="id_type_organisme-messages"', 1)[1].split("</div>", 1)[0]


def test_new_service_with_its_type(admin_client):
    from tests.procedures.test_views_procedures import VALID

    response = admin_client.post(reverse("procedures:nouvelle"), {**VALID, "service_type_organisme": "operateur_d_etat"})
    assert response.status_code == 302
    assert Procedure.objects.latest("pk").service.type_organisme == "operateur_d_etat"
    with pytest.raises(ValidationError):
        services.service_creer(administrateur=factories.AdministrateurFactory(), nom="S", email="s@exemple.fr", type_organisme="x")


def test_the_birth_date_option_on_the_description_form(admin_client, procedure_en_test):
    url = reverse("procedures:modifier", args=[procedure_en_test.pk])
    page = admin_client.get(url).content.decode()
    assert 'type="checkbox" name="demander_date_naissance"' in page
    assert "Demander la date de naissance des particuliers" in page
    # ticked: the démarche asks it, and its page says so
    response = admin_client.post(url, form_data(procedure_en_test, demander_date_naissance="on", cadre_juridique="Loi"))
    assert response.status_code == 302
    procedure = Procedure.objects.get(pk=procedure_en_test.pk)
    assert procedure.demander_date_naissance is True
    show = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert "particuliers, date de naissance demandée" in show
    page = admin_client.get(url).content.decode()
    assert re.search(r'<input type="checkbox" name="demander_date_naissance"[^>]* checked', page)
    # unticked again
    admin_client.post(url, form_data(procedure, cadre_juridique="Loi"))
    assert Procedure.objects.get(pk=procedure.pk).demander_date_naissance is False
