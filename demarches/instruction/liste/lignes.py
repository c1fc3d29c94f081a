"""The rows of the dossier list, rendered once in Python.

A page shows up to 100 dossiers × a dozen cells: rendered by the template language (a tag per
cell, two URL reversals, a form with its csrf tag per row, truncatechars on every cell) they cost
most of the request. Here every URL is built from one reversed pattern, the csrf input is made
once per page, and each cell is escaped and truncated once; procedure.html keeps the table and its
headers, and inserts the prepared rows as they are (a template variable per row costs a lookup and a
number formatting each, about 10 ms a page).

The markup is the one the template used to produce (same elements, classes and accessible names).
"""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from demarches.dossiers.models import Dossier

from .. import selectors
from ..templatetags.instruction_tags import BADGE_CLASSES
from .colonnes import Colonne

TRONCATURE = 120
VIDE = "—"
_PK = 987654321  # stands for the dossier number in the reversed URL patterns


class _Url:
    """A dossier URL of the démarche: reversed once, then filled with each dossier's number."""

    def __init__(self, name: str, procedure_pk: int):
        self.avant, self.apres = escape(reverse(name, args=[procedure_pk, _PK])).split(str(_PK))

    def __call__(self, pk: int) -> str:
        return f"{self.avant}{pk}{self.apres}"


def _texte(valeur) -> str:
    """`{{ valeur|default:"—"|truncatechars:120 }}`, escaped."""
    if not valeur:
        return VIDE
    text = str(valeur)
    if len(text) > TRONCATURE:  # combining characters do not count: shorter texts are never cut
        text = Truncator(text).chars(TRONCATURE)
    return conditional_escape(text)


def _date(valeur) -> str:
    """`{{ valeur|date:"d/m/Y H:i"|default:"—" }}` (local time)."""
    if not valeur:
        return VIDE
    return timezone.localtime(valeur).strftime("%d/%m/%Y %H:%M")


_BADGES = {
    state.value: (
        f'<p class="fr-badge fr-badge--sm{" " + BADGE_CLASSES[state] if BADGE_CLASSES.get(state) else ""}">'
        f"{escape(state.label)}</p>"
    )
    for state in Dossier.State
}


def _badge(state: str) -> str:
    return _BADGES.get(state) or f'<p class="fr-badge fr-badge--sm">{escape(Dossier.State(state).label)}</p>'


def _labels(dossier) -> str:
    return "".join(
        f'<p class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--{escape(dl.label.color)} fr-mb-1v">'
        f"{escape(dl.label.name)}</p> "
        for dl in dossier.dossier_labels.all()
    )


def _champs(stored_values: dict, colonnes_champs: dict[int, Colonne]) -> dict[int, str]:
    """The displayed value of each shown champ of a dossier, by stable_id ("" when empty)."""
    valeurs = {}
    for stable_id, stored in stored_values.items():
        field_type = colonnes_champs[stable_id].field_type
        valeurs[stable_id] = "" if field_type.is_empty(stored) else field_type.display(stored)
    return valeurs


def _numero(dossier, url: str) -> str:
    pk = dossier.pk
    html = f'<th scope="row"><a href="{url}">Dossier n° {pk}</a>'
    nouveau_message = getattr(dossier, "has_new_message", False)
    modifications = getattr(dossier, "modifications_non_vues", False)
    if nouveau_message or modifications:
        html += '<span class="instruction-dot" aria-hidden="true"></span>'
    if nouveau_message:
        html += '<span class="fr-sr-only">(nouveau message)</span>'
    if modifications:
        html += '<span class="fr-sr-only">(modifications déposées)</span>'
    return html + "</th>"


