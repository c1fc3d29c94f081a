"""The whole loop once, through the browser, with the three roles (issue « Foundation »).

An administrateur builds and publishes a démarche and invites an instructeur; an usager signs up,
fills the form, fixes the errors and deposits; the instructeur follows, instructs, talks with the
usager, refuses without motivation (error), accepts with a justificatif and reopens the decision.
Every page visited is checked with axe-core and kept as a screenshot in var/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from demarches.core.models import OutgoingEmail
from demarches.dossiers.models import Commentaire, Dossier
from demarches.procedures.models import Procedure
from tests import factories
from tests.browser import Checker, televerser

pytestmark = pytest.mark.django_db(transaction=True)

USAGER_EMAIL = "camille.usager@exemple.fr"
USAGER_PASSWORD = "Jardin-Tulipe-Orage-58"
AGENT_EMAIL = "nouvel.agent@prefecture.example.fr"
AGENT_PASSWORD = "Pivoine-Bureau-Lune-2026"


def link_in_last_email(kind: str, to: str) -> str:
    body = OutgoingEmail.objects.filter(kind=kind, to=to).latest("created_at").body
    return re.search(r"https?://\S+", body).group(0)


def log_in(page, live_url, email, password):
    page.goto(live_url + "/comptes/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_label("Se souvenir de moi").check(force=True)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_load_state()


def test_the_whole_loop_through_three_roles(browser, live_url, tmp_path, request):
    administrateur = factories.AdministrateurFactory(user__email="admin@prefecture.example.fr")
    pdf = tmp_path / "plan-des-locaux.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% plan des locaux\n")
    justificatif = tmp_path / "arrete.pdf"
    justificatif.write_bytes(b"%PDF-1.4\n% arrete\n")

    def new_page(role):
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        return page, Checker(page, f"parcours-{role}")

    # --- The administrateur builds the démarche ---------------------------------------------
    admin, check_admin = new_page("administrateur")
    log_in(admin, live_url, administrateur.user.email, factories.PASSWORD)
    admin.goto(live_url + "/admin/procedures/")
    check_admin("mes-demarches")
    admin.get_by_role("link", name="Nouvelle démarche").click()
    admin.get_by_label("Titre de la démarche").fill("Autorisation de stockage d'oxygène")
    admin.get_by_role("textbox", name="Description *").fill("Demande d'autorisation pour stocker de l'oxygène médical.")
    admin.get_by_label("Nom du service").fill("Service santé environnement")
    admin.get_by_label("Adresse électronique de contact").fill("sante@prefecture.example.fr")
    admin.get_by_label("Cadre juridique (texte ou lien)").fill("Délibération du 12 janvier 2026")
    admin.get_by_role("button", name="Créer la démarche").click()
    check_admin("demarche")
    procedure = Procedure.objects.get(libelle="Autorisation de stockage d'oxygène")

    admin.get_by_role("link", name="Champs du formulaire").click()
    for type_champ, libelle, mandatory in [
        ("text", "Nom de l'établissement", True),
        ("integer_number", "Nombre de bouteilles", True),
        ("piece_justificative", "Plan des locaux", True),
    ]:
        admin.locator("#id_nouveau-type_champ").select_option(type_champ)
        admin.locator("#id_nouveau-libelle").fill(libelle)
        if mandatory:
            admin.locator("#id_nouveau-mandatory").check(force=True)
        admin.get_by_role("button", name="Ajouter un champ").click()
        admin.get_by_text(f"Le champ « {libelle} » a été ajouté.", exact=True).first.wait_for()
    check_admin("champs")
    assert procedure.draft_revision.types_de_champ.filter(mandatory=True).count() == 3

    admin.goto(f"{live_url}/admin/procedures/{procedure.pk}/instructeurs/")
    admin.get_by_label("Adresse électronique de l'instructeur").fill(AGENT_EMAIL)
    admin.get_by_role("button", name="Affecter").click()
    check_admin("instructeur-invite")

    admin.goto(f"{live_url}/admin/procedures/{procedure.pk}/publier/")
    admin.get_by_label("Adresse de la démarche").fill("stockage-oxygene")
    admin.get_by_role("button", name="Publier").click()
    check_admin("publiee")
    procedure.refresh_from_db()
    assert procedure.state == Procedure.State.PUBLIEE and procedure.path == "stockage-oxygene"

    # --- The invited instructeur sets his password -----------------------------------------
    agent, check_agent = new_page("instructeur")
    agent.goto(link_in_last_email("invitation_instructeur", AGENT_EMAIL))
    check_agent("invitation")
    agent.locator("#id_password1").fill(AGENT_PASSWORD)
    agent.get_by_role("button", name="Créer mon compte et accepter l’invitation").click()
    agent.wait_for_url(live_url + "/procedures/")
    check_agent("mes-demarches")

    # --- The usager signs up from the démarche's link and files a dossier --------------------
    usager, check_usager = new_page("usager")
    usager.goto(f"{live_url}/commencer/stockage-oxygene")
    check_usager("commencer")
    usager.get_by_role("link", name="Créer un compte").first.click()
    usager.get_by_label("Adresse électronique").fill(USAGER_EMAIL)
    usager.locator("#id_password1").fill(USAGER_PASSWORD)
    usager.get_by_role("button", name="Créer mon compte").click()
    usager.get_by_role("heading", level=1, name="Activez votre compte").wait_for()
    check_usager("activez-votre-compte")
    usager.goto(link_in_last_email("compte_activation", USAGER_EMAIL))
    check_usager("confirmation")
    usager.get_by_role("button", name="Activer mon compte").click()
    usager.wait_for_load_state()
    usager.goto(f"{live_url}/commencer/stockage-oxygene")
    usager.get_by_role("button", name="Commencer la démarche").click()
    usager.get_by_role("radio", name="Mme").check(force=True)
    usager.get_by_label("Nom *", exact=True).fill("Durand")
    usager.get_by_label("Prénom *").fill("Camille")
    usager.get_by_role("button", name="Continuer").click()
    check_usager("brouillon")
    usager.get_by_label("Nom de l'établissement *").fill("Pharmacie du Port")
    expect(usager.locator("#autosave-status")).to_contain_text("Votre brouillon a été enregistré")
    dossier = Dossier.objects.get(user__email=USAGER_EMAIL)
    assert dossier.champs.get(type_de_champ__libelle="Nom de l'établissement").value == "Pharmacie du Port"

    usager.get_by_role("button", name="Déposer le dossier").click()
    expect(usager.get_by_text("Votre dossier contient 2 champs en erreur")).to_be_visible()
    check_usager("depot-erreurs")
    expect(usager.get_by_label("Nom de l'établissement *")).to_have_value("Pharmacie du Port")
    usager.get_by_label("Nombre de bouteilles *").fill("12")
    expect(usager.locator("#autosave-status")).to_contain_text("Votre brouillon a été enregistré")
    televerser(usager.get_by_label("Plan des locaux *"), str(pdf))
    expect(usager.get_by_role("link", name=re.compile("plan-des-locaux.pdf"))).to_be_visible()
    usager.get_by_role("button", name="Déposer le dossier").click()
    expect(usager.get_by_role("heading", name="Merci !")).to_be_visible()
    check_usager("merci")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_CONSTRUCTION

    usager.get_by_role("link", name="Accéder à votre dossier").click()
    usager.get_by_role("link", name="Messagerie", exact=True).click()
    usager.get_by_label("Votre message *").fill("Bonjour, je joins le plan mis à jour.")
    televerser(usager.get_by_label("Pièce jointe"), str(pdf))
    usager.get_by_role("button", name="Envoyer le message").click()
    expect(usager.get_by_text("Bonjour, je joins le plan mis à jour.")).to_be_visible()
    check_usager("messagerie")

    # --- The instructeur processes the dossier ----------------------------------------------
    agent.goto(f"{live_url}/procedures/{procedure.pk}/")
    check_agent("a-suivre")
    expect(agent.get_by_role("link", name=re.compile(str(dossier.pk))).first).to_be_visible()
    agent.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    check_agent("dossier")
    expect(agent.get_by_text("Pharmacie du Port")).to_be_visible()
    agent.get_by_role("button", name="Suivre le dossier").click()
    expect(agent.get_by_role("button", name="Ne plus suivre")).to_be_visible()
    agent.get_by_role("button", name="Passer en instruction").click()
    agent.wait_for_load_state()
    check_agent("en-instruction")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_INSTRUCTION

    agent.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/messagerie/")
    expect(agent.get_by_text("Bonjour, je joins le plan mis à jour.")).to_be_visible()
    agent.get_by_label("Votre message", exact=False).first.fill("Merci, le plan est bien reçu.")
    agent.get_by_role("button", name="Envoyer le message").click()
    expect(agent.get_by_text("Merci, le plan est bien reçu.")).to_be_visible()
    check_agent("messagerie")

    agent.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    agent.get_by_role("button", name="Refuser").click()
    refus = agent.locator("#modale-refuser")
    refus.wait_for(state="visible")
    refus.get_by_role("button", name="Valider la décision").click()
    agent.wait_for_load_state()
    expect(agent.get_by_text("La motivation est obligatoire").first).to_be_visible()
    check_agent("refus-sans-motivation")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_INSTRUCTION

    agent.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    agent.get_by_role("button", name="Accepter").click()
    acceptation = agent.locator("#modale-accepter")
    acceptation.wait_for(state="visible")
    acceptation.get_by_label("Motivation", exact=False).fill("Les locaux sont conformes.")
    acceptation.get_by_label("Justificatif", exact=False).set_input_files(str(justificatif))
    acceptation.get_by_role("button", name="Valider la décision").click()
    agent.wait_for_load_state()
    check_agent("accepte")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.ACCEPTE and dossier.motivation == "Les locaux sont conformes."

    # --- The usager sees the decision, its motivation and its justificatif -------------------
    usager.goto(f"{live_url}/dossiers/{dossier.pk}/")
    check_usager("dossier-accepte")
    expect(usager.get_by_text("Les locaux sont conformes.").first).to_be_visible()
    with usager.expect_download() as download:
        usager.get_by_role("link", name=re.compile("arrete.pdf")).first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    usager.get_by_role("link", name="Messagerie", exact=True).click()
    expect(usager.get_by_text("Merci, le plan est bien reçu.").first).to_be_visible()
    expect(usager.get_by_text(Commentaire.AUTOMATIC_SENDER).first).to_be_visible()
    check_usager("messagerie-finale")

    # --- The instructeur reopens the decision ------------------------------------------------
    agent.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    agent.get_by_role("button", name="Repasser en instruction").click()
    agent.wait_for_load_state()
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_INSTRUCTION and dossier.motivation == ""
    usager.goto(f"{live_url}/dossiers/{dossier.pk}/")
    expect(usager.get_by_text("en instruction").first).to_be_visible()

    # --- Every e-mail of the loop was sent by the background job ----------------------------
    kinds = set(OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).values_list("kind", flat=True))
    assert {
        "compte_activation", "invitation_instructeur", "brouillon_cree", "accuse_de_reception",
        "passage_en_instruction", "acceptation", "reexamen", "nouveau_message", "nouveau_dossier",
    } <= kinds, ", ".join(sorted(kinds))
    automatic_copies = set(dossier.commentaires.filter(is_automatic=True).values_list("body", flat=True))
    assert any(f"n° {dossier.pk}" in body and "a bien été déposé" in body for body in automatic_copies)
