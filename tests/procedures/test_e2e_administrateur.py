"""Browser journey of an administrateur: create, build the form with htmx, assign, publish, close.

Runs axe-core on every screen (fixtures shared with tests/e2e).
"""

import pytest
from django.test import Client

from demarches.procedures.models import Procedure
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_url, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])


def test_administrateur_journey(page, live_url, check_page):
    administrateur = factories.AdministrateurFactory()
    instructeur = factories.InstructeurFactory(user__email="instructrice@exemple.fr")
    _login(page, live_url, administrateur.user)

    page.goto(live_url + "/admin/procedures/")
    check_page("mes-demarches-vide")
    page.get_by_role("link", name="Nouvelle démarche").click()
    check_page("nouvelle-demarche")

    # errors next to the fields, typed values kept
    # the description is a formatting zone (tests/procedures/test_description_riche_e2e.py)
    page.get_by_role("textbox", name="Description *").fill("Aide à l'achat d'un vélo pour les habitants.")
    page.get_by_label("Durée de conservation des dossiers (en mois)").fill("48")
    page.get_by_role("button", name="Créer la démarche").click()
    check_page("nouvelle-demarche-erreurs")
    assert page.get_by_text("Indiquez le titre de la démarche.").is_visible()
    assert page.get_by_role("textbox", name="Description *").inner_text() == "Aide à l'achat d'un vélo pour les habitants."

    page.get_by_label("Titre de la démarche").fill("Chèque vélo")
    page.get_by_label("Durée de conservation des dossiers (en mois)").fill("24")
    page.get_by_label("Nom du service").fill("Service mobilité")
    page.get_by_label("Adresse électronique de contact").fill("mobilite@exemple.fr")
    page.get_by_label("Cadre juridique (texte ou lien)").fill("Délibération du 12 janvier 2026")
    page.get_by_role("button", name="Créer la démarche").click()
    check_page("demarche")
    procedure = Procedure.objects.get(libelle="Chèque vélo")

    page.get_by_role("link", name="Champs du formulaire").click()
    check_page("champs-vide")
    page.locator("#id_nouveau-libelle").fill("Nom du vendeur")
    page.get_by_role("button", name="Ajouter un champ").click()
    page.get_by_text("Le champ « Nom du vendeur » a été ajouté.", exact=True).first.wait_for()
    # The add form was just swapped in: let htmx finish processing it before its type select is changed.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.locator("#id_nouveau-type_champ").select_option("drop_down_list")
    page.locator("#id_nouveau-libelle").fill("Type de vélo")
    page.get_by_label("Options (une par ligne)").fill("Mécanique\nÉlectrique")
    page.get_by_role("button", name="Ajouter un champ").click()
    page.get_by_text("Le champ « Type de vélo » a été ajouté.", exact=True).first.wait_for()
    check_page("champs-deux")
    assert page.url.endswith(f"/admin/procedures/{procedure.pk}/champs/")  # htmx: no navigation

    page.get_by_role("button", name="Monter le champ « Type de vélo »").click()
    page.get_by_text("Le champ « Type de vélo » a été monté.", exact=True).first.wait_for()
    libelles = list(procedure.draft_revision.public_types_de_champ().values_list("libelle", flat=True))
    assert libelles == ["Type de vélo", "Nom du vendeur"]

    page.get_by_role("link", name="Modifier le champ « Nom du vendeur »").click()
    field = page.locator(f"#id_champ-{procedure.draft_revision.types_de_champ.get(libelle='Nom du vendeur').stable_id}-libelle")
    field.wait_for()
    check_page("champ-modifier-en-ligne")
    field.fill("Nom du magasin")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Le champ « Nom du magasin » a été modifié.", exact=True).first.wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Supprimer le champ « Nom du magasin »").click()
    page.get_by_text("Le champ « Nom du magasin » a été supprimé.", exact=True).first.wait_for()
    assert procedure.draft_revision.types_de_champ.count() == 1

    page.goto(live_url + f"/admin/procedures/{procedure.pk}/instructeurs/")
    check_page("instructeurs")
    page.get_by_label("Adresse électronique de l'instructeur").fill(instructeur.user.email)
    page.get_by_role("button", name="Affecter").click()
    check_page("instructeurs-affecte")

    page.goto(live_url + f"/admin/procedures/{procedure.pk}/publier/")
    check_page("publier")
    page.get_by_label("Adresse de la démarche").fill("Chèque vélo")
    page.get_by_role("button", name="Publier").click()
    check_page("publier-erreur")
    page.get_by_label("Adresse de la démarche").fill("cheque-velo")
    page.get_by_role("button", name="Publier").click()
    check_page("publiee")
    assert page.get_by_role("link", name=f"{live_url}/commencer/cheque-velo").first.is_visible()

    page.get_by_role("link", name="Clore").click()
    check_page("clore")
    page.get_by_role("button", name="Clore la démarche").click()
    check_page("close")
    procedure.refresh_from_db()
    assert procedure.state == Procedure.State.CLOSE

    page.goto(live_url + "/admin/procedures/?statut=closes")
    check_page("mes-demarches")
