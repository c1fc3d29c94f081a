from ..registry import FieldType, StoredValue, register


@register
class HeaderSection(FieldType):
    key = "header_section"
    label = "Titre de section"
    fillable = False
    template = "fields/widgets/header_section.html"

    def parse(self, raw, *, options):
        return StoredValue()


@register
class Explication(FieldType):
    key = "explication"
    label = "Explication"
    fillable = False
    template = "fields/widgets/explication.html"

    def parse(self, raw, *, options):
        return StoredValue()
