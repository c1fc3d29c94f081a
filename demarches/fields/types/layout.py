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


@register
class Explication(FieldType):
    """Static text. options["collapsible"]: the libellé is shown, the description unfolds on demand."""

    key = "explication"
    label = "Explication"
    fillable = False
    template = "fields/widgets/explication.html"

    def parse(self, raw, *, options):
        return StoredValue()
