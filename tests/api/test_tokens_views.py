"""The administrateur's token pages: create (secret shown once), list with last use, revoke."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from demarches.api import services
from demarches.api.models import APIToken
from tests import factories

from .conftest import creer_demarche


@pytest.fixture
def connecte(client, administrateur):
    client.force_login(administrateur.user)
    return client


def _create(client, **overrides):
    data = {"name": "Logiciel de suivi", "acces": "toutes", "droits": "lecture", "duree_jours": "30", "allowed_networks": "", **overrides}
    return client.post(reverse("api:jeton_nouveau"), data, follow=True)


def test_create_shows_the_secret_once(connecte, administrateur, demarche, gql):
    page = connecte.get(reverse("api:jeton_nouveau"))
    assert page.status_code == 200 and "Créer un jeton" in page.text
    response = _create(connecte)
    token = APIToken.objects.get(administrateur=administrateur)
    secret = response.context["nouveau"]["secret"]
    assert secret in response.text and "ne sera plus jamais affiché" in response.text
    assert secret not in token.secret_digest
    assert not token.write_access and token.all_procedures
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)
    # The secret works…
    status, body, _ = gql(secret, "query($n: Int!) { demarche(number: $n) { number } }", {"n": demarche.pk})
    assert status == 200 and body["data"]["demarche"]["number"] == demarche.pk
    # …and is never shown again
    again = connecte.get(reverse("api:jetons"))
    assert secret not in again.text and "Logiciel de suivi" in again.text


def test_list_shows_last_use(connecte, administrateur, demarche, gql):
    token, secret = services.api_token_creer(administrateur=administrateur, name="Script nocturne", write_access=True)
    assert "jamais" in connecte.get(reverse("api:jetons")).text
    gql(secret, "{ __typename }", REMOTE_ADDR="203.0.113.9")
    page = connecte.get(reverse("api:jetons")).text
    assert "203.0.113.9" in page and "Lecture et écriture" in page


def test_create_limited_to_chosen_demarches_with_networks(connecte, administrateur, instructeur):
    first = creer_demarche(administrateur, instructeurs=[instructeur], libelle="Première")
    creer_demarche(administrateur, instructeurs=[instructeur], libelle="Seconde")
    _create(connecte, acces="choix", procedures=[first.pk], droits="ecriture", duree_jours="365",
            allowed_networks="192.0.2.0/24\n2001:db8::1")
    token = APIToken.objects.get(administrateur=administrateur)
    assert not token.all_procedures and list(token.procedures.all()) == [first]
    assert token.write_access and token.allowed_networks == ["192.0.2.0/24", "2001:db8::1/128"]
    assert token.expires_at > timezone.now() + datetime.timedelta(days=364)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": ""}, "Donnez un nom au jeton"),
        ({"acces": "choix"}, "Cochez au moins une démarche"),
        ({"allowed_networks": "pas une adresse"}, "ni une adresse IP"),
        ({"duree_jours": "1000"}, "Sélectionnez un choix valide"),
    ],
)
def test_invalid_forms(connecte, administrateur, overrides, message):
    response = _create(connecte, **overrides)
    assert message in response.text and not APIToken.objects.exists()


def test_other_administrateurs_demarches_cannot_be_chosen(db, connecte, administrateur):
    foreign = creer_demarche(factories.AdministrateurFactory(), instructeurs=[factories.InstructeurFactory()], libelle="Pas à moi")
    response = _create(connecte, acces="choix", procedures=[foreign.pk])
    assert "Sélectionnez un choix valide" in response.text and not APIToken.objects.exists()


def test_service_refuses_foreign_demarches(db, administrateur):
    foreign = creer_demarche(factories.AdministrateurFactory(), instructeurs=[factories.InstructeurFactory()], libelle="Pas à moi")
    with pytest.raises(Exception, match="que vous administrez"):
        services.api_token_creer(administrateur=administrateur, name="x", write_access=False, procedures=[foreign])


def test_revoke(connecte, administrateur, gql, demarche):
    token, secret = services.api_token_creer(administrateur=administrateur, name="Ancien script", write_access=False)
    response = connecte.post(reverse("api:jeton_revoquer", args=[token.pk]), follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None and "est révoqué" in response.text and "révoqué le" in response.text
    assert gql(secret, "{ __typename }")[0] == 401


def test_cannot_revoke_someone_elses_token(connecte):
    other, _ = services.api_token_creer(administrateur=factories.AdministrateurFactory(), name="Autre", write_access=False)
    assert connecte.post(reverse("api:jeton_revoquer", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_only_administrateurs(db, client):
    assert client.get(reverse("api:jetons")).status_code == 302  # to the login page
    client.force_login(factories.InstructeurFactory().user)
    assert client.get(reverse("api:jetons")).status_code == 403
    assert client.post(reverse("api:jeton_nouveau"), {"name": "x"}).status_code == 403


def test_list_warns_of_tokens_expiring_soon(connecte, administrateur):
    soon, _ = services.api_token_creer(administrateur=administrateur, name="Bientôt", write_access=False, duree_jours=7)
    services.api_token_creer(administrateur=administrateur, name="Tranquille", write_access=False, duree_jours=90)
    APIToken.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + datetime.timedelta(days=3, hours=2))
    page = connecte.get(reverse("api:jetons")).text
    assert page.count("fr-badge--warning") == 1 and "expire dans 3 jours" in page
    assert "7 jours puis 1 jour avant" in page and reverse("api:graphiql") in page
