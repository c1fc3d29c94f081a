"""Routing through the browser (seed 001 « Routage des dossiers »).

The administrateur creates two groupes d'instructeurs, puts one instructeur in each, chooses the
« Département » drop-down as the routing champ and a groupe per answer; an usager answers « Aisne »
and deposits; the dossier is in the list of the Aisne instructeur only, who then moves it to the
Ain groupe with « Changer de groupe », where an instructeur deletes a message he wrote. Every page is checked with axe-core (screenshots in var/screenshots/).
"""

import re

import pytest
from playwright.sync_api import expect

from demarches.dossiers.models import Dossier
from demarches.procedures.models import GroupeInstructeur
from tests import factories
from tests.browser import Checker, cocher

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_url, email):
    page.goto(live_url + "/comptes/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_load_state()


def test_routage_des_dossiers(browser, live_url):
    administrateur = factories.AdministrateurFactory()
    defaut_agent, ain_agent, aisne_agent = (factories.InstructeurFactory() for _ in range(3))
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[defaut_agent], libelle="Aide aux clubs sportifs",
        champs=[("drop_down_list", "Département", True, {"choices": ["Ain", "Aisne", "Allier"]})],
        cadre_juridique="Délibération du conseil régional du 3 mars 2026", path="aide-clubs",
    )

    def new_page(role):
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        return page, Checker(page, f"routage-{role}")

    # --- The administrateur sets up two groupes and the routing rule ---------------------------
    admin, check_admin = new_page("administrateur")
    log_in(admin, live_url, administrateur.user.email)
    admin.goto(f"{live_url}/admin/procedures/{procedure.pk}/")
    admin.get_by_role("link", name="Groupes d'instructeurs").click()
    check_admin("groupes")
    for label, agent in (("Ain", ain_agent), ("Aisne", aisne_agent)):
        admin.get_by_label("Nom du groupe").fill(label)
        admin.get_by_role("button", name="Ajouter le groupe").click()
        expect(admin.get_by_role("heading", level=1, name=f"Groupe « {label} »")).to_be_visible()
        admin.get_by_label("Adresse électronique de l'instructeur").fill(agent.user.email)
        admin.get_by_role("button", name="Ajouter au groupe").click()
        expect(admin.get_by_role("cell", name=agent.user.email, exact=True)).to_be_visible()
        check_admin(f"groupe-{label.lower()}")
        admin.get_by_role("link", name="Groupes d'instructeurs").click()
    admin.get_by_label("Champ qui choisit le groupe").select_option(label="Département")
    admin.get_by_role("button", name="Choisir ce champ").click()
    admin.get_by_label("Si l'usager répond « Ain »").select_option(label="Ain")
    admin.get_by_label("Si l'usager répond « Aisne »").select_option(label="Aisne")
    admin.get_by_role("button", name="Enregistrer les règles de routage").click()
    expect(admin.get_by_text("Les règles de routage ont été enregistrées.")).to_be_visible()
    check_admin("routage")
    ain = GroupeInstructeur.objects.get(procedure=procedure, label="Ain")
    aisne = GroupeInstructeur.objects.get(procedure=procedure, label="Aisne")
    assert ain.routing_values == ["Ain"] and aisne.routing_values == ["Aisne"]

    # --- The usager answers « Aisne » and deposits ----------------------------------------------
    usager_user = factories.UserFactory()
    usager, check_usager = new_page("usager")
    log_in(usager, live_url, usager_user.email)
    usager.goto(f"{live_url}/commencer/aide-clubs")
    usager.get_by_role("button", name="Commencer la démarche").click()
    usager.get_by_role("radio", name="Mme").check(force=True)
    usager.get_by_label("Nom *", exact=True).fill("Durand")
    usager.get_by_label("Prénom *").fill("Camille")
    usager.get_by_role("button", name="Continuer").click()
    cocher(usager.get_by_role("radio", name="Aisne"))
    expect(usager.locator("#autosave-status")).to_contain_text("Votre brouillon a été enregistré")
    usager.get_by_role("button", name="Déposer le dossier").click()
    expect(usager.get_by_role("heading", name="Merci !")).to_be_visible()
    check_usager("merci")
    dossier = Dossier.objects.get(user=usager_user)
    assert dossier.state == Dossier.State.EN_CONSTRUCTION and dossier.groupe_instructeur == aisne

    # --- Only the Aisne instructeur has it; he moves it to Ain -------------------------------------
    ain_page, check_ain = new_page("instructeur-ain")
    log_in(ain_page, live_url, ain_agent.user.email)
    ain_page.goto(f"{live_url}/procedures/{procedure.pk}/")
    check_ain("liste-vide")
    expect(ain_page.get_by_role("link", name=re.compile(rf"\b{dossier.pk}\b"))).to_have_count(0)

    aisne_page, check_aisne = new_page("instructeur-aisne")
    log_in(aisne_page, live_url, aisne_agent.user.email)
    aisne_page.goto(f"{live_url}/procedures/{procedure.pk}/")
    check_aisne("liste")
    aisne_page.get_by_role("link", name=re.compile(rf"\b{dossier.pk}\b")).first.click()
    aisne_page.get_by_role("link", name="Changer de groupe").click()
    check_aisne("changer-de-groupe")
    aisne_page.get_by_role("radio", name="Ain").check(force=True)
    aisne_page.get_by_role("button", name="Changer de groupe").click()
    expect(aisne_page.get_by_text("a été affecté au groupe « Ain »")).to_be_visible()
    check_aisne("apres-changement")
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == ain

    ain_page.goto(f"{live_url}/procedures/{procedure.pk}/")
    expect(ain_page.get_by_role("link", name=re.compile(rf"\b{dossier.pk}\b")).first).to_be_visible()
    check_ain("liste-avec-dossier")

    # --- The Ain instructeur writes to the usager, then deletes his message -------------------------
    ain_page.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/messagerie/")
    ain_page.get_by_label("Votre message", exact=False).first.fill("Merci d'indiquer le nom de votre club.")
    ain_page.get_by_role("button", name="Envoyer le message").click()
    expect(ain_page.get_by_text("Merci d'indiquer le nom de votre club.")).to_be_visible()
    ain_page.get_by_role("button", name=re.compile("Supprimer le message")).click()
    expect(ain_page.get_by_text("Votre message a été supprimé.")).to_be_visible()
    expect(ain_page.get_by_text("Message supprimé", exact=True)).to_be_visible()
    expect(ain_page.get_by_text("Merci d'indiquer le nom de votre club.")).to_have_count(0)
    check_ain("message-supprime")
