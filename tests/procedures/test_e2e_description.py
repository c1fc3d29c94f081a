"""Browser journey: describe a démarche (logo, notice, cadre juridique), publish it, close it as
replaced by another démarche, and see what usagers see. axe-core on every screen."""

import io

import pytest
from django.test import Client
from PIL import Image

from demarches.procedures.models import Procedure
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_url, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])


def _png() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (240, 80), "#000091")
    for x in range(20, 60):
        for y in range(20, 60):
            image.putpixel((x, y), (255, 255, 255))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_describe_publish_and_close_with_replacement(page, live_url, check_page):
    administrateur = factories.AdministrateurFactory()
    instructeur = factories.InstructeurFactory()
    nouvelle = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], libelle="Chèque vélo 2027", path="cheque-velo-2027",
        cadre_juridique="Délibération du conseil municipal du 10 décembre 2026",
    )
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False, libelle="Chèque vélo 2026",
    )
    Procedure.objects.filter(pk=procedure.pk).update(cadre_juridique="")
    _login(page, live_url, administrateur.user)

    page.goto(live_url + f"/admin/procedures/{procedure.pk}/")
    assert page.get_by_text("Renseignez le cadre juridique").is_visible()
    page.get_by_role("link", name="Modifier la présentation de la démarche").click()
    check_page("description-formulaire")

    # a file named .png that is not an image: refused next to the field
    page.get_by_label("Logo de la démarche").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": b"GIF89a pas une image"}
    )
    page.get_by_role("button", name="Enregistrer").click()
    check_page("description-erreur-logo")
    assert page.locator("#id_logo-messages").get_by_text("n'est pas une image lisible").is_visible()

    page.get_by_label("Logo de la démarche").set_input_files({"name": "logo-velo.png", "mimeType": "image/png", "buffer": _png()})
    page.get_by_label("Notice explicative (fichier)").set_input_files(
        {"name": "guide-cheque-velo.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% guide\n"}
    )
    page.get_by_label("Cadre juridique (texte ou lien)").fill("Délibération du conseil municipal du 12 janvier 2026")
    page.get_by_label("Contact du délégué à la protection des données (DPO)").fill("dpo@mairie.exemple.fr")
    page.get_by_label("Temps de remplissage estimé (en minutes)").fill("10")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Les informations de la démarche ont été enregistrées.").wait_for()
    check_page("demarche-decrite")
    procedure.refresh_from_db()
    assert procedure.noms_fichiers["logo"] == "logo-velo.png" and procedure.noms_fichiers["notice"] == "guide-cheque-velo.pdf"

    page.get_by_role("link", name="Publier", exact=True).click()
    page.get_by_label("Adresse de la démarche").fill("cheque-velo-2026")
    check_page("publier")
    page.get_by_role("button", name="Publier", exact=True).click()
    page.get_by_text("La démarche est publiée.").wait_for()

    # what usagers see: logo, estimated time, the guide to download, DPO
    page.goto(live_url + "/commencer/cheque-velo-2026")
    check_page("commencer-decrite")
    assert page.locator("img.demarche-logo").evaluate("img => img.complete && img.naturalWidth") == 240
    assert page.get_by_text("Temps de remplissage estimé : 10 minutes").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le guide de la démarche").click()
    assert download.value.suggested_filename == "guide-cheque-velo.pdf"
    assert page.get_by_role("link", name="dpo@mairie.exemple.fr").is_visible()

    # close it, replaced by the 2027 démarche
    page.goto(live_url + f"/admin/procedures/{procedure.pk}/")
    page.get_by_role("link", name="Clore", exact=True).click()
    check_page("clore")
    assert page.get_by_text("Ce que la clôture change").is_visible()
    page.get_by_text("Elle est remplacée par une autre de mes démarches").click()
    page.get_by_label("Démarche de remplacement").select_option(str(nouvelle.pk))
    page.get_by_label("Message aux usagers").fill("Les demandes se font désormais sur la démarche 2027.")
    page.get_by_text("Prévenir par e-mail les usagers qui ont un brouillon sur cette démarche").click()
    page.get_by_role("button", name="Clore la démarche").click()
    page.get_by_text("La démarche est close").first.wait_for()
    check_page("demarche-close")
    assert page.get_by_role("link", name="Réactiver").is_visible()

    page.goto(live_url + "/commencer/cheque-velo-2026")
    check_page("commencer-close-remplacee")
    assert page.get_by_text("Cette démarche est remplacée par la démarche « Chèque vélo 2027 »").is_visible()
    page.get_by_role("link", name="Aller à la nouvelle démarche").click()
    page.wait_for_url("**/commencer/cheque-velo-2027")
    assert page.get_by_role("heading", level=1).inner_text() == "Chèque vélo 2027"

    # send a copy to a colleague: unknown address first
    collegue = factories.AdministrateurFactory(user__email="collegue@exemple.fr")
    page.goto(live_url + f"/admin/procedures/{procedure.pk}/")
    page.get_by_role("link", name="Envoyer une copie").click()
    page.get_by_label("Adresse électronique de l'administrateur destinataire").fill("inconnu@exemple.fr")
    page.get_by_role("button", name="Envoyer la copie").click()
    check_page("envoyer-copie-erreur")
    assert page.locator("#id_email-messages").get_by_text("Aucun administrateur n'a l'adresse inconnu@exemple.fr").is_visible()
    page.get_by_label("Adresse électronique de l'administrateur destinataire").fill("collegue@exemple.fr")
    page.get_by_role("button", name="Envoyer la copie").click()
    page.get_by_text("Une copie de la démarche a été envoyée à collegue@exemple.fr").wait_for()
    assert Procedure.objects.filter(administrateurs=collegue, libelle="Chèque vélo 2026", state="brouillon").exists()

    # reopen it
    page.get_by_role("link", name="Réactiver").click()
    check_page("reactiver")
    page.get_by_role("button", name="Réactiver la démarche").click()
    page.get_by_text("La démarche est de nouveau publiée").wait_for()
    assert Procedure.objects.get(pk=procedure.pk).state == "publiee"
