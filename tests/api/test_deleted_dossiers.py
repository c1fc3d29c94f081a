"""Demarche.deletedDossiers / pendingDeletedDossiers (and the groupe's, limited to its own dossiers): traces of
deleted dossiers, corbeille."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from demarches.api import services as api_services
from demarches.api.graphql.ids import global_id
from demarches.dossiers import services_usager, transitions
from demarches.dossiers.models import Dossier, DossierSupprime
from demarches.instruction import services as instruction_services
from demarches.instruction.models import SUPPRESSION_RESTAURABLE_DELAI
from demarches.procedures import groupes
from demarches.procedures import services as procedure_services
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


# --- One groupe's deleted dossiers ----------------------------------------------------------------


def _accepte(demarche, instructeur, groupe) -> Dossier:
    dossier = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
    Dossier.objects.filter(pk=dossier.pk).update(groupe_instructeur=groupe)
    dossier.refresh_from_db()
    transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur)
    return dossier


@pytest.fixture
def par_groupe(demarche, administrateur, instructeur):
    """Two groupes of one démarche, each with one dossier deleted for good: in the default groupe through
    expiry, in « Ain » through the purge of a dossier deleted by the administration and by its usager.
    Plus a trace written before the groupe was kept (no groupe)."""
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    procedure_services.instructeur_affecter(procedure=demarche, administrateur=administrateur,
                                            email=instructeur.user.email, groupe=ain)
    expire = _accepte(demarche, instructeur, demarche.default_groupe)
    now = timezone.now()
    Dossier.objects.filter(pk=expire.pk).update(
        expire_at=now - datetime.timedelta(days=1), expiration_notice_sent_at=now
    )
    assert services_usager.retention_appliquer(now=now)["deleted"] == 1
    purge = _accepte(demarche, instructeur, ain)
    instruction_services.dossier_supprimer_pour_administration(dossier=purge, instructeur=instructeur)
    services_usager.dossier_supprimer(dossier=purge, user=purge.user)
    delai = max(SUPPRESSION_RESTAURABLE_DELAI, services_usager.CORBEILLE_PURGE_DELAY)
    later = now + delai + datetime.timedelta(minutes=1)
    assert instruction_services.dossiers_supprimes_purger(now=later) == 1
    ancienne = DossierSupprime.objects.create(
        dossier_number=88888, procedure=demarche, state="refuse", reason="expiration"
    )
    return {
        "defaut": (demarche.default_groupe, expire.pk), "ain": (ain, purge.pk), "sans_groupe": ancienne.dossier_number
    }


def groupe_deleted(gql, secret, groupe):
    status, body, _ = gql(secret, GROUPE_QUERY, {"number": groupe.pk})
    assert status == 200 and "errors" not in body, body
    return body["data"]["groupeInstructeur"]["deletedDossiers"]["nodes"]


def test_deletion_keeps_the_groupe_of_the_dossier(par_groupe):
    for groupe, number in (par_groupe["defaut"], par_groupe["ain"]):
        assert DossierSupprime.objects.get(dossier_number=number).groupe_instructeur == groupe


def test_each_groupe_lists_only_its_deleted_dossiers(gql, jeton, demarche, par_groupe):
    (defaut, expire), (ain, purge) = par_groupe["defaut"], par_groupe["ain"]
    assert groupe_deleted(gql, jeton[1], defaut) == [{"number": expire, "reason": "expired"}]
    assert groupe_deleted(gql, jeton[1], ain) == [{"number": purge, "reason": "user_request"}]
    # The démarche lists both, and the trace written before the groupe was kept
    deleted = run(gql, jeton[1], demarche)["deletedDossiers"]["nodes"]
    assert [node["number"] for node in deleted] == [expire, purge, par_groupe["sans_groupe"]]


def test_groupe_deleted_dossiers_keep_pagination_order_and_since(gql, jeton, par_groupe):
    ain, purge = par_groupe["ain"]
    plus_tard = timezone.now() + datetime.timedelta(hours=1)
    other = DossierSupprime.objects.create(
        dossier_number=77777, procedure=ain.procedure, groupe_instructeur=ain, state="refuse", reason="expiration"
    )
    DossierSupprime.objects.filter(pk=other.pk).update(deleted_at=plus_tard)
    query = """query($number: Int!, $first: Int, $after: String, $order: Order, $since: ISO8601DateTime) {
      groupeInstructeur(number: $number) {
        deletedDossiers(first: $first, after: $after, order: $order, deletedSince: $since) {
          nodes { number } pageInfo { hasNextPage endCursor }
        }
      }
    }"""

    def page(**variables):
        status, body, _ = gql(jeton[1], query, {"number": ain.pk, **variables})
        assert status == 200 and "errors" not in body, body
        result = body["data"]["groupeInstructeur"]["deletedDossiers"]
        return [node["number"] for node in result["nodes"]], result["pageInfo"]

    numbers, info = page(first=1)
    assert numbers == [purge] and info["hasNextPage"] is True
    numbers, info = page(first=1, after=info["endCursor"])
    assert numbers == [77777] and info["hasNextPage"] is False
    assert page(order="DESC")[0] == [77777, purge]
    assert page(since=(plus_tard - datetime.timedelta(minutes=1)).isoformat())[0] == [77777]


def test_groupe_deleted_dossiers_outside_the_scope(gql, client, administrateur, instructeur, par_groupe):
    ain = par_groupe["ain"][0]
    # A token of another administrateur
    _, foreign = api_services.api_token_creer(
        administrateur=factories.AdministrateurFactory(), name="Autre", write_access=False
    )
    # A token of the same administrateur, limited to another of his démarches
    autre = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur])
    _, limited = api_services.api_token_creer(
        administrateur=administrateur, name="Limité", write_access=False, procedures=[autre]
    )
    for secret in (foreign, limited):
        status, body, _ = gql(secret, GROUPE_QUERY, {"number": ain.pk})
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "unauthorized"
    # An instructeur of the groupe has no access to the API explorer
    client.force_login(instructeur.user)
    response = client.post(
        reverse("api:graphql_session"), data=json.dumps({"query": GROUPE_QUERY, "variables": {"number": ain.pk}}),
        content_type="application/json",
    )
    assert response.status_code == 403 and "data" not in response.json()
