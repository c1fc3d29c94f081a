"""Browser journey of an administrateur on the API pages (tokens, webhook), with axe-core on each screen."""

import json

import pytest
from django.test import Client

from demarches.api.models import APIToken, WebhookDelivery
from tests import factories

from .conftest import creer_demarche, dossier_en_construction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_url, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])


def test_tokens_and_webhook_pages(page, live_url, check_page):
    administrateur = factories.AdministrateurFactory()
    demarche = creer_demarche(administrateur, instructeurs=[factories.InstructeurFactory()])
    _login(page, live_url, administrateur.user)

    page.goto(live_url + "/admin/tokens/")
    check_page("jetons-vide")
    page.get_by_role("link", name="Créer un jeton").click()
    check_page("jeton-nouveau")
    page.get_by_role("button", name="Créer le jeton").click()
    check_page("jeton-erreurs")
    page.get_by_label("Nom du jeton").fill("Logiciel de gestion")
    page.get_by_label("Seulement les démarches choisies ci-dessous").check(force=True)
    page.get_by_label(f"n° {demarche.pk} — {demarche.libelle}").check(force=True)
    page.get_by_label("Lecture et écriture (changer l'état des dossiers, envoyer des messages)").check(force=True)
    page.get_by_role("button", name="Créer le jeton").click()
    check_page("jeton-cree")
    secret = page.get_by_label("Votre jeton").input_value()
    token = APIToken.objects.get()
    assert token.write_access and list(token.procedures.all()) == [demarche]

    # The secret works from outside the browser, then the list shows its use.
    response = Client().post("/api/v2/graphql", data=json.dumps({"query": "{ __typename }"}),
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    page.goto(live_url + "/admin/tokens/")
    assert page.get_by_label("Votre jeton").count() == 0
    page.get_by_role("button", name="Révoquer le jeton « Logiciel de gestion »").click()
    check_page("jeton-revoque")

    page.goto(live_url + f"/admin/procedures/{demarche.pk}/webhook/")
    check_page("webhook-vide")
    page.get_by_label("Adresse du lien de rappel HTTP").fill("https://exemple.fr/notifications")
    page.get_by_role("button", name="Enregistrer").click()
    check_page("webhook-configure")
    WebhookDelivery.objects.create(procedure=demarche, dossier_id=1, state="en_instruction", url="https://exemple.fr/notifications",
                                   body="a=b", status="failed", attempts=13, response_code=500, last_error="Réponse HTTP 500")
    page.reload()
    check_page("webhook-journal")
    assert page.get_by_role("button", name="Renvoyer la notification du dossier n° 1", exact=False).count() == 1


def test_graphiql_explorer(page, live_url, check_page):
    # Given an administrateur with a démarche and a dossier, logged in
    administrateur = factories.AdministrateurFactory()
    demarche = creer_demarche(administrateur, instructeurs=[factories.InstructeurFactory()])
    dossier = dossier_en_construction(demarche)
    offsite = []
    page.on("request", lambda request: offsite.append(request.url) if not request.url.startswith(live_url) else None)
    _login(page, live_url, administrateur.user)

    # When he opens the explorer: GraphiQL loads (from this site only) with an example on his démarche
    page.goto(live_url + "/graphql")
    page.locator(".graphiql-container").wait_for()
    page.get_by_text("getDemarche").first.wait_for()
    check_page("graphiql")

    # And runs the example: the answer comes through his session, with his dossier
    page.locator(".graphiql-execute-button").click()
    page.locator(".graphiql-response").get_by_text(f'"number": {dossier.pk}').first.wait_for()
    check_page("graphiql-resultat")
    assert offsite == [], offsite


def test_graphiql_is_for_administrateurs(page, live_url):
    # Anonymous visitors land on the login page, then come back to the explorer
    page.goto(live_url + "/graphql")
    assert page.url.split("?")[0] != live_url + "/graphql" and "next=/graphql" in page.url.replace("%2F", "/")
    _login(page, live_url, factories.InstructeurFactory().user)
    response = page.goto(live_url + "/graphql")
    assert response.status == 403
