"""The project's named URL patterns, for tests that walk every URL of a kind (authorisation sweeps)."""

import re

from django.urls import get_resolver


def routes_commencant_par(debut: str) -> list[tuple[str, list[str]]]:
    """("namespace:name", [its parameters]) for every named URL whose route starts with `debut`."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            else:
                route = prefix + str(pattern.pattern)
                if route.startswith(debut) and pattern.name:
                    found.append((f"{namespace}:{pattern.name}", re.findall(r"<(?:\w+:)?(\w+)>", route)))

    walk(get_resolver().url_patterns, "", "")
    return found
