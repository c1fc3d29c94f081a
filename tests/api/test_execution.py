"""Compiled completion of simple fields (extensions.CompiledSelectionsMixin) gives exactly what
graphql-core's executor gives: same data, same order, same errors with the same paths."""

import json
import re
from typing import Optional

import pytest
import strawberry
from django.test import RequestFactory

from demarches.api.graphql import schema as api_schema
from demarches.api.graphql.context import ApiContext
from demarches.api.graphql.extensions import with_compiled_selections
from demarches.api.graphql.ids import global_id
from demarches.api.graphql.loaders import Batch
from demarches.api.graphql.schema import ApiExecutionContext, resolve_plain_fields_directly
from demarches.api import selectors

from .documents import EXPORT_PAGE, SEED_CURL, SEED_GET_DEMARCHE
from .test_queries import demarche_remplie  # noqa: F401  (fixture)

SIGNED_LINK = re.compile(r"/api/v2/fichiers/[^/]+/")


def _run(schema, document, variables=None, context=None):
    result = schema.execute_sync(document, variable_values=variables, context_value=context)
    errors = [(error.message, error.path) for error in result.errors or []]
    # Signed download links carry the second they were signed at.
    return SIGNED_LINK.sub("/api/v2/fichiers/<signé>/", json.dumps(result.data)), errors


def _both(schema, document, variables=None, context_factory=lambda: None):
    """The result with graphql-core's executor, then with compiled selections."""
    compiled_class = schema.execution_context_class
    try:
        schema.execution_context_class = ApiExecutionContext
        plain = _run(schema, document, variables, context_factory())
    finally:
        schema.execution_context_class = compiled_class
    return plain, _run(schema, document, variables, context_factory())


# --- The API's own documents, on seeded data ------------------------------------------------------


@pytest.mark.parametrize("document, variables", [
    (EXPORT_PAGE, {"first": 5}),
    (EXPORT_PAGE, {"first": 100}),
    (SEED_CURL, {}),
    (SEED_GET_DEMARCHE, {}),
])
def test_api_documents_give_the_same_result(demarche_remplie, jeton, document, variables):  # noqa: F811
    token = jeton[0]

    def context():
        return ApiContext(
            request=RequestFactory().post("/api/v2/graphql"), token=token, administrateur=token.administrateur,
            procedure_ids=selectors.procedures_du_jeton(token), write_access=True, batch=Batch(),
        )

    variables = {**variables, "number": demarche_remplie.pk, "demarcheNumber": demarche_remplie.pk}
    schema = api_schema.schema
    assert schema.execution_context_class.__name__.startswith("Compiled")
    plain, compiled = _both(schema, document, variables, context)
    assert compiled == plain
    first = demarche_remplie.dossiers.exclude(state="brouillon").order_by("depose_at", "pk").first()
    assert plain[1] == [] and '"dossiers": {' in plain[0] and f'"id": "{global_id("Dossier", first.pk)}"' in plain[0]


# --- Corner cases, on a small schema ---------------------------------------------------------------


@strawberry.enum
class Couleur(strawberry.enum_base if hasattr(strawberry, "enum_base") else __import__("enum").Enum):
    ROUGE = "rouge"
    VERT = "vert"


@strawberry.interface
class Forme:
    nom: str
    cote: Optional[int]


@strawberry.type
class Carre(Forme):
    couleur: Couleur
    tags: list[str]
    obligatoire: str  # non-null: None here is an error of the field

    @strawberry.field
    def aire(self) -> int:
        return (self.cote or 0) ** 2


@strawberry.type
class Cercle(Forme):
    rayon: float

    @strawberry.field
    def erreur(self) -> Optional[str]:
        raise ValueError("lecture impossible")


@strawberry.type
class Query:
    @strawberry.field
    def formes(self) -> list[Forme]:
        return [
            Carre(nom="a", cote=2, couleur=Couleur.ROUGE, tags=["x", "y"], obligatoire="oui"),
            Cercle(nom="b", cote=None, rayon=1.5),
            Carre(nom="c", cote=3, couleur=Couleur.VERT, tags=[], obligatoire=None),  # breaks a non-null field
            Carre(nom="d", cote=2**40, couleur=Couleur.VERT, tags=["z"], obligatoire="oui"),  # Int out of range
        ]

    @strawberry.field
    def carres(self) -> list[Optional[Carre]]:
        return [Carre(nom="e", cote=1, couleur=Couleur.ROUGE, tags=[], obligatoire="oui"), None]


def _small_schema():
    schema = strawberry.Schema(query=Query, types=[Carre, Cercle], execution_context_class=ApiExecutionContext)
    resolve_plain_fields_directly(schema)
    schema.execution_context_class = with_compiled_selections(ApiExecutionContext)
    return schema


@pytest.mark.parametrize("document", [
    "{ formes { nom __typename ... on Carre { couleur tags aire } ... on Cercle { rayon } } }",
    "{ formes { nom ... on Carre { obligatoire } } }",
    "{ formes { ... on Carre { cote } } }",
    "{ formes { nom ... on Cercle { erreur } } }",
    "{ carres { nom alias: nom aire couleur } }",
    "query($sans: Boolean!) { formes { nom @skip(if: $sans) cote @include(if: $sans) } }",
])
def test_corner_cases_give_the_same_result(document):
    # Given a schema with interfaces, enums, lists, resolvers and fields that fail
    schema = _small_schema()
    # When a document is run by graphql-core alone, then with compiled selections
    plain, compiled = _both(schema, document, {"sans": True})
    # Then data and errors (messages and paths) are identical
    assert compiled == plain


def test_errors_keep_their_paths():
    schema = _small_schema()
    _data, errors = _run(schema, "{ formes { nom ... on Carre { obligatoire } } }")
    assert errors == [("Cannot return null for non-nullable field Carre.obligatoire.", ["formes", 2, "obligatoire"])]
    _data, errors = _run(schema, "{ formes { ... on Carre { cote } } }")
    assert len(errors) == 1 and errors[0][1] == ["formes", 3, "cote"]
