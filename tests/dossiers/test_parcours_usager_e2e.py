"""In the browser, the parts of the usager journey seed 000 shows on its screens: the démarche page's two
questions, the deposit bar that stays on screen while the form scrolls, and the PDF of a dossier
downloaded from « Mes dossiers »; every page passes axe-core."""

import pytest
from playwright.sync_api import expect

from demarches.dossiers.models import Dossier
from tests import factories
from tests.browser import login

pytestmark = pytest.mark.e2e

CHAMPS = [
    *[("text", f"Question {numero}", False, {}) for numero in range(1, 16)],
    ("piece_justificative", "Plan des locaux", True, {}),
]


@pytest.mark.django_db(transaction=True)
def test_demarche_page_deposit_bar_and_pdf_from_mes_dossiers(page, live_url, check_page):
    procedure = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()], champs=CHAMPS)
    procedure.duree_estimee_minutes = 15
    procedure.save(update_fields=["duree_estimee_minutes"])
    usager = factories.UserFactory()
    depose = factories.dossier_creer(procedure=procedure, user=usager, state=Dossier.State.EN_CONSTRUCTION)
    login(page, live_url, usager)

    # the démarche page: its object is open, the filling time opens on demand
    page.goto(f"{live_url}/commencer/{procedure.path}")
    expect(page.get_by_text(procedure.description)).to_be_visible()
    duree = page.get_by_role("button", name="Quelle est la durée de remplissage de la démarche ?")
    expect(duree).to_have_attribute("aria-expanded", "false")
    duree.click()
    expect(page.get_by_text("environ 15 minutes pour remplir ce formulaire")).to_be_visible()
    expect(page.locator("#commencer-duree").get_by_text("Plan des locaux")).to_be_visible()
    check_page("commencer")

    # a long form: the bar with « Déposer le dossier » is on screen from the top of the page
    page.get_by_role("button", name="Commencer un nouveau dossier").click()
    page.get_by_role("radio", name="Mme").check(force=True)
    page.get_by_label("Nom *", exact=True).fill("Durand")
    page.get_by_label("Prénom *").fill("Camille")
    page.get_by_role("button", name="Continuer").click()
    barre = page.locator("#barre-depot")
    expect(barre.get_by_text("Votre brouillon est automatiquement enregistré.")).to_be_in_viewport()
    expect(barre.get_by_role("button", name="Déposer le dossier")).to_be_in_viewport()
    expect(page.get_by_label("Question 15")).not_to_be_in_viewport()
    page.get_by_label("Question 1", exact=True).fill("Pharmacie du Port")
    expect(page.locator("#autosave-status")).to_contain_text("Votre brouillon a été enregistré")
    check_page("brouillon")

    # « Mes dossiers »: the deposited dossier's PDF
    page.goto(f"{live_url}/dossiers/?statut=en-cours")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name=f"Télécharger le PDF du dossier n° {depose.pk}").click()
    chemin = telechargement.value.path()
    with open(chemin, "rb") as fichier:
        assert fichier.read(5) == b"%PDF-"
    check_page("mes-dossiers")

    # the dossier's page: « Télécharger mon dossier (PDF) » and the accusé de dépôt
    page.goto(f"{live_url}/dossiers/{depose.pk}/")
    for lien in ("Télécharger mon dossier (PDF)", "Télécharger l'accusé de dépôt"):
        with page.expect_download() as telechargement:
            page.get_by_role("link", name=lien).click()
        with open(telechargement.value.path(), "rb") as fichier:
            assert fichier.read(5) == b"%PDF-", lien
