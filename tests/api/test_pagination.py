"""Cursor pagination over a whole démarche, as synchronisation scripts use it."""

import datetime

import pytest
from django.utils import timezone

from demarches.api.graphql.ids import global_id
from demarches.dossiers.models import Dossier
from tests import factories

from .documents import EXPORT_PAGE

PAGE = """query($n: Int!, $first: Int, $last: Int, $after: String, $before: String, $order: Order, $state: DossierState,
  $archived: Boolean, $createdSince: ISO8601DateTime, $updatedSince: ISO8601DateTime, $revision: ID) {
  demarche(number: $n) { dossiers(first: $first, last: $last, after: $after, before: $before, order: $order, state: $state,
    archived: $archived, createdSince: $createdSince, updatedSince: $updatedSince, revision: $revision) {
    nodes { number } edges { cursor node { number } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } } }"""


@pytest.fixture
def dossiers(demarche):
    """25 deposited dossiers, one per minute, in several states; plus a brouillon that never shows."""
    start = timezone.now() - datetime.timedelta(days=1)
    states = [Dossier.State.EN_CONSTRUCTION, Dossier.State.EN_INSTRUCTION, Dossier.State.ACCEPTE, Dossier.State.REFUSE]
    created = []
    for index in range(25):
        dossier = factories.dossier_creer(procedure=demarche, state=states[index % 4], archived=index % 5 == 0)
        Dossier.objects.filter(pk=dossier.pk).update(depose_at=start + datetime.timedelta(minutes=index))
        created.append(dossier.pk)
    factories.dossier_creer(procedure=demarche)
    return created


def page(gql, secret, demarche, **variables):
    status, body, _ = gql(secret, PAGE, {"n": demarche.pk, **variables})
    assert status == 200 and "errors" not in body, body.get("errors")
    return body["data"]["demarche"]["dossiers"]


def test_full_export_page_after_page(gql, jeton, demarche, dossiers):
    # Given a script that reads pages of 10 until hasNextPage is false
    seen, after, pages = [], None, 0
    while True:
        status, body, _ = gql(jeton[1], EXPORT_PAGE, {"number": demarche.pk, "first": 10, "after": after})
        assert status == 200 and "errors" not in body, body.get("errors")
        connection = body["data"]["demarche"]["dossiers"]
        pages += 1
        seen += [node["number"] for node in connection["nodes"]]
        assert [edge["cursor"] for edge in connection["edges"]][-1:] == [connection["pageInfo"]["endCursor"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    # Then it got every deposited dossier exactly once, in deposit order, in 3 pages
    assert pages == 3
    assert seen == dossiers


def test_last_and_before_walk_backwards(gql, jeton, demarche, dossiers):
    last_page = page(gql, jeton[1], demarche, last=10)
    assert [n["number"] for n in last_page["nodes"]] == dossiers[-10:]
    assert last_page["pageInfo"]["hasPreviousPage"] is True and last_page["pageInfo"]["hasNextPage"] is False
    previous = page(gql, jeton[1], demarche, last=10, before=last_page["pageInfo"]["startCursor"])
    assert [n["number"] for n in previous["nodes"]] == dossiers[-20:-10]
    assert previous["pageInfo"]["hasNextPage"] is True


def test_desc_order_starts_with_the_newest(gql, jeton, demarche, dossiers):
    first = page(gql, jeton[1], demarche, first=10, order="DESC")
    assert [n["number"] for n in first["nodes"]] == dossiers[::-1][:10]
    second = page(gql, jeton[1], demarche, first=10, order="DESC", after=first["pageInfo"]["endCursor"])
    assert [n["number"] for n in second["nodes"]] == dossiers[::-1][10:20]


def test_page_size_is_capped_at_100(gql, jeton, demarche):
    for index in range(105):
        factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
    default = page(gql, jeton[1], demarche)
    assert len(default["nodes"]) == 100 and default["pageInfo"]["hasNextPage"] is True
    assert len(page(gql, jeton[1], demarche, first=500)["nodes"]) == 100


def test_filters(gql, jeton, demarche, dossiers):
    all_dossiers = {d.pk: d for d in Dossier.objects.filter(pk__in=dossiers)}
    accepted = page(gql, jeton[1], demarche, state="accepte")
    assert [n["number"] for n in accepted["nodes"]] == [pk for pk in dossiers if all_dossiers[pk].state == "accepte"]
    archived = page(gql, jeton[1], demarche, archived=True)
    assert [n["number"] for n in archived["nodes"]] == [pk for pk in dossiers if all_dossiers[pk].archived]
    since = all_dossiers[dossiers[20]].depose_at
    recent = page(gql, jeton[1], demarche, createdSince=timezone.localtime(since).isoformat())
    assert [n["number"] for n in recent["nodes"]] == dossiers[20:]
    revision = page(gql, jeton[1], demarche, revision=global_id("ProcedureRevision", demarche.published_revision_id))
    assert len(revision["nodes"]) == 25


def test_updated_since_orders_by_last_modification(gql, jeton, demarche, dossiers):
    # Given dossiers 3 and 1 modified after the others, in that order
    base = timezone.now()
    Dossier.objects.filter(pk__in=dossiers).update(updated_at=base - datetime.timedelta(hours=2))
    Dossier.objects.filter(pk=dossiers[3]).update(updated_at=base - datetime.timedelta(minutes=20))
    Dossier.objects.filter(pk=dossiers[1]).update(updated_at=base - datetime.timedelta(minutes=10))
    since = timezone.localtime(base - datetime.timedelta(hours=1)).isoformat()
    changed = page(gql, jeton[1], demarche, updatedSince=since)
    assert [n["number"] for n in changed["nodes"]] == [dossiers[3], dossiers[1]]


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"first": 2, "last": 2}, "« first » et « last »"),
        ({"after": "x", "before": "y"}, "« after » et « before »"),
        ({"first": -1}, "« first »"),
        ({"after": "pas-un-curseur"}, "Curseur invalide"),
    ],
)
def test_invalid_arguments_are_refused(gql, jeton, demarche, dossiers, variables, message):
    _, body, _ = gql(jeton[1], PAGE, {"n": demarche.pk, **variables})
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "bad_request"


