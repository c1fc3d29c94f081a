"""Demarche.deletedDossiers / pendingDeletedDossiers (and the groupe's): traces of deleted dossiers, corbeille."""

import datetime

import pytest
from django.utils import timezone

from demarches.api.graphql.ids import global_id
from demarches.dossiers import services_usager, transitions
from demarches.dossiers.models import Dossier, DossierSupprime
from tests import factories

NODE = "id number state reason dateSupression"
QUERY = f"""
query($number: Int!, $first: Int, $after: String, $order: Order, $since: ISO8601DateTime) {{
  demarche(number: $number) {{
    deletedDossiers(first: $first, after: $after, order: $order, deletedSince: $since) {{
      nodes {{ {NODE} }} pageInfo {{ hasNextPage endCursor }}
    }}
    pendingDeletedDossiers {{ nodes {{ {NODE} }} }}
  }}
}}"""
GROUPE_QUERY = f"""
query($number: Int!) {{
  groupeInstructeur(number: $number) {{
    deletedDossiers {{ nodes {{ number reason }} }}
    pendingDeletedDossiers {{ nodes {{ number reason state }} }}
  }}
}}"""


@pytest.fixture
def suppressions(demarche, instructeur):
    """Two dossiers expired and deleted, one brouillon purged from the corbeille, one en construction in the corbeille."""
    now = timezone.now()
    expired = []
    for numero in (1, 2):
        dossier = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
        transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
        transitions.accepter(dossier=dossier, instructeur=instructeur)
        Dossier.objects.filter(pk=dossier.pk).update(expire_at=now - datetime.timedelta(days=1), expiration_notice_sent_at=now)
        expired.append(dossier.pk)
    brouillon = factories.dossier_creer(procedure=demarche)
    Dossier.objects.filter(pk=brouillon.pk).update(hidden_by_user_at=now - datetime.timedelta(days=30))
    result = services_usager.retention_appliquer(now=now)
    assert result["deleted"] == 2 and result["purged"] == 1
    pending = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
    services_usager.dossier_supprimer(dossier=pending, user=pending.user)
    # A trace on another démarche is never listed
    other = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    DossierSupprime.objects.create(dossier_number=99999, procedure=other, state="accepte", reason="expiration")
    return {"expired": expired, "brouillon": brouillon.pk, "pending": pending.pk}


def run(gql, secret, demarche, **variables):
    status, body, _ = gql(secret, QUERY, {"number": demarche.pk, **variables})
    assert status == 200 and "errors" not in body, body
    return body["data"]["demarche"]


def test_deleted_and_pending_dossiers(gql, jeton, demarche, suppressions):
    data = run(gql, jeton[1], demarche)
    deleted = data["deletedDossiers"]["nodes"]
    # The brouillon never reached the administration: only the two expired dossiers
    assert [node["number"] for node in deleted] == suppressions["expired"]
    traces = {trace.dossier_number: trace for trace in DossierSupprime.objects.filter(procedure=demarche)}
    for node in deleted:
        trace = traces[node["number"]]
        assert node["id"] == global_id("DeletedDossier", trace.pk)
        assert node["state"] == "accepte" and node["reason"] == "expired"
        assert datetime.datetime.fromisoformat(node["dateSupression"]) == trace.deleted_at.replace(microsecond=0)
    pending = data["pendingDeletedDossiers"]["nodes"]
    hidden = Dossier.objects.get(pk=suppressions["pending"])
    assert pending == [{
        "id": global_id("Dossier", hidden.pk), "number": hidden.pk, "state": "en_construction", "reason": "user_request",
        "dateSupression": pending[0]["dateSupression"],
    }]
    assert datetime.datetime.fromisoformat(pending[0]["dateSupression"]) == hidden.hidden_by_user_at.replace(microsecond=0)


def test_deleted_dossiers_pagination_order_and_since(gql, jeton, demarche, suppressions):
    first, second = suppressions["expired"]
    page = run(gql, jeton[1], demarche, first=1)["deletedDossiers"]
    assert [n["number"] for n in page["nodes"]] == [first] and page["pageInfo"]["hasNextPage"] is True
    page = run(gql, jeton[1], demarche, first=1, after=page["pageInfo"]["endCursor"])["deletedDossiers"]
    assert [n["number"] for n in page["nodes"]] == [second] and page["pageInfo"]["hasNextPage"] is False
    assert [n["number"] for n in run(gql, jeton[1], demarche, order="DESC")["deletedDossiers"]["nodes"]] == [second, first]
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert run(gql, jeton[1], demarche, since=later)["deletedDossiers"]["nodes"] == []


def test_groupe_instructeur_deleted_and_pending(gql, jeton, demarche, suppressions):
    status, body, _ = gql(jeton[1], GROUPE_QUERY, {"number": demarche.default_groupe.pk})
    assert status == 200 and "errors" not in body, body
    data = body["data"]["groupeInstructeur"]
    assert [n["number"] for n in data["deletedDossiers"]["nodes"]] == suppressions["expired"]
    assert data["pendingDeletedDossiers"]["nodes"] == [{"number": suppressions["pending"], "reason": "user_request", "state": "en_construction"}]


def test_restored_dossier_leaves_the_pending_list(gql, jeton, demarche, suppressions):
    hidden = Dossier.objects.get(pk=suppressions["pending"])
    services_usager.dossier_restaurer(dossier=hidden, user=hidden.user)
    assert run(gql, jeton[1], demarche)["pendingDeletedDossiers"]["nodes"] == []


def test_deleted_dossiers_of_a_demarche_outside_the_scope(gql, jeton, suppressions):
    other = DossierSupprime.objects.get(dossier_number=99999).procedure
    status, body, _ = gql(jeton[1], QUERY, {"number": other.pk})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "unauthorized"


def test_query_count_does_not_grow_with_the_page(gql, jeton, demarche):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(n):
        DossierSupprime.objects.bulk_create(
            DossierSupprime(dossier_number=10_000 + i, procedure=demarche, state="refuse", reason="expiration") for i in range(n)
        )
        with CaptureQueriesContext(connection) as queries:
            data = run(gql, jeton[1], demarche)
        assert len(data["deletedDossiers"]["nodes"]) == DossierSupprime.objects.filter(procedure=demarche).count()
        return len(queries)

    run(gql, jeton[1], demarche)  # the token's first use of the minute is recorded once
    assert count(2) == count(40)
