"""Schema extensions: what the reference server accepts, we accept."""

from collections.abc import Iterator

from graphql import OverlappingFieldsCanBeMergedRule
from strawberry.extensions import SchemaExtension


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
