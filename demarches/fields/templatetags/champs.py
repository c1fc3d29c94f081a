"""Template helpers of the champ widgets: extra data per type, details fetched from external
services, repetition rows, and which champs conditions hide."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .. import visibilite
from .. import widgets as champ_widgets

register = template.Library()


@register.simple_tag
def champ_extra(champ):
    """The type's widget_context() for this champ (choices, fetched details, URLs…)."""
    return champ.field_type.widget_context(options=champ.options, stored=champ_widgets.stored_of(champ))


@register.simple_tag
def champ_details(champ, oob=False):
    """The block under the input that shows what the value led to (établissement, address…)."""
    details_template = champ.field_type.details_template
    if not details_template:
        return ""
    stored = champ_widgets.stored_of(champ)
    context = {
        "champ": champ,
        "oob": oob,
        "extra": champ.field_type.widget_context(options=champ.options, stored=stored),
        "empty": champ.field_type.is_empty(stored),
    }
    return render_to_string(details_template, context)


@register.simple_tag
def lignes_repetition(champ):
    return champ_widgets.lignes(champ)


@register.simple_tag
def champs_masques(dossier):
    """The stable_ids of the champs hidden by conditions (empty set when there is no dossier)."""
    if dossier is None or not hasattr(dossier, "revision"):
        return set()
    return visibilite.masques_du_dossier(dossier)


@register.simple_tag(takes_context=True)
def repetitions_oob(context, widgets):
    """After « Ajouter un élément » / « Supprimer l'élément » through htmx, the block re-rendered out of band."""
    request = context.get("request")
    posted = getattr(request, "POST", {}) if request is not None else {}
    action = posted.get("repetition-ajouter") or (posted.get("repetition-supprimer") or "").split(":")[0]
    if not action:
        return ""
    html = []
    for widget in widgets:
        if widget.field_type.has_children and str(widget.type_de_champ.stable_id) == action:
            focus = "derniere-ligne" if posted.get("repetition-ajouter") else "bouton-ajouter"
            html.append(
                render_to_string(
                    widget.template, {"champ": widget, "oob": True, "focus": focus, "dossier": context.get("dossier")},
                    request=request,
                )
            )
    return mark_safe("".join(html))  # noqa: S308 (rendered templates, escaped by them)


@register.filter
def description_champ(texte, mode=""):
    """A champ's description, formatted as its administrateur allowed (see fields/description.py);
    "bloc" where paragraphs and lists fit, inline markup otherwise (a label's hint)."""
    from ..description import description_html

    return description_html(texte, bloc=mode == "bloc")
