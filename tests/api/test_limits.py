"""Depth, size and cost of documents are limited; the reference clients' documents pass."""

import pytest

from demarches.api.graphql.extensions import MAX_COST, MAX_TOKENS
from demarches.api.graphql.schema import MAX_DEPTH

from . import documents

DOSSIER_PAGE = """
  dossiers(first: 100) {
    nodes {
      id number state dateDepot usager { email }
      champs { id label stringValue ... on TextChamp { value } ... on IntegerNumberChamp { value } }
      annotations { id label stringValue }
      messages { id body email createdAt }
      avis { id question reponse }
    }
  }
"""


def _aliased_pages(count: int) -> str:
    pages = "\n".join(f"page{n}: {DOSSIER_PAGE}" for n in range(count))
    return f"query copies($number: Int!) {{ demarche(number: $number) {{ {pages} }} }}"


@pytest.mark.parametrize("name", ["SEED_CURL", "SEED_GET_DEMARCHE", "EXPORT_PAGE"])
def test_reference_client_documents_pass(gql, jeton, dossier, name):
    # Given a document as the reference platform's clients write it, asking for full pages
    variables = {"number": dossier.procedure_id, "demarcheNumber": dossier.procedure_id, "first": 100}
    # When it is sent
    status, body, _ = gql(jeton[1], getattr(documents, name), variables)
    # Then no limit refuses it
    assert status == 200 and "errors" not in body, body.get("errors")
    assert body["data"]["demarche"]["dossiers"]["nodes"]


def test_several_pages_in_one_document_pass(gql, jeton, dossier):
    status, body, _ = gql(jeton[1], _aliased_pages(3), {"number": dossier.procedure_id})
    assert status == 200 and "errors" not in body, body.get("errors")
    assert len(body["data"]["demarche"]["page2"]["nodes"]) == 1


def test_too_costly_document_is_refused_with_a_clear_error(gql, jeton, dossier):
    # Given a document that aliases a page of 100 dossiers many times
    status, body, _ = gql(jeton[1], _aliased_pages(40), {"number": dossier.procedure_id})
    # Then it is refused before execution, with its cost and the limit
    assert status == 200 and body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "query_too_complex"
    assert error["extensions"]["cost"] > MAX_COST == error["extensions"]["maxCost"]
    assert "trop coûteuse" in error["message"] and "« copies »" in error["message"] and "first" in error["message"]


def test_page_size_counts_in_the_cost(gql, jeton, dossier):
    # 40 copies of a page of 2 dossiers cost less than 40 pages of 100
    document = _aliased_pages(40).replace("first: 100", "first: 2")
    status, body, _ = gql(jeton[1], document, {"number": dossier.procedure_id})
    assert "errors" not in body, body.get("errors")


def test_too_deep_document_is_refused(gql, jeton, dossier):
    # Given a document nesting linked dossiers beyond the maximum depth
    inner = "id"
    for _ in range(MAX_DEPTH):
        inner = f"champs {{ ... on DossierLinkChamp {{ dossier {{ {inner} }} }} }}"
    document = f"query profonde($number: Int!) {{ dossier(number: $number) {{ {inner} }} }}"
    status, body, _ = gql(jeton[1], document, {"number": dossier.pk})
    assert body["data"] is None
    assert "maximum operation depth" in body["errors"][0]["message"] and "profonde" in body["errors"][0]["message"]


def test_too_long_document_is_refused(gql, jeton, dossier):
    document = "query longue { " + " ".join(f"a{n}: __typename" for n in range(MAX_TOKENS // 3 + 1)) + " }"
    status, body, _ = gql(jeton[1], document)
    assert body.get("data") is None
    assert "tokens" in body["errors"][0]["message"]


def test_limits_hold_when_the_document_comes_again(gql, jeton, dossier):
    # Given documents seen before (their parsing and validation are cached, schema.ValidationCache)
    too_deep = "query { dossier(number: %d) { %s } }" % (
        dossier.pk, "champs { ... on DossierLinkChamp { dossier { " * 8 + "id" + " } } }" * 8
    )
    too_costly = _aliased_pages(40)
    for _ in range(3):
        # When they are sent again and again
        _, deep, _ = gql(jeton[1], too_deep)
        _, costly, _ = gql(jeton[1], too_costly, {"number": dossier.procedure_id})
        _, valid, _ = gql(jeton[1], "query($n: Int!) { dossier(number: $n) { number } }", {"n": dossier.pk})
        # Then they are refused (or accepted) every time, with the same errors
        assert deep["data"] is None and "depth" in deep["errors"][0]["message"]
        assert costly["data"] is None and costly["errors"][0]["extensions"]["code"] == "query_too_complex"
        assert valid == {"data": {"dossier": {"number": dossier.pk}}}
