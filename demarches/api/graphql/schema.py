"""The GraphQL schema of the API v2, compatible with the reference platform's schema."""

import logging
from operator import attrgetter

from graphql import GraphQLError, GraphQLObjectType

import strawberry
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from .champs import CONCRETE_CHAMP_TYPES
from .demandeurs import PersonneMorale, PersonnePhysique
from .extensions import AllowOverlappingFieldsOfDifferentTypes
from .mutations import Mutation
from .queries import Query
from .scalars import SCALAR_MAP

MAX_DEPTH = 15
logger = logging.getLogger("demarches.api")


class ApiExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core builds a resolve-info object for every field it executes, ~18 000 times for a
    page of 100 dossiers. Plain attribute fields (see resolve_plain_fields_directly) never read
    it, so one is built per field of the document and reused for every object; other fields get
    their own, as usual. Errors take their path from the executor, not from this object."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain_infos = {}

    def build_resolve_info(self, field_def, field_nodes, parent_type, path):
        if not getattr(field_def.resolve, "plain_attribute", False):
            return super().build_resolve_info(field_def, field_nodes, parent_type, path)
        key = (id(field_def), id(parent_type), id(field_nodes[0]))
        info = self._plain_infos.get(key)
        if info is None:
            info = self._plain_infos[key] = super().build_resolve_info(field_def, field_nodes, parent_type, path)
        return info


DEPTH_RULE = create_validator(MAX_DEPTH, None)
DOCUMENT_CACHE_SIZE = 256


class DepthLimit(AddValidationRules):
    """strawberry's QueryDepthLimiter, with one rule class for all requests (it makes a new one per
    request), so that the validation of a document already seen can be taken from ValidationCache."""

    def __init__(self):
        super().__init__([DEPTH_RULE])


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Log our bugs only: refusals and invalid documents are the client's business."""
        for error in errors:
            original = getattr(error, "original_error", None)
            if original is not None and not isinstance(original, GraphQLError):
                logger.error("Erreur de l'API GraphQL : %s", error.message, exc_info=original)


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[*CONCRETE_CHAMP_TYPES, PersonnePhysique, PersonneMorale],
    extensions=[AllowOverlappingFieldsOfDifferentTypes, DepthLimit],
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    execution_context_class=ApiExecutionContext,
)


def _read_attribute(getter):
    def resolve(source, info, **arguments):
        return getter(source)

    resolve.plain_attribute = True  # see ApiExecutionContext
    return resolve


def resolve_plain_fields_directly(strawberry_schema) -> int:
    """Let graphql-core read plain attribute fields itself; returns how many fields were changed.

    Strawberry sends every field, even a plain attribute, through its own resolver wrapper (three
    Python calls per field). A page of 100 dossiers with 30 champs each executes some 18 000
    fields, and that wrapper cost about a third of the request's CPU time (bench/api_bench.py).
    For the fields Strawberry itself marks as default (no resolver, no field extension), the
    attribute is read with operator.attrgetter instead. If a later Strawberry drops the marker,
    nothing is changed and the behaviour stays the same, only slower.
    """
    changed = 0
    for graphql_type in strawberry_schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field in graphql_type.fields.values():
            definition = (field.extensions or {}).get("strawberry-definition")
            if definition is None or not getattr(field.resolve, "_is_default", False):
                continue
            field.resolve = _read_attribute(attrgetter(definition.python_name))
            changed += 1
    return changed


PLAIN_FIELDS = resolve_plain_fields_directly(schema)

# Simple fields (plain attributes, resolvers taking only self) are completed by compiled functions
# rather than field by field (extensions.CompiledSelectionsMixin; bench/api_bench.py).
from .extensions import with_compiled_selections  # noqa: E402

schema.execution_context_class = with_compiled_selections(ApiExecutionContext)

# Document limits beyond depth: size in tokens, and cost (extensions.QueryCostRule).
from .extensions import MAX_TOKENS, DocumentLimits, MaxTokensLimiter  # noqa: E402

schema.extensions = (*schema.extensions, lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS), DocumentLimits)

# A synchronisation script sends the same document for every page, only `after` changes: its parsing
# and validation (a twentieth of a page of 100 dossiers) are done once. Both depend on the document
# text and the rules only, which are the same objects for every request; the caches are bounded.
schema.extensions = (
    *schema.extensions,
    lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
    lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
)
