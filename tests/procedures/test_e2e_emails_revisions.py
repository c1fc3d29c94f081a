"""Browser journey: customise an e-mail, publish a form change, co-administrateurs, copy and import.

axe-core runs on every new admin screen (check_page fails on serious or critical violations).
"""

import pytest
from django.test import Client

from demarches.procedures.models import MailTemplate, Procedure
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_url, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])


def test_emails_revision_and_copy_journey(page, live_url, check_page):
    administrateur = factories.AdministrateurFactory()
    co = factories.AdministrateurFactory(user__email="collegue@exemple.fr")
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[factories.InstructeurFactory()], libelle="Chèque vélo", path="cheque-velo"
    )
    factories.dossier_creer(procedure=procedure, state="en_construction")
    _login(page, live_url, administrateur.user)

    # E-mails automatiques
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/")
    page.get_by_role("link", name="E-mails automatiques").click()
    check_page("emails-liste")
    page.get_by_role("link", name="Modifier l'e-mail « Accusé de réception »").click()
    check_page("email-modifier")
    assert "--numéro du dossier--" in page.get_by_label("Corps de l'e-mail").input_value()
    page.get_by_label("Corps de l'e-mail").fill("Bonjour --prénom--, votre projet --Nom du projt-- est reçu.")
    page.get_by_role("button", name="Enregistrer").click()
    check_page("email-balise-inconnue")
    assert page.get_by_text("La balise --Nom du projt-- n'existe pas pour cette démarche.", exact=False).is_visible()
    page.get_by_label("Corps de l'e-mail").fill("Bonjour --prénom--, votre projet --Nom du projet-- est reçu.")
    page.get_by_role("button", name="Prévisualiser").click()
    page.get_by_text("Bonjour Camille, votre projet [Nom du projet] est reçu.").wait_for()
    check_page("email-apercu")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Personnalisé").wait_for()
    assert MailTemplate.objects.get(procedure=procedure).body.startswith("Bonjour --prénom--")

    # Publier les modifications
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/champs/")
    page.locator("#id_nouveau-libelle").fill("Commune")
    page.get_by_role("button", name="Ajouter un champ").click()
    page.get_by_text("Le champ « Commune » a été ajouté.", exact=True).first.wait_for()
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/")
    page.get_by_role("link", name="Publier les modifications").click()
    check_page("publier-modifications")
    assert page.get_by_text("du champ « Commune »", exact=False).is_visible()
    page.get_by_role("button", name="Publier les modifications").click()
    page.get_by_text("La démarche est publiée.", exact=False).wait_for()
    procedure.refresh_from_db()
    assert procedure.published_revision.types_de_champ.filter(libelle="Commune").exists()
    assert procedure.dossiers.get().revision_id == procedure.published_revision_id

    # Co-administrateurs
    page.get_by_role("link", name="Administrateurs").click()
    check_page("administrateurs")
    page.get_by_label("Adresse électronique de l'administrateur").fill("collegue@exemple.fr")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("collegue@exemple.fr administre désormais la démarche", exact=False).wait_for()
    assert co in procedure.administrateurs.all()

    # Copy from the catalogue, then import an export
    page.goto(f"{live_url}/admin/procedures/nouvelle/")
    page.get_by_role("link", name="À partir d'une démarche existante").click()
    check_page("modeles")
    page.get_by_label("Rechercher une démarche par son titre, son service ou son numéro").fill("vélo")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name=f"Copier la démarche n° {procedure.pk} « Chèque vélo »").click()
    page.get_by_text("a été créée en test à partir de la démarche", exact=False).wait_for()
    check_page("copie")
    assert Procedure.objects.filter(libelle="Chèque vélo").count() == 2

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter la démarche (JSON)").click()
    path = download_info.value.path()
    page.goto(f"{live_url}/admin/procedures/nouvelle/importer/")
    check_page("importer")
    page.get_by_role("button", name="Importer").click()
    check_page("importer-erreur")
    page.get_by_label("Fichier de la démarche (.json)").set_input_files(path)
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("a été importée : elle est en test", exact=False).wait_for()
    assert Procedure.objects.filter(libelle="Chèque vélo").count() == 3