def _cellule(colonne: Colonne, dossier, champs: dict[int, str]) -> str:
    """One <td>: the champ's displayed value, a badge, labels, a date or the metadata as text."""
    if colonne.is_champ:
        return f"<td>{_texte(champs.get(colonne.stable_id, ''))}</td>"
    key = colonne.key
    if key == "etat":
        return f"<td>{_badge(dossier.state)}</td>"
    if key == "labels":
        return f"<td>{_labels(dossier)}</td>"
    if colonne.type == "date":
        return f"<td>{_date(getattr(dossier, key))}</td>"
    if key == "demandeur":
        valeur = dossier.demandeur
    elif key == "email":
        valeur = dossier.user.email
    elif key == "groupe":
        valeur = dossier.groupe_instructeur.label if dossier.groupe_instructeur else ""
    elif key == "suiveurs":
        valeur = ", ".join(f.instructeur.user.email for f in getattr(dossier, "suiveurs_de_la_liste", ()))
    else:
        valeur = getattr(dossier, key)
    return f"<td>{_texte(valeur)}</td>"


class Ligne(SafeString):
    """A row's HTML, that knows its dossier."""

    dossier: Dossier


def _selection(pk: int) -> str:
    """The first cell: the checkbox of the bulk actions (form « actions-groupees »)."""
    return (
        f'<td class="fr-cell--fixed"><div class="fr-checkbox-group fr-checkbox-group--sm"><input type="checkbox" '
        f'id="selection-{pk}" name="dossiers" value="{pk}" form="actions-groupees" data-liste-selection>'
        f'<label class="fr-label" for="selection-{pk}"><span class="fr-sr-only">Cocher le dossier n° {pk}</span></label>'
        f"</div></td>"
    )


def lignes(request, procedure, dossiers, colonnes, *, supprimes: bool) -> list[Ligne]:
    """The rows of one page of the list, each a whole <tr> ready to insert: the checkbox of the bulk
    actions (not in « supprimés récemment »), the <th>/<td> of the shown columns, then the
    « Suivre », « Ne plus suivre » or « Restaurer » form."""
    dossier_url = _Url("instruction:dossier", procedure.pk)
    if supprimes:
        actions = {None: _Url("instruction:restaurer", procedure.pk)}
    else:
        actions = {True: _Url("instruction:ne_plus_suivre", procedure.pk), False: _Url("instruction:suivre", procedure.pk)}
    # One token for every form of the page (the {% csrf_token %} tag would mask the secret again for each).
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
    suite = f'<input type="hidden" name="next" value="{escape(request.get_full_path())}">'
    colonnes_champs = {colonne.stable_id: colonne for colonne in colonnes if colonne.is_champ}
    dossiers = list(dossiers)
    pks = [dossier.pk for dossier in dossiers]
    suivis = set() if supprimes else selectors.suivis_parmi(request.instructeur, pks)
    stored = selectors.valeurs_des_champs(pks, colonnes_champs) if colonnes_champs and pks else {}
    rows = []
    for dossier in dossiers:
        pk = dossier.pk
        champs = _champs(stored.get(pk, {}), colonnes_champs) if colonnes_champs else {}
        cellules = "".join(
            _numero(dossier, dossier_url(pk)) if colonne.key == "numero" else _cellule(colonne, dossier, champs)
            for colonne in colonnes
        )
        if supprimes:
            bouton = (
                f'<button type="submit" class="fr-btn fr-btn--sm fr-btn--secondary" '
                f'title="Restaurer le dossier n° {pk}">Restaurer</button>'
            )
            action = actions[None](pk)
        elif pk in suivis:
            bouton = (
                f'<button type="submit" class="fr-btn fr-btn--sm fr-btn--tertiary" '
                f'title="Ne plus suivre le dossier n° {pk}">Ne plus suivre</button>'
            )
            action = actions[True](pk)
        else:
            bouton = (
                f'<button type="submit" class="fr-btn fr-btn--sm fr-btn--secondary" '
                f'title="Suivre le dossier n° {pk}">Suivre le dossier</button>'
            )
            action = actions[False](pk)
        suivi = f'<form method="post" action="{action}">{csrf}{suite}{bouton}</form>'
        selection = "" if supprimes else _selection(pk)
        ligne = Ligne(f"<tr>{selection}{cellules}<td>{suivi}</td></tr>")
        ligne.dossier = dossier
        rows.append(ligne)
    return rows
