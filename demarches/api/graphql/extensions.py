"""What we add to Strawberry and graphql-core: accepting the reference's documents, limiting their
size, and executing large pages quickly."""

import inspect
from collections.abc import Iterator
from operator import attrgetter

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLError,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OverlappingFieldsCanBeMergedRule,
    ValidationRule,
    get_named_type,
)
from graphql.language.visitor import SKIP
from graphql.execution.executor import Path
from graphql.pyutils import Undefined
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE


class AllowOverlappingFieldsOfDifferentTypes(SchemaExtension):
    """Drop the "overlapping fields can be merged" validation rule.

    Client documents written for the reference API select `value` under inline fragments of
    champ types whose `value` differs in type (`... on TextChamp { value } ... on
    IntegerNumberChamp { value }`). The specification rejects such documents; the reference
    server accepts them and so must we. Each object is of exactly one concrete type, so the
    executor never actually has to merge two different `value` fields.
    """

    def on_operation(self) -> Iterator[None]:
        self.execution_context.validation_rules = tuple(
            rule for rule in self.execution_context.validation_rules if rule is not OverlappingFieldsCanBeMergedRule
        )
        yield


# --- Limits on the documents ----------------------------------------------------------------------

MAX_TOKENS = 10_000  # a full export document of a reference client is some 600 tokens
MAX_COST = 50_000
DEFAULT_PAGE_SIZE = 100  # what a connection returns when `first`/`last` is absent or a variable


