"""Pages of the customisable dossier list of a démarche (« Personnaliser », « Filtrer », sort,
search, bulk actions). Preferences are changed by POST and the list is shown again (PRG)."""

from urllib.parse import quote

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from demarches.procedures.models import GroupeInstructeur

from .. import compteurs, selectors, services
from ..models import ActionGroupee
from ..views import PAGE_SIZE, CountedPaginator, _procedure, instructeur_required
from . import actions_groupees, filtres, preferences
from .colonnes import COLONNE_FIXE, OPERATEURS, colonnes_disponibles
from .lignes import lignes as lignes_du_tableau
from .indexation import procedure_index_actualiser

RECHERCHE_MAX = 100


def _colonnes(procedure, labels) -> dict:
    groupes = GroupeInstructeur.objects.filter(procedure=procedure).order_by("label", "pk")
    return colonnes_disponibles(procedure, groupes=list(groupes), labels=labels)


def _liste_url(procedure, request=None) -> str:
    url = reverse("instruction:procedure", args=[procedure.pk])
    if request is not None:
        statut = request.POST.get("statut") or request.GET.get("statut")
        if statut in selectors.TAB_KEYS:
            url += f"?statut={statut}"
    return url


@require_GET
@instructeur_required
def procedure(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    tab = request.GET.get("statut", "a-suivre")
    if tab not in selectors.TAB_KEYS:
        tab = "a-suivre"
    labels = services.labels_de_la_procedure(procedure)
    label = next((lbl for lbl in labels if str(lbl.pk) == request.GET.get("label", "")), None)
    label_id = label.pk if label else None
    disponibles = _colonnes(procedure, labels)
    choix = preferences.choix(preferences.preference(request.instructeur, procedure), disponibles)
    recherche = " ".join(request.GET.get("q", "").split())[:RECHERCHE_MAX]

    # The copy of champ values the filters, sorts and search read is brought up to date first.
    if recherche or choix.filtres or choix.tri_colonne.is_champ:
        procedure_index_actualiser(procedure, colonnes=[c.stable_id for c in disponibles.values() if c.is_champ])
    condition = filtres.filtres_q(disponibles, choix.filtres)
    if recherche:
        condition &= filtres.recherche_q(recherche, procedure)
    counters = compteurs.compteurs(request.instructeur, procedure, label_id=label_id, condition=condition)
    tri = filtres.tri(choix.tri_colonne, choix.tri_sens, procedure=procedure)
    rows = selectors.dossiers_de_la_liste(
        request.instructeur,
        procedure,
        tab,
        condition=condition & selectors._avec_label(label_id),
        tri=tri,
        colonnes=choix.colonnes,
    )
    if tri.lit_tout:
        # The sort key of every dossier is computed: only their numbers are sorted, then the page's rows read.
        page = CountedPaginator(selectors.numeros_de_la_liste(rows), PAGE_SIZE, count=counters[tab]).get_page(
            request.GET.get("page")
        )
        page.object_list = selectors.dossiers_par_numero(
            request.instructeur, procedure, page.object_list, colonnes=choix.colonnes
        )
    else:
        page = CountedPaginator(rows, PAGE_SIZE, count=counters[tab]).get_page(request.GET.get("page"))
    lignes = lignes_du_tableau(request, procedure, page.object_list, choix.colonnes, supprimes=tab == "supprimes")
    tabs = [{"tab": t, "count": counters[t.key], "selected": t.key == tab} for t in selectors.TABS]
    current = next(t for t in selectors.TABS if t.key == tab)
    query = ""
    if label:
        query += f"&label={label.pk}"
    if recherche:
        query += f"&q={quote(recherche)}"
    tags = [
        {"index": i, "libelle": filtres.filtre_libelle(disponibles[f["colonne"]], f)}
        for i, f in enumerate(choix.filtres)
    ]
    derniere_action = (
        ActionGroupee.objects.filter(instructeur=request.instructeur, procedure=procedure)
        .order_by("-created_at", "-id")
        .first()
    )
    return render(
        request,
        "instruction/procedure.html",
        {
            "procedure": procedure,
            "tabs": tabs,
            "current": current,
            "page": page,
            "lignes": lignes,
            "labels": labels,
            "label": label,
            "filter_query": query,
            "recherche": recherche,
            "choix": choix,
            "colonnes_disponibles": list(disponibles.values()),
            "colonne_fixe": COLONNE_FIXE,
            "colonnes_affichees": {c.key for c in choix.colonnes},
            "tags": tags,
            "operateurs": OPERATEURS,
            "actions": ActionGroupee.Action.choices,
            "max_dossiers": actions_groupees.MAX_DOSSIERS,
            "derniere_action": derniere_action,
        },
    )


@require_POST
@instructeur_required
def colonnes(request, procedure_id):
    """« Personnaliser »: the columns shown (checkboxes, in the order of the form), or one moved."""
    procedure = _procedure(request, procedure_id)
    disponibles = _colonnes(procedure, services.labels_de_la_procedure(procedure))
    if request.POST.get("deplacer"):
        direction, _, key = request.POST["deplacer"].partition(":")
        preferences.colonne_deplacer(instructeur=request.instructeur, procedure=procedure, key=key, direction=direction)
    else:
        pref = preferences.preference(request.instructeur, procedure)
        chosen = request.POST.getlist("colonnes")
        # Columns already shown keep their place; new ones are added at the end.
        ordered = [k for k in pref.colonnes if k in chosen] + [k for k in chosen if k not in pref.colonnes]
        preferences.colonnes_definir(
            instructeur=request.instructeur, procedure=procedure, keys=ordered, disponibles=disponibles
        )
        flash.success(request, "Les colonnes de la liste ont été enregistrées.")
    return redirect(_liste_url(procedure, request))


@require_GET
@instructeur_required
def filtre_valeur(request, procedure_id):
    """The value inputs of the « Filtrer » form for the chosen column (htmx swap, or a page without JS)."""
    procedure = _procedure(request, procedure_id)
    disponibles = _colonnes(procedure, services.labels_de_la_procedure(procedure))
    colonne = disponibles.get(request.GET.get("colonne", ""))
    template = "instruction/liste/_filtre_valeur.html"
    return render(request, template, {"colonne": colonne, "operateurs": OPERATEURS, "procedure": procedure})


@require_POST
@instructeur_required
def filtre_ajouter(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    disponibles = _colonnes(procedure, services.labels_de_la_procedure(procedure))
    colonne = disponibles.get(request.POST.get("colonne", ""))
    if colonne is None:
        flash.error(request, "Choisissez la colonne sur laquelle filtrer.")
        return redirect(_liste_url(procedure, request))
    operateur = request.POST.get("operateur") or colonne.operateurs[0]
    try:
        filtre = filtres.filtre_valider(
            colonne, operateur, request.POST.getlist("valeur"), request.POST.get("du", ""), request.POST.get("au", "")
        )
    except ValueError as error:
        flash.error(request, str(error))
    else:
        preferences.filtre_ajouter(instructeur=request.instructeur, procedure=procedure, filtre=filtre)
        flash.success(request, f"Filtre ajouté : {filtres.filtre_libelle(colonne, filtre)}.")
    return redirect(_liste_url(procedure, request))


@require_POST
@instructeur_required
def filtre_retirer(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    if request.POST.get("tous"):
        preferences.filtres_vider(instructeur=request.instructeur, procedure=procedure)
    else:
        try:
            index = int(request.POST.get("index", ""))
        except ValueError:
            index = -1
        preferences.filtre_retirer(instructeur=request.instructeur, procedure=procedure, index=index)
    return redirect(_liste_url(procedure, request))


@require_POST
@instructeur_required
def tri(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    disponibles = _colonnes(procedure, services.labels_de_la_procedure(procedure))
    key, _, sens = request.POST.get("tri", "").rpartition(":")
    preferences.tri_definir(
        instructeur=request.instructeur, procedure=procedure, key=key, sens=sens, disponibles=disponibles
    )
    return redirect(_liste_url(procedure, request))


@require_POST
@instructeur_required
def action_groupee_lancer(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    try:
        action = actions_groupees.action_groupee_lancer(
            instructeur=request.instructeur,
            procedure=procedure,
            action=request.POST.get("action", ""),
            dossier_ids=request.POST.getlist("dossiers"),
            motivation=request.POST.get("motivation", ""),
        )
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(_liste_url(procedure, request))
    flash.success(
        request,
        f"L'action « {action.get_action_display()} » a été lancée sur {action.total} dossier{'s' if action.total > 1 else ''}.",
    )
    return redirect("instruction:action_groupee", procedure.pk, action.pk)


@require_GET
@instructeur_required
def action_groupee(request, procedure_id, action_id):
    """The progress of a bulk action: the page polls this view (htmx) until the job is done."""
    procedure = _procedure(request, procedure_id)
    action = get_object_or_404(ActionGroupee, pk=action_id, procedure=procedure)
    if action.instructeur_id != request.instructeur.pk:
        raise Http404("Action introuvable")
    context = {"procedure": procedure, "action": action, "progression": actions_groupees.progression(action)}
    if request.headers.get("HX-Request"):
        return render(request, "instruction/liste/_progression.html", context)
    return render(request, "instruction/liste/action_groupee.html", context)
