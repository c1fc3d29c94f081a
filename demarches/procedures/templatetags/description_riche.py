"""{{ procedure.description|description_riche }}: the démarche's description, sanitised, as HTML."""

from django import template

from demarches.procedures import description

register = template.Library()


@register.filter
def description_riche(texte):
    return description.description_html(texte)
