"""The API and « Supprimer le dossier » for the administration: Demarche.dossiers (and the groupe's) leave
deleted dossiers out, pendingDeletedDossiers lists them (reason instructeur_request) until restored."""

import datetime

import pytest
from django.utils import timezone

from demarches.api.graphql.ids import global_id
from demarches.dossiers import services_usager
from demarches.dossiers.models import Dossier
from demarches.instruction import services
from tests import factories
from tests.api.conftest import administrateur, demarche, gql, instructeur, jeton  # noqa: F401 (fixtures)

S = Dossier.State
QUERY = """
query($number: Int!, $groupe: Int!) {
  demarche(number: $number) {
    dossiers { nodes { number } }
    pendingDeletedDossiers { nodes { id number state reason dateSupression } }
  }
  groupeInstructeur(number: $groupe) { dossiers { nodes { number } } pendingDeletedDossiers { nodes { number reason } } }
}"""


@pytest.fixture
def dossiers(demarche, instructeur):  # noqa: F811
    now = timezone.now()
    garde = factories.dossier_creer(procedure=demarche, state=S.ACCEPTE, processed_at=now)
    supprime = factories.dossier_creer(procedure=demarche, state=S.REFUSE, processed_at=now)
    services.dossier_supprimer_pour_administration(dossier=supprime, instructeur=instructeur)
    # a terminated dossier in its usager's corbeille stays with the administration
    corbeille = factories.dossier_creer(procedure=demarche, state=S.SANS_SUITE, processed_at=now)
    services_usager.dossier_supprimer(dossier=corbeille, user=corbeille.user)
    # an en construction dossier withdrawn by its usager does not
    retire = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    services_usager.dossier_supprimer(dossier=retire, user=retire.user)
    return {"garde": garde, "supprime": supprime, "corbeille": corbeille, "retire": retire}


def run(gql, secret, demarche):  # noqa: F811
    status, body, _ = gql(secret, QUERY, {"number": demarche.pk, "groupe": demarche.default_groupe.pk})
    assert status == 200 and "errors" not in body, body
    return {**body["data"]["demarche"], "groupe": body["data"]["groupeInstructeur"]}


def test_deleted_dossiers_leave_the_lists_and_are_pending(gql, jeton, demarche, dossiers):  # noqa: F811
    data = run(gql, jeton[1], demarche)
    visibles = {dossiers["garde"].pk, dossiers["corbeille"].pk}
    assert {n["number"] for n in data["dossiers"]["nodes"]} == visibles
    assert {n["number"] for n in data["groupe"]["dossiers"]["nodes"]} == visibles
    supprime = Dossier.objects.get(pk=dossiers["supprime"].pk)
    pending = {n["number"]: n for n in data["pendingDeletedDossiers"]["nodes"]}
    assert set(pending) == {dossiers["supprime"].pk, dossiers["retire"].pk}
    node = pending[supprime.pk]
    assert node["id"] == global_id("Dossier", supprime.pk) and node["state"] == "refuse"
    assert node["reason"] == "instructeur_request"
    supprime_le = supprime.suppression_administration.created_at.replace(microsecond=0)
    assert datetime.datetime.fromisoformat(node["dateSupression"]) == supprime_le
    assert pending[dossiers["retire"].pk]["reason"] == "user_request"
    groupe = {n["number"]: n["reason"] for n in data["groupe"]["pendingDeletedDossiers"]["nodes"]}
    assert groupe == {supprime.pk: "instructeur_request", dossiers["retire"].pk: "user_request"}


def test_a_restored_dossier_comes_back(gql, jeton, demarche, dossiers, instructeur):  # noqa: F811
    services.dossier_restaurer_pour_administration(dossier=dossiers["supprime"], instructeur=instructeur)
    data = run(gql, jeton[1], demarche)
    assert dossiers["supprime"].pk in {n["number"] for n in data["dossiers"]["nodes"]}
    assert {n["number"] for n in data["pendingDeletedDossiers"]["nodes"]} == {dossiers["retire"].pk}


PAGE_QUERY = """
query($number: Int!, $after: String, $order: Order) {
  demarche(number: $number) {
    pendingDeletedDossiers(first: 1, after: $after, order: $order) { nodes { number } pageInfo { hasNextPage endCursor } }
  }
}"""


def test_pending_deleted_dossiers_are_paginated_by_their_deletion_date(gql, jeton, demarche, dossiers):  # noqa: F811
    # the usager withdrew his dossier after the instructeur deleted the other one
    def page(**variables):
        status, body, _ = gql(jeton[1], PAGE_QUERY, {"number": demarche.pk, **variables})
        assert status == 200 and "errors" not in body, body
        return body["data"]["demarche"]["pendingDeletedDossiers"]

    first = page()
    assert [n["number"] for n in first["nodes"]] == [dossiers["supprime"].pk] and first["pageInfo"]["hasNextPage"]
    second = page(after=first["pageInfo"]["endCursor"])
    assert [n["number"] for n in second["nodes"]] == [dossiers["retire"].pk] and not second["pageInfo"]["hasNextPage"]
    assert [n["number"] for n in page(order="DESC")["nodes"]] == [dossiers["retire"].pk]


def test_a_deleted_dossier_can_neither_be_read_nor_changed_through_the_api(gql, jeton, demarche, dossiers, instructeur):  # noqa: F811
    supprime = dossiers["supprime"]
    status, body, _ = gql(jeton[1], "query($n: Int!) { dossier(number: $n) { number } }", {"n": supprime.pk})
    assert body["data"] is None and body["errors"][0]["message"] == "Dossier introuvable."

    mutation = """mutation($input: DossierArchiverInput!) { dossierArchiver(input: $input) { dossier { number } errors { message } } }"""
    variables = {"input": {"dossierId": global_id("Dossier", supprime.pk), "instructeurId": global_id("Instructeur", instructeur.pk)}}
    status, body, _ = gql(jeton[1], mutation, variables)
    assert body["errors"][0]["message"] == "Dossier introuvable."
    supprime.refresh_from_db()
    assert not supprime.archived

    services.dossier_restaurer_pour_administration(dossier=supprime, instructeur=instructeur)
    status, body, _ = gql(jeton[1], "query($n: Int!) { dossier(number: $n) { number } }", {"n": supprime.pk})
    assert body["data"]["dossier"]["number"] == supprime.pk
