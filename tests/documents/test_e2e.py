"""Browser journey: the administrateur activates the attestation, the usager downloads his accusé de
dépôt and his attestation, and anyone verifies them through the page their QR code leads to."""

import re
from pathlib import Path

import pytest
from django.conf import settings as dj_settings
from django.test import Client
from playwright.sync_api import expect

from demarches.dossiers import transitions
from tests import factories

from .conftest import CHAMPS, deposer, instruire, pdf_text

CODE_RE = re.compile(r"Code de vérification : ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


def login(page, live_url, user):
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[dj_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": dj_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_url}])


def download(page, link_name) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return pdf_text(Path(info.value.path()).read_bytes())


def verification_url(text: str, live_url: str) -> str:
    code = CODE_RE.search(text).group(1)
    url = f"{live_url}/verifier/{code}/"
    assert url in text.replace(" ", ""), "the printed address is the one the QR code encodes"
    return url


@pytest.mark.django_db(transaction=True)
def test_usager_downloads_receipt_and_attestation_and_verifies_them(page, live_url, check_page):
    administrateur, instructeur = factories.AdministrateurFactory(), factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, libelle="Ouverture d'une crèche"
    )

    login(page, live_url, administrateur.user)
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/attestation/")
    check_page("editeur-attestation")
    expect(page.get_by_label("Imprimer un code QR de vérification")).to_be_checked()  # on unless unticked
    page.get_by_label("Activer l'attestation d'acceptation").check(force=True)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'attestation d'acceptation est activée.")).to_be_visible()
    check_page("editeur-attestation-activee")

    dossier = deposer(procedure)  # real commits: the after-commit handler records the receipt
    login(page, live_url, dossier.user)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/merci/")
    check_page("merci-avec-documents")
    receipt = download(page, re.compile("Télécharger l'accusé de dépôt"))
    assert f"Numéro du dossier {dossier.pk}" in receipt and dossier.accuse_depot.content_digest in receipt.replace(" ", "")

    page.context.clear_cookies()  # whoever scans the QR code: not logged in
    page.goto(verification_url(receipt, live_url))
    expect(page.get_by_role("heading", name="Document authentique")).to_be_visible()
    expect(page.get_by_text("Accusé de dépôt", exact=True)).to_be_visible()
    expect(page.get_by_text(dossier.accuse_depot.content_digest)).to_be_visible()
    assert "Lefèvre" not in page.content() and dossier.user.email not in page.content()
    check_page("verification-accuse")

    instruire(dossier, instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Dossier conforme.")
    login(page, live_url, dossier.user)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/")
    check_page("dossier-accepte-documents")
    attestation = download(page, re.compile("Télécharger l'attestation d'acceptation"))
    assert "Attestation d'acceptation" in attestation and "Dossier conforme." in attestation

    page.context.clear_cookies()
    page.goto(verification_url(attestation, live_url))
    expect(page.get_by_role("heading", name="Document authentique")).to_be_visible()
    expect(page.get_by_text(re.compile("Dossier accepté le"))).to_be_visible()
    assert "Dossier conforme." not in page.content() and "Hélène" not in page.content()
    check_page("verification-attestation")

    login(page, live_url, instructeur.user)
    page.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    check_page("instructeur-dossier-documents")
    complet = download(page, re.compile("Le dossier avec les annotations privées et les avis"))
    assert f"Dossier n° {dossier.pk}" in complet and "Avis externes" in complet and "Les petits pas" in complet

    page.context.clear_cookies()
    page.goto(f"{live_url}/verifier/AAAA-BBBB-CCCC-DDDD/")
    expect(page.get_by_role("heading", name="Aucun document ne correspond à ce code")).to_be_visible()
    check_page("verification-code-inconnu")
    page.get_by_label("Code de vérification").fill(CODE_RE.search(attestation).group(1).lower())
    page.get_by_role("button", name="Vérifier le document").click()
    expect(page.get_by_role("heading", name="Document authentique")).to_be_visible()
