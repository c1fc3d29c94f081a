"""Dossier fields taken from recent versions of the reference: dateDerniereModificationChamps,
prefilled, dateSuppressionParUsager."""

from django.utils import timezone

from demarches.dossiers import services_usager
from demarches.dossiers.models import Dossier

from .conftest import remplir

QUERY = "query($n: Int!) { dossier(number: $n) { prefilled dateDerniereModificationChamps dateSuppressionParUsager } }"


def iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds")


def dossier_data(gql, secret, dossier):
    status, body, _ = gql(secret, QUERY, {"n": dossier.pk})
    assert status == 200 and "errors" not in body, body.get("errors")
    return body["data"]["dossier"]


def test_dates_follow_the_usager(gql, jeton, demarche):
    from tests import factories

    # Given a deposited dossier whose champs were never modified
    dossier = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
    data = dossier_data(gql, jeton[1], dossier)
    assert data == {"prefilled": False, "dateDerniereModificationChamps": iso(dossier.created_at), "dateSuppressionParUsager": None}
    # When the usager fills the champs, then puts the dossier in the corbeille
    remplir(dossier, piece=False)
    services_usager.dossier_supprimer(dossier=dossier, user=dossier.user)
    dossier.refresh_from_db()
    # Then both dates are the usager's
    data = dossier_data(gql, jeton[1], dossier)
    assert dossier.last_champ_updated_at and dossier.hidden_by_user_at
    assert data["dateDerniereModificationChamps"] == iso(dossier.last_champ_updated_at)
    assert data["dateSuppressionParUsager"] == iso(dossier.hidden_by_user_at)


def test_prefilled(gql, jeton, dossier):
    Dossier.objects.filter(pk=dossier.pk).update(prefilled=True)
    assert dossier_data(gql, jeton[1], dossier)["prefilled"] is True
