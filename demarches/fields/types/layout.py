import re

from ..registry import FieldType, StoredValue, register


@register
class HeaderSection(FieldType):
    key = "header_section"
    label = "Titre de section"
    fillable = False
    template = "fields/widgets/header_section.html"

    def parse(self, raw, *, options):
        return StoredValue()

    @staticmethod
    def level(options) -> int:
        """options["level"]: 1 (section), 2 (sub-section) or 3; anything else counts as 1."""
        try:
            level = int((options or {}).get("level", 1))
        except (TypeError, ValueError):
            return 1
        return min(max(level, 1), 3)

    def section_level(self, options):
        return self.level(options)


def numeros(sections) -> dict[int, str]:
    """The numbers of a form's section titles, {stable_id: "1.", "1.1", "1.1.1"…}, from their levels
    in form order. sections: (stable_id, libellé, options). Empty when the administrateur numbered
    the titles himself (one of them starts with a digit)."""
    sections = list(sections)
    if any(re.match(r"\s*\d", libelle or "") for _, libelle, _ in sections):
        return {}
    compteurs = [0, 0, 0]
    result = {}
    for stable_id, _, options in sections:
        level = HeaderSection.level(options)
        compteurs[level - 1] += 1
        compteurs[level:] = [0] * (3 - level)
        parts = [str(n) for n in compteurs[:level]]
        while len(parts) > 1 and parts[0] == "0":  # a sub-section before any section
            parts.pop(0)
        result[stable_id] = f"{parts[0]}." if len(parts) == 1 else ".".join(parts)
    return result


@register
class Explication(FieldType):
    """Static text. options["collapsible"]: the libellé is shown, the description unfolds on demand."""

    key = "explication"
    label = "Explication"
    fillable = False
    template = "fields/widgets/explication.html"

    def parse(self, raw, *, options):
        return StoredValue()
