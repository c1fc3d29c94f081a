"""What every resolver knows about the request: the token, its administrateur and its scope."""

from dataclasses import dataclass, field

from graphql import FieldNode, FragmentDefinitionNode, InlineFragmentNode, Visitor, visit

from .errors import Forbidden


class _TypeConditions(Visitor):
    """The type conditions of the document's fragments, and the names of the fields it selects."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self.fields: set[str] = set()

    def enter_field(self, node: FieldNode, *_):
        self.fields.add(node.name.value)

    def enter_inline_fragment(self, node: InlineFragmentNode, *_):
        if node.type_condition is not None:
            self.names.add(node.type_condition.name.value)

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_):
        self.names.add(node.type_condition.name.value)


@dataclass
class ApiContext:
    request: object
    token: object
    administrateur: object
    procedure_ids: frozenset[int]
    write_access: bool
    batch: object = None
    _type_conditions: _TypeConditions | None = field(default=None, repr=False)

    def can_read_procedure(self, procedure_id: int) -> bool:
        return procedure_id in self.procedure_ids

    def require_write_access(self) -> None:
        if not self.write_access:
            raise Forbidden(
                "Ce jeton ne permet que la lecture : créez un jeton en lecture et écriture pour modifier des dossiers."
            )

    def _document(self, info) -> _TypeConditions:
        if self._type_conditions is None:
            visitor = _TypeConditions()
            raw = info._raw_info
            visit(raw.operation, visitor)
            for fragment in raw.fragments.values():
                visit(fragment, visitor)
            self._type_conditions = visitor
        return self._type_conditions

    def has_fragment(self, info, type_name: str) -> bool:
        """Whether the document spreads a fragment on this type (the reference resolves some champs by it)."""
        return type_name in self._document(info).names

    def selects(self, info, field_name: str) -> bool:
        """Whether the document selects a field of this name anywhere (lets loaders skip unused columns)."""
        return field_name in self._document(info).fields