class QueryCostRule(ValidationRule):
    """Refuse documents that could ask for too many values.

    The cost of a document is the number of field values it could return: each selected field
    counts once for every object it may be read on, and a field taking `first` or `last`
    (a paginated list, at most 100 a page) multiplies what it selects by that number, or by 100
    when it is a variable or absent. A full export page of 100 dossiers with their champs,
    annotations, messages and avis costs about 10 000; MAX_COST leaves room for several such
    selections in one document while refusing documents that alias the same page dozens of
    times. Depth is limited separately (schema.MAX_DEPTH) and so is the document size
    (MAX_TOKENS).
    """

    def __init__(self, context):
        super().__init__(context)
        self.fragments = {
            definition.name.value: definition
            for definition in context.document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }

    def enter_operation_definition(self, node: OperationDefinitionNode, *_):
        root = self.context.schema.get_root_type(node.operation)
        cost = self._cost(node.selection_set, root, 1, frozenset())
        if cost > MAX_COST:
            name = f" « {node.name.value} »" if node.name else ""
            self.report_error(GraphQLError(
                f"La requête{name} est trop coûteuse : elle pourrait demander jusqu'à {cost} valeurs, "
                f"pour un maximum de {MAX_COST}. Demandez moins de dossiers par page (first, last) "
                "ou moins de champs, quitte à faire plusieurs requêtes.",
                node, extensions={"code": "query_too_complex", "cost": cost, "maxCost": MAX_COST},
            ))
        return SKIP

    def _cost(self, selection_set, parent_type, multiplier: int, fragments_seen: frozenset) -> int:
        if selection_set is None or parent_type is None:
            return 0
        schema = self.context.schema
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += multiplier
                if selection.selection_set is not None:
                    field_def = getattr(parent_type, "fields", {}).get(selection.name.value)
                    if field_def is not None:
                        total += self._cost(
                            selection.selection_set, get_named_type(field_def.type),
                            multiplier * self._page_size(selection, field_def), fragments_seen,
                        )
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = schema.get_type(condition.name.value) if condition else parent_type
                total += self._cost(selection.selection_set, fragment_type, multiplier, fragments_seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in fragments_seen:  # cycles are another rule's error
                    fragment_type = schema.get_type(fragment.type_condition.name.value)
                    total += self._cost(fragment.selection_set, fragment_type, multiplier, fragments_seen | {name})
            if total > MAX_COST * 1000:  # far beyond the limit: no need to count further
                return total
        return total

    @staticmethod
    def _page_size(node: FieldNode, field_def) -> int:
        """How many objects a field may return per parent: a page for paginated lists, else one."""
        if "first" not in field_def.args and "last" not in field_def.args:
            return 1
        sizes = [
            min(int(argument.value.value), DEFAULT_PAGE_SIZE) if isinstance(argument.value, IntValueNode) else DEFAULT_PAGE_SIZE
            for argument in node.arguments or ()
            if argument.name.value in ("first", "last")
        ]
        return max(1, min(sizes)) if sizes else DEFAULT_PAGE_SIZE


class DocumentLimits(AddValidationRules):
    """The cost rule, as a schema extension."""

    def __init__(self):
        super().__init__([QueryCostRule])


# --- Compiled completion of simple fields -------------------------------------------------------------


class _Fallback(Exception):
    """A compiled field met something only the general executor handles (a null in a non-null
    field, a value the scalar refuses, an exception…): the object is executed the usual way."""


_FALLBACK = object()
_NOT_COMPILED = object()


def _direct_getter(field_def):
    """How to read a field without graphql-core's machinery, or None.

    Two kinds of fields qualify: plain attributes (Strawberry fields without resolver, see
    schema.resolve_plain_fields_directly), and resolvers that take nothing but `self` (no info,
    no argument, no field extension or permission, not async). Both are pure reads of the
    object, so reading them again in the general executor after a fallback changes nothing.
    """
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if definition is None or definition.extensions:
        return None
    resolve = field_def.resolve
    if getattr(resolve, "plain_attribute", False) or getattr(resolve, "_is_default", False):
        return attrgetter(definition.python_name)
    resolver = definition.base_resolver
    if resolver is None or resolver.is_async:
        return None
    function = resolver.wrapped_func
    if not inspect.isfunction(function):
        return None
    if [parameter.name for parameter in inspect.signature(function).parameters.values()] != ["self"]:
        return None
    return function


# Built-in scalars whose output coercion leaves a value of this exact type unchanged.
_EXACT_TYPES = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


def _leaf_coercer(leaf_type):
    """coerce_output_value of a scalar or enum, with the common case of the built-in scalars inlined."""
    coerce = leaf_type.coerce_output_value
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        exact = str
    elif leaf_type is GraphQLBoolean:
        exact = bool
    else:
        return coerce
    return lambda value: value if type(value) is exact else coerce(value)


def _check_leaf(coerced):
    if coerced is None or coerced is Undefined:
        raise _Fallback
    return coerced


class CompiledSelectionsMixin:
    """Execution context mixin: complete the simple parts of a result without graphql-core's
    per-field machinery.

    A page of 100 dossiers with 30 champs each is some 20 000 fields; graphql-core executes each
    of them through a dozen calls (resolve info, argument values, resolver wrapper, completion of
    the value, of its type, of each list item…), which made up most of a request's time. For every
    (type, selection) pair met, the fields whose value is a pure read of the object (see
    _direct_getter) and whose type is a scalar, an enum, an object made only of such fields, or
    a list of those, are compiled once into small functions; interfaces are resolved by class.
    Other fields go through the executor as usual. The result is the same dictionary, in the same
    order. When compiled code meets anything unusual (null in a non-null field, a value its scalar
    refuses, an error), that object or list item is executed again the usual way, so errors and
    their paths are those of graphql-core.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._compiled_plans: dict = {}
        self._compiled_items: dict = {}
        self._runtime_types: dict = {}
        middleware = getattr(self, "middleware_manager", None)
        # Field middleware (extensions with a `resolve` hook) must see every field: no compiling then.
        self._compiling = not (middleware is not None and getattr(middleware, "middlewares", None))

    # --- entry points: graphql-core calls these for every object and every list it completes ----------

    def collect_and_execute_subfields(self, return_type, field_details_list, path, result, position_context):
        if self._compiling and position_context is None:
            plan = self._plan(return_type, field_details_list)
            if plan is not None:
                completed = self._run_plan(plan, return_type, result, path)
                if completed is not _FALLBACK:
                    return completed
        return super().collect_and_execute_subfields(return_type, field_details_list, path, result, position_context)

    def complete_iterable_value(self, item_type, field_details_list, info, path, items, position_context):
        if self._compiling and position_context is None and isinstance(items, (list, tuple)):
            complete = self._item_completer(item_type, field_details_list, info)
            if complete is not None:
                completed = self._complete_items(complete, items, item_type, field_details_list, info, path)
                if completed is not _FALLBACK:
                    return completed
        return super().complete_iterable_value(item_type, field_details_list, info, path, items, position_context)

    # --- objects ----------------------------------------------------------------------------------

    def _plan(self, return_type, field_details_list):
        key = (return_type, id(field_details_list))
        cached = self._compiled_plans.get(key)
        if cached is not None:
            return cached[1]
        plan = self._compile_object(return_type, field_details_list)
        plan = None if plan is _NOT_COMPILED else plan
        # Keep the list alive with its plan, so that its id is not reused during execution.
        self._compiled_plans[key] = (field_details_list, plan)
        return plan

    def _compile_object(self, return_type, field_details_list):
        """[(response name, field details, completer or None when the executor must do it)]."""
        grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(return_type, field_details_list)
        if new_defer_usages:
            return _NOT_COMPILED
        entries = [
            (response_name, sub_details, self._compile_field(return_type, sub_details))
            for response_name, sub_details in grouped_field_set.items()
        ]
        if all(completer is None for _, _, completer in entries):
            return _NOT_COMPILED
        return entries

    def _compile_field(self, parent_type, field_details_list):
        if any(details.node.arguments or details.node.directives for details in field_details_list):
            return None
        name = field_details_list[0].node.name.value
        if name == "__typename":
            type_name = parent_type.name
            return lambda source: type_name
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None:
            return None
        getter = _direct_getter(field_def)
        if getter is None:
            return None
        output_type = field_def.type
        # The two most frequent shapes, in one function each.
        if isinstance(output_type, GraphQLNonNull) and isinstance(output_type.of_type, GraphQLLeafType):
            coerce = _leaf_coercer(output_type.of_type)
            exact = _EXACT_TYPES.get(output_type.of_type)

            def non_null_leaf(source):
                value = getter(source)
                if type(value) is exact:  # a str for String and ID, a bool for Boolean: nothing to coerce
                    return value
                if value is None or value is Undefined or isinstance(value, Exception):
                    raise _Fallback
                return _check_leaf(coerce(value))

            return non_null_leaf
        if isinstance(output_type, GraphQLLeafType):
            coerce = _leaf_coercer(output_type)
            exact = _EXACT_TYPES.get(output_type)

            def nullable_leaf(source):
                value = getter(source)
                if value is None or type(value) is exact:
                    return value
                if value is Undefined:
                    return None
                if isinstance(value, Exception):
                    raise _Fallback
                return _check_leaf(coerce(value))

            return nullable_leaf
        complete = self._compile_type(output_type, field_details_list)
        if complete is None:
            return None
        return lambda source: complete(getter(source))

    def _compile_type(self, output_type, field_details_list):
        """A function completing a value of this type, raising _Fallback when it cannot; or None."""
        if isinstance(output_type, GraphQLNonNull):
            inner = self._compile_type(output_type.of_type, field_details_list)
            if inner is None:
                return None

            def non_null(value):
                completed = inner(value)
                if completed is None:
                    raise _Fallback
                return completed

            return non_null

        if isinstance(output_type, GraphQLList):
            if any(details.node.directives for details in field_details_list):
                return None  # @stream
            item = self._compile_type(output_type.of_type, field_details_list)
            if item is None:
                return None

            def list_of(value):
                if value is None or value is Undefined:
                    return None
                if not isinstance(value, (list, tuple)):
                    raise _Fallback
                return [item(element) for element in value]

            return list_of

        if isinstance(output_type, GraphQLLeafType):
            coerce = _leaf_coercer(output_type)

            def leaf(value):
                if value is None or value is Undefined:
                    return None
                if isinstance(value, Exception):
                    raise _Fallback
                return _check_leaf(coerce(value))

            return leaf

        if isinstance(output_type, GraphQLObjectType):
            plan = self._plan(output_type, field_details_list)
            if plan is None or any(completer is None for _, _, completer in plan):
                return None
            fields = [(response_name, completer) for response_name, _, completer in plan]
            is_type_of = output_type.is_type_of

            def object_value(value):
                if value is None or value is Undefined:
                    return None
                if isinstance(value, Exception) or (is_type_of is not None and is_type_of(value, None) is not True):
                    raise _Fallback
                return {response_name: completer(value) for response_name, completer in fields}

            return object_value

        return None  # interfaces and unions inside compiled fields: the executor resolves them

    def _run_plan(self, plan, parent_type, source, path):
        results = {}
        remaining = []
        try:
            for response_name, field_details_list, completer in plan:
                if completer is None:
                    results[response_name] = None  # keeps its place in the response order
                    remaining.append((response_name, field_details_list))
                else:
                    results[response_name] = completer(source)
        except Exception:  # noqa: BLE001 — _Fallback or anything a read raised: graphql-core does it again
            return _FALLBACK
        awaitables = []
        for response_name, field_details_list in remaining:
            value = self.execute_field(parent_type, source, field_details_list, Path(path, response_name, parent_type.name), None)
            if value is Undefined:
                del results[response_name]
                continue
            results[response_name] = value
            if self.is_awaitable(value):
                awaitables.append(response_name)
        if not awaitables:
            return results

        async def gather():
            for response_name in awaitables:
                results[response_name] = await results[response_name]
            return results

        return gather()

    # --- list items -------------------------------------------------------------------------------

    def _item_completer(self, item_type, field_details_list, info):
        """A function completing one list item (returning _FALLBACK when it cannot), or None."""
        key = (item_type, id(field_details_list))
        cached = self._compiled_items.get(key)
        if cached is not None:
            return cached[1]
        complete = None
        if not any(details.node.directives for details in field_details_list):  # @stream
            named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
            if isinstance(named, GraphQLInterfaceType) and self._resolves_by_class(named):
                complete = self._interface_item_completer(item_type, named, field_details_list, info)
            elif isinstance(named, (GraphQLObjectType, GraphQLLeafType)):
                compiled = self._compile_type(item_type, field_details_list)
                if compiled is not None:
                    def complete(item, compiled=compiled):
                        try:
                            return compiled(item)
                        except Exception:  # noqa: BLE001
                            return _FALLBACK
        self._compiled_items[key] = (field_details_list, complete)
        return complete

    @staticmethod
    def _resolves_by_class(interface) -> bool:
        """Strawberry's own resolve_type, without a custom one: the runtime type follows the class."""
        definition = (interface.extensions or {}).get("strawberry-definition")
        return definition is not None and getattr(definition, "resolve_type", None) is None and interface.resolve_type is not None

    def _interface_item_completer(self, item_type, interface, field_details_list, info):
        non_null = isinstance(item_type, GraphQLNonNull)
        by_class: dict = {}

        def complete(item):
            if item is None or item is Undefined:
                return _FALLBACK if non_null else None
            cls = item.__class__
            compiled = by_class.get(cls, _NOT_COMPILED)
            if compiled is _NOT_COMPILED:
                compiled = by_class[cls] = self._runtime_completer(interface, item, field_details_list, info)
            if compiled is None or getattr(item, TYPE_CAST_ATTRIBUTE, None) is not None:
                return _FALLBACK
            try:
                return compiled(item)
            except Exception:  # noqa: BLE001
                return _FALLBACK

        return complete

    def _runtime_completer(self, interface, item, field_details_list, info):
        if getattr(item, TYPE_CAST_ATTRIBUTE, None) is not None:
            return None
        definition = getattr(item, "__strawberry_definition__", None)
        if definition is None or definition.is_graphql_generic:
            return None
        try:
            name = interface.resolve_type(item, info, interface)
            if not isinstance(name, str) or name != definition.name:
                return None
            runtime_type = self.ensure_valid_runtime_type(name, interface, field_details_list, info, item)
        except Exception:  # noqa: BLE001 — the executor will report it
            return None
        plan = self._plan(runtime_type, field_details_list)
        if plan is None or any(completer is None for _, _, completer in plan):
            return None
        fields = [(response_name, completer) for response_name, _, completer in plan]
        # The class was checked against the runtime type above: no is_type_of per item.
        return lambda value: {response_name: completer(value) for response_name, completer in fields}

    def _complete_items(self, complete, items, item_type, field_details_list, info, path):
        results = []
        awaitables = []
        for index, item in enumerate(items):
            completed = complete(item)
            if completed is _FALLBACK:
                if self.complete_list_item_value(item, results, item_type, field_details_list, info, path.add_key(index, None), None):
                    awaitables.append(index)
            else:
                results.append(completed)
        if not awaitables:
            return results

        async def gather():
            for index in awaitables:
                results[index] = await results[index]
            return results

        return gather()


def with_compiled_selections(execution_context_class):
    """The given execution context class, completing simple fields through CompiledSelectionsMixin."""
    return type(f"Compiled{execution_context_class.__name__}", (CompiledSelectionsMixin, execution_context_class), {})
