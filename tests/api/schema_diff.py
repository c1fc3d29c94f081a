"""Differences between two GraphQL schemas, compared on their signatures (not their descriptions)."""

from graphql import (
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    parse,
    print_ast,
)

KINDS = {
    ObjectTypeDefinitionNode: "type",
    InterfaceTypeDefinitionNode: "interface",
    InputObjectTypeDefinitionNode: "input",
    EnumTypeDefinitionNode: "enum",
    ScalarTypeDefinitionNode: "scalar",
}


def _definitions(sdl: str) -> dict:
    return {node.name.value: node for node in parse(sdl).definitions if type(node) in KINDS}


def _deprecated(node) -> bool:
    return any(directive.name.value == "deprecated" for directive in node.directives or ())


def _fields(node) -> dict:
    return {field.name.value: field for field in (node.fields or ())}


def _default(arg) -> str | None:
    return print_ast(arg.default_value) if arg.default_value is not None else None


def _compare_fields(name, ours, reference, inherited: set[str], differences: list[str]) -> None:
    our_fields, ref_fields = _fields(ours), _fields(reference)
    for field in sorted(ref_fields.keys() - our_fields.keys()):
        differences.append(f"{name}.{field}: missing")
    for field in sorted(our_fields.keys() - ref_fields.keys() - inherited):
        differences.append(f"{name}.{field}: added")
    for field in sorted(our_fields.keys() & ref_fields.keys()):
        mine, theirs = our_fields[field], ref_fields[field]
        our_type, ref_type = print_ast(mine.type), print_ast(theirs.type)
        if our_type != ref_type:
            differences.append(f"{name}.{field}: type {our_type} instead of {ref_type}")
        if _deprecated(mine) != _deprecated(theirs):
            differences.append(f"{name}.{field}: {'deprecated' if _deprecated(mine) else 'not deprecated'}")
        if isinstance(mine, type(theirs)) and hasattr(theirs, "default_value") and _default(mine) != _default(theirs):
            differences.append(f"{name}.{field}: default {_default(mine)} instead of {_default(theirs)}")
        our_args = {arg.name.value: arg for arg in getattr(mine, "arguments", None) or ()}
        ref_args = {arg.name.value: arg for arg in getattr(theirs, "arguments", None) or ()}
        for arg in sorted(ref_args.keys() - our_args.keys()):
            differences.append(f"{name}.{field}({arg}): missing")
        for arg in sorted(our_args.keys() - ref_args.keys()):
            differences.append(f"{name}.{field}({arg}): added")
        for arg in sorted(our_args.keys() & ref_args.keys()):
            a, b = our_args[arg], ref_args[arg]
            if print_ast(a.type) != print_ast(b.type):
                differences.append(f"{name}.{field}({arg}): type {print_ast(a.type)} instead of {print_ast(b.type)}")
            if _default(a) != _default(b):
                differences.append(f"{name}.{field}({arg}): default {_default(a)} instead of {_default(b)}")


def differences(ours_sdl: str, reference_sdl: str) -> list[str]:
    """Every difference of our schema from the reference, for the types the reference text defines.

    Fields an interface adds are reported once, on the interface, not again on each implementing type.
    """
    ours, reference = _definitions(ours_sdl), _definitions(reference_sdl)
    interface_additions: dict[str, set[str]] = {}
    for name, node in ours.items():
        if isinstance(node, InterfaceTypeDefinitionNode) and name in reference:
            interface_additions[name] = set(_fields(node)) - set(_fields(reference[name]))
    result: list[str] = []
    for name in sorted(reference.keys() - ours.keys()):
        result.append(f"{name}: missing")
    for name in sorted(ours.keys() - reference.keys()):
        result.append(f"{name}: added")
    for name in sorted(ours.keys() & reference.keys()):
        mine, theirs = ours[name], reference[name]
        if KINDS[type(mine)] != KINDS[type(theirs)]:
            result.append(f"{name}: {KINDS[type(mine)]} instead of {KINDS[type(theirs)]}")
            continue
        if isinstance(mine, EnumTypeDefinitionNode):
            our_values = {value.name.value for value in mine.values or ()}
            ref_values = {value.name.value for value in theirs.values or ()}
            result += [f"{name}.{value}: missing" for value in sorted(ref_values - our_values)]
            result += [f"{name}.{value}: added" for value in sorted(our_values - ref_values)]
            continue
        if isinstance(mine, ScalarTypeDefinitionNode):
            continue
        our_interfaces = {i.name.value for i in getattr(mine, "interfaces", None) or ()}
        ref_interfaces = {i.name.value for i in getattr(theirs, "interfaces", None) or ()}
        if our_interfaces != ref_interfaces:
            result.append(f"{name}: implements {sorted(our_interfaces)} instead of {sorted(ref_interfaces)}")
        inherited = set().union(*(interface_additions.get(i, set()) for i in our_interfaces))
        _compare_fields(name, mine, theirs, inherited, result)
    return result
