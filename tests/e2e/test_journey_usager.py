"""Usager journey in the browser: every field type, autosave, attachments, deposit banner, messagerie."""

import re

import pytest
from playwright.sync_api import expect

from demarches.dossiers import services, transitions
from demarches.dossiers.models import Dossier
from tests import factories
from tests.browser import cocher, login, televerser

CHAMPS = [
    ("header_section", "Votre projet", False, {}),
    ("explication", "Décrivez votre projet en quelques lignes.", False, {}),
    ("text", "Nom du projet", True, {}),
    ("textarea", "Description", False, {"character_limit": 200}),
    ("integer_number", "Nombre de patients", True, {"min": 0, "max": 1000}),
    ("decimal_number", "Surface", False, {}),
    ("date", "Date souhaitée", False, {}),
    ("datetime", "Rendez-vous", False, {}),
    ("email", "Adresse du responsable", False, {}),
    ("phone", "Téléphone", False, {}),
    ("civilite", "Civilité du pharmacien", False, {}),
    ("drop_down_list", "Type de demande", True, {"choices": ["Création", "Modification"]}),
    ("checkbox", "Je certifie l'exactitude des informations", False, {}),
    ("multiple_drop_down_list", "Activités", False, {"choices": ["Stockage", "Livraison"]}),
    ("yes_no", "Disposez-vous d'un véhicule ?", False, {}),
    ("piece_justificative", "Plan des locaux", True, {}),
]


@pytest.mark.django_db(transaction=True)
def test_usager_fills_every_field_type_deposits_and_writes(page, live_url, check_page, tmp_path):
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(instructeurs=[instructeur], champs=CHAMPS)
    usager = factories.UserFactory()
    page.goto(f"{live_url}/commencer/{procedure.path}")
    check_page("commencer-anonyme")
    login(page, live_url, usager)
    page.goto(f"{live_url}/commencer/{procedure.path}")
    check_page("commencer-connecte")
    page.get_by_role("button", name="Commencer la démarche").click()
    check_page("identite")
    page.get_by_role("button", name="Continuer").click()
    check_page("identite-erreurs")
    page.get_by_role("radio", name="Mme").check(force=True)
    page.get_by_label("Nom *", exact=True).fill("Durand")
    page.get_by_label("Prénom *").fill("Alice")
    page.get_by_role("button", name="Continuer").click()
    check_page("brouillon")
    page.get_by_label("Nom du projet *").fill("Pharmacie du centre")
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"Votre brouillon a été enregistré à \d\d:\d\d"))
    nombre = page.get_by_label("Nombre de patients *")
    nombre.fill("5000")
    expect(page.locator("#autosave-status")).to_contain_text("1 champ contient une erreur")
    expect(page.locator(".fr-input-group--error")).to_have_count(1)
    expect(nombre).to_be_focused()
    expect(nombre).to_have_value("5000")
    expect(nombre).to_have_attribute("aria-invalid", "true")
    check_page("brouillon-erreur-autosave")
    nombre.fill("12")
    expect(page.locator("#autosave-status")).not_to_contain_text("erreur")
    expect(page.locator(".fr-input-group--error")).to_have_count(0)
    cocher(page.get_by_role("checkbox", name="Livraison"))
    cocher(page.get_by_role("radio", name="Oui"))
    cocher(page.get_by_role("radio", name="Création"))
    page.wait_for_timeout(1200)
    dossier = Dossier.objects.get()
    assert {c.value for c in dossier.champs.all()} >= {"Pharmacie du centre", "12", "Livraison", "true", "Création"}
    bad = tmp_path / "faux.pdf"
    bad.write_bytes(b"GIF89a000")
    televerser(page.get_by_label("Plan des locaux *"), str(bad))
    expect(page.locator("#champ-{}-pj .fr-error-text".format(dossier.revision.types_de_champ.get(libelle="Plan des locaux").stable_id))).to_contain_text("ne correspond pas")
    check_page("brouillon-pj-erreur")
    # deposit with the missing PJ
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_text("Votre dossier contient 1 champ en erreur")).to_be_visible()
    check_page("brouillon-depot-erreurs")
    good = tmp_path / "plan.pdf"
    good.write_bytes(b"%PDF-1.4 test")
    televerser(page.get_by_label("Plan des locaux *"), str(good))
    expect(page.get_by_role("link", name=re.compile("plan.pdf"))).to_be_visible()
    expect(page.locator("#autosave-status")).to_contain_text("Fichier ajouté")
    check_page("brouillon-pj")
    page.get_by_role("button", name="Supprimer le fichier plan.pdf").click()
    expect(page.get_by_role("link", name=re.compile("plan.pdf"))).to_have_count(0)
    televerser(page.get_by_label("Plan des locaux *"), str(good))
    expect(page.get_by_role("link", name=re.compile("plan.pdf"))).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
    check_page("merci")
    page.get_by_role("link", name="Accéder à votre dossier").click()
    check_page("dossier-resume")
    page.get_by_role("link", name="Votre dossier", exact=True).click()
    check_page("dossier-demande")
    page.get_by_role("link", name="Messagerie", exact=True).click()
    check_page("messagerie")
    page.get_by_role("button", name="Envoyer le message").click()
    check_page("messagerie-erreur")
    page.get_by_label("Votre message *").fill("Bonjour, une question.")
    televerser(page.get_by_label("Pièce jointe"), str(good))
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_text("Bonjour, une question.")).to_be_visible()
    check_page("messagerie-envoye")
    page.goto(f"{live_url}/dossiers/{dossier.pk}/brouillon/")
    check_page("en-construction-modifier")
    dossier.refresh_from_db()
    transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    transitions.refuser(dossier=dossier, instructeur=instructeur, motivation="Pièce manquante.")
    page.goto(f"{live_url}/dossiers/{dossier.pk}/")
    check_page("dossier-refuse")
    page.goto(f"{live_url}/dossiers/")
    check_page("mes-dossiers")
    page.goto(f"{live_url}/dossiers/?statut=traites")
    check_page("mes-dossiers-traites")