GROUPE_PAGE = """query($n: Int!, $first: Int, $after: String, $state: DossierState, $archived: Boolean, $order: Order) {
  groupeInstructeur(number: $n) { dossiers(first: $first, after: $after, state: $state, archived: $archived, order: $order) {
    nodes { number } pageInfo { hasNextPage endCursor }
  } } }"""


def test_groupe_instructeur_dossiers_are_paginated_and_filtered(gql, jeton, demarche, dossiers):
    # Given the démarche's dossiers split between its default groupe and a second one (every third dossier)
    from demarches.procedures.models import GroupeInstructeur

    ain = GroupeInstructeur.objects.create(procedure=demarche, label="Ain")
    in_ain = dossiers[::3]
    Dossier.objects.filter(pk__in=in_ain).update(groupe_instructeur=ain)
    by_pk = {d.pk: d for d in Dossier.objects.filter(pk__in=dossiers)}

    def groupe_page(groupe, **variables):
        status, body, _ = gql(jeton[1], GROUPE_PAGE, {"n": groupe.pk, **variables})
        assert status == 200 and "errors" not in body, body.get("errors")
        return body["data"]["groupeInstructeur"]["dossiers"]

    # When a script walks the second groupe page after page
    seen, after = [], None
    while True:
        connection = groupe_page(ain, first=4, after=after)
        seen += [node["number"] for node in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    # Then it gets that groupe's dossiers only, each once, in deposit order
    assert seen == in_ain
    # And the filters and order apply within the groupe
    default = demarche.default_groupe
    others = [pk for pk in dossiers if pk not in in_ain]
    assert [n["number"] for n in groupe_page(default, state="accepte")["nodes"]] == [pk for pk in others if by_pk[pk].state == "accepte"]
    assert [n["number"] for n in groupe_page(ain, archived=True)["nodes"]] == [pk for pk in in_ain if by_pk[pk].archived]
    assert [n["number"] for n in groupe_page(ain, order="DESC", first=3)["nodes"]] == in_ain[::-1][:3]
