"""Browser journey: the usager answers a « demande de correction » by modifying his dossier; the
deposit of the modifications resolves the correction and routes the dossier to its new groupe."""

import pytest
from playwright.sync_api import expect

from demarches.dossiers import services, transitions
from demarches.dossiers.models import Champ, CorrectionDemande, Dossier
from demarches.procedures import groupes
from demarches.procedures import services as procedure_services
from tests import factories
from tests.browser import login

pytestmark = pytest.mark.e2e
HTMX_IDLE = "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


@pytest.mark.django_db(transaction=True)
def test_correct_the_dossier_by_depositing_modifications(page, live_url, check_page):
    administrateur = factories.AdministrateurFactory()
    nord, sud = factories.InstructeurFactory(), factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[nord], publier=False,
        champs=[("text", "Nom du projet", True, {}), ("drop_down_list", "Secteur", True, {"choices": ["Nord", "Sud"]})],
    )
    groupe_sud = groupes.groupe_instructeur_creer(procedure=procedure, administrateur=administrateur, label="Groupe Sud")
    groupe_sud.instructeurs.add(sud)
    secteur = procedure.draft_revision.types_de_champ.get(libelle="Secteur")
    groupes.routage_definir(procedure=procedure, administrateur=administrateur, stable_id=secteur.stable_id,
                            regles={"Sud": groupe_sud.pk})
    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="routee-e2e")
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    for libelle, value in (("Nom du projet", "Projet"), ("Secteur", "Nord")):
        tdc = dossier.revision.types_de_champ.get(libelle=libelle)
        Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=value)
    assert services.dossier_deposer(dossier=dossier, user=usager) == []
    transitions.passer_en_instruction(dossier=dossier, instructeur=nord)
    transitions.repasser_en_construction_avec_correction(
        dossier=dossier, instructeur=nord, message="Précisez le secteur du projet.", reason="incorrect"
    )

    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/")
    expect(page.locator("#correction-demandee")).to_contain_text("Précisez le secteur du projet.")
    check_page("correction-demandee")
    page.get_by_role("link", name="Modifier le dossier").first.click()
    expect(page.locator("#correction-a-effectuer")).to_contain_text("la correction sera signalée comme effectuée")
    check_page("copie-avec-correction")
    page.locator("label", has_text="Sud").click()
    page.wait_for_function(HTMX_IDLE)
    page.get_by_role("button", name="Déposer les modifications").click()
    expect(page.get_by_text("Vos modifications ont été déposées")).to_be_visible()
    expect(page.locator("#correction-demandee")).to_have_count(0)
    check_page("modifications-deposees")

    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_CONSTRUCTION and dossier.groupe_instructeur == groupe_sud
    assert not CorrectionDemande.objects.get(dossier=dossier).is_pending
