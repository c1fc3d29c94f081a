"""Usager journeys in the browser: personne morale through SIRET, upload with a progress bar and
immediate refusal of bad files, « Modifier le dossier » then « Déposer les modifications », English."""

import re

import pytest
from playwright.sync_api import expect

from demarches.audit.models import OperationLog
from demarches.dossiers import services
from demarches.dossiers.models import Champ, Dossier, PieceJointe
from tests import factories
from tests.browser import login, televerser

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_personne_morale_through_siret(page, live_url, check_page):
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        instructeurs=[instructeur], for_individual=False, champs=[("text", "Nom du projet", True, {})]
    )
    login(page, live_url, factories.UserFactory())
    page.goto(f"{live_url}/commencer/{procedure.path}")
    page.get_by_role("button", name="Commencer la démarche").click()
    expect(page.get_by_role("heading", name="Identifier votre établissement")).to_be_visible()
    check_page("siret")
    page.get_by_label("Numéro SIRET *").fill("812 345 676 00018")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("la clé de contrôle ne correspond pas")).to_be_visible()
    check_page("siret-invalide")
    page.get_by_label("Numéro SIRET *").fill("812 345 676 00017")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="BOULANGERIE MARTIN (Au Pain d'Antan)")).to_be_visible()
    expect(page.get_by_text("12 Rue de la République, 69002 Lyon")).to_be_visible()
    check_page("siret-etablissement")
    page.get_by_role("link", name="Utiliser un autre numéro SIRET").click()
    expect(page.get_by_label("Numéro SIRET *")).to_have_value("")
    page.get_by_label("Numéro SIRET *").fill("84512378500022")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="ATELIER NUMERIQUE DURAND")).to_be_visible()
    page.get_by_role("button", name="Continuer avec ces informations").click()
    expect(page.get_by_role("heading", name="Établissement demandeur")).to_be_visible()
    expect(page.get_by_text("ATELIER NUMERIQUE DURAND")).to_be_visible()
    check_page("brouillon-entreprise")
    page.get_by_label("Nom du projet *").fill("Site vitrine")
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
    dossier = Dossier.objects.get()
    assert dossier.state == "en_construction" and dossier.siret == "84512378500022"
    assert dossier.demandeur == "ATELIER NUMERIQUE DURAND"
    page.get_by_role("link", name="Accéder à votre dossier").click()
    page.get_by_role("link", name="Votre dossier", exact=True).click()
    expect(page.get_by_text("ATELIER NUMERIQUE DURAND")).to_be_visible()
    check_page("demande-entreprise")


@pytest.mark.django_db(transaction=True)
def test_upload_with_progress_and_immediate_refusal_of_bad_files(page, live_url, check_page, tmp_path, settings):
    settings.PIECE_JUSTIFICATIVE_MAX_SIZE = 4 * 1024 * 1024
    procedure = factories.procedure_creer(
        instructeurs=[factories.InstructeurFactory()], champs=[("piece_justificative", "Plan des locaux", True, {})]
    )
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    tdc = dossier.revision.types_de_champ.get(libelle="Plan des locaux")
    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/brouillon/")
    big = tmp_path / "plan-detaille.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    huge = tmp_path / "scan-complet.pdf"
    huge.write_bytes(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    exe = tmp_path / "outil.exe"
    exe.write_bytes(b"MZ" + b"0" * 100)
    # a slow connection, to see the progress bar
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 50, "downloadThroughput": 2_000_000, "uploadThroughput": 750_000},
    )
    televerser(page.get_by_label("Plan des locaux *"), [str(big), str(huge), str(exe)])
    # the refused files are named at once, with their reason
    rejets = page.locator(f"#{tdc.html_id}-televersement .televersement-rejets")
    expect(rejets).to_contain_text("« scan-complet.pdf » : fichier trop volumineux")
    expect(rejets).to_contain_text("« outil.exe » : format non accepté")
    # the valid one goes with a progress bar
    progression = page.locator(f"progress#{tdc.html_id}-progression")
    expect(progression).to_be_visible()
    expect(page.get_by_text(re.compile(r"Envoi du fichier « plan-detaille.pdf » : \d+ %"))).to_be_visible()
    check_page("televersement-en-cours")
    expect(page.get_by_role("link", name=re.compile("plan-detaille.pdf"))).to_be_visible(timeout=30_000)
    expect(progression).to_have_count(0)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    expect(rejets).to_be_visible()  # still there after the block was refreshed
    check_page("televersement-termine")
    assert list(PieceJointe.objects.filter(champ__dossier=dossier).values_list("filename", flat=True)) == ["plan-detaille.pdf"]
    # several files per champ
    second = tmp_path / "annexe.pdf"
    second.write_bytes(b"%PDF-1.4 annexe")
    televerser(page.get_by_label("Plan des locaux *"), str(second))
    expect(page.get_by_role("link", name=re.compile("annexe.pdf"))).to_be_visible(timeout=15_000)
    expect(page.get_by_role("link", name=re.compile("plan-detaille.pdf"))).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_modify_a_deposited_dossier_then_deposit_the_changes(page, live_url, check_page):
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(instructeurs=[instructeur], champs=[("text", "Nom du projet", True, {})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    tdc = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value="Projet initial")
    assert services.dossier_deposer(dossier=dossier, user=usager) == []
    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Modifier le dossier").click()
    expect(page.get_by_text("Vous modifiez votre dossier déposé")).to_be_visible()
    check_page("modification")
    page.get_by_label("Nom du projet *").fill("Projet corrigé")
    expect(page.locator("#autosave-status")).to_contain_text("pas encore transmises")
    assert Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id).value == "Projet initial"
    page.get_by_role("button", name="Déposer les modifications").click()
    expect(page.get_by_text("Vos modifications ont été déposées")).to_be_visible()
    check_page("modifications-deposees")
    assert Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id).value == "Projet corrigé"
    assert OperationLog.objects.filter(operation="dossier_modifications_deposer", dossier_id=dossier.pk).exists()
    assert not Dossier.objects.filter(editing_fork_origin=dossier).exists()
    # and abandoning a second round leaves the dossier as deposited
    page.get_by_role("link", name="Modifier le dossier").click()
    page.get_by_label("Nom du projet *").fill("Brouillon de modification")
    expect(page.locator("#autosave-status")).to_contain_text("pas encore transmises")
    page.get_by_role("button", name="Abandonner les modifications").click()
    expect(page.get_by_text("Vos modifications ont été abandonnées")).to_be_visible()
    assert Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id).value == "Projet corrigé"


@pytest.mark.django_db(transaction=True)
def test_switch_the_interface_to_english(page, live_url, check_page):
    procedure = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state="en_construction")
    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/")
    expect(page.get_by_role("heading", name="Mes dossiers")).to_be_visible()
    page.locator("#choix-langue .fr-translate__btn").click()
    page.get_by_role("button", name="EN - English").click()
    expect(page.get_by_role("heading", name="My applications")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    check_page("mes-dossiers-en")
    page.goto(f"{live_url}/dossiers/{dossier.pk}/")
    expect(page.get_by_text(f"Application no. {dossier.pk}")).to_be_visible()
    check_page("dossier-en")
    page.goto(f"{live_url}/commencer/{procedure.path}")
    expect(page.get_by_role("link", name="File another application").or_(page.get_by_role("link", name="See my application"))).to_be_visible()
    check_page("commencer-en")
    page.locator("#choix-langue .fr-translate__btn").click()
    page.get_by_role("button", name="FR - Français").click()
    expect(page.get_by_role("link", name="Voir mon dossier")).to_be_visible()
