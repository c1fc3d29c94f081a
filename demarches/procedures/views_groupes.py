"""Administrateur: « Groupes d'instructeurs » of a démarche and the routing rule (services in groupes.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from demarches.fields.types.choice import option_values

from . import groupes, selectors, services
from .forms import DsfrFormMixin, InstructeurForm
from .models import GroupeInstructeur
from .views import _errors_to_form, administrateur_required


class GroupeForm(DsfrFormMixin, forms.Form):
    label = forms.CharField(
        label="Nom du groupe", max_length=groupes.LABEL_MAX,
        help_text="Par exemple le nom d'un territoire ou d'un service. Deux groupes d'une démarche ne peuvent pas porter le même nom.",
        error_messages={"required": "Indiquez le nom du groupe."},
    )


def _groupe(procedure, groupe_id: int) -> GroupeInstructeur:
    groupe = GroupeInstructeur.objects.filter(procedure=procedure, pk=groupe_id).first()
    if groupe is None:
        raise Http404("Groupe introuvable.")
    groupe.procedure = procedure
    return groupe


def _groupes(procedure):
    return list(
        procedure.groupes_instructeurs.annotate(nb_instructeurs=Count("instructeurs", distinct=True))
        .annotate(nb_dossiers=Count("dossiers", distinct=True)).order_by("id")
    )


def _routage_context(procedure, liste) -> dict:
    champ = groupes.champ_de_routage(procedure)
    regles = []
    if champ is not None:
        par_valeur = {value: groupe.pk for groupe in liste for value in groupe.routing_values}
        regles = [
            {"index": index, "option": option, "groupe_pk": par_valeur.get(option)}
            for index, option in enumerate(option_values(champ.options))
        ]
    return {"champs_de_routage": groupes.champs_de_routage(procedure), "champ_de_routage": champ, "regles": regles}


@administrateur_required
@require_http_methods(["GET", "POST"])
def groupes_liste(request, procedure):
    form = GroupeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            groupe = groupes.groupe_instructeur_creer(
                procedure=procedure, administrateur=request.user.administrateur, label=form.cleaned_data["label"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"Le groupe « {groupe.label} » a été créé : ajoutez-lui des instructeurs.")
            return redirect("procedures:groupe", procedure_id=procedure.pk, groupe_id=groupe.pk)
    liste = _groupes(procedure)
    return render(request, "procedures/groupes.html", {
        "procedure": procedure, "form": form, "groupes": liste, "defaut": liste[0] if liste else None,
        **_routage_context(procedure, liste),
    })


@administrateur_required
@require_POST
def routage(request, procedure):
    raw = request.POST.get("stable_id", "")
    stable_id = int(raw) if raw.isdigit() else None
    regles = {}
    champ = next((t for t in groupes.champs_de_routage(procedure) if t.stable_id == stable_id), None)
    # Rules are kept only when the form was shown for this same champ (changing the champ starts afresh).
    if champ is not None and stable_id == procedure.routing_stable_id:
        for index, option in enumerate(option_values(champ.options)):
            value = request.POST.get(f"regle-{index}", "")
            regles[option] = int(value) if value.isdigit() else None
    try:
        groupes.routage_definir(
            procedure=procedure, administrateur=request.user.administrateur, stable_id=stable_id, regles=regles
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if stable_id is None:
            messages.success(request, "Le routage est désactivé : les nouveaux dossiers vont dans le groupe par défaut.")
        elif regles:
            messages.success(request, "Les règles de routage ont été enregistrées.")
        else:
            messages.success(request, f"Le champ « {champ.libelle} » sert au routage : choisissez le groupe de chaque réponse.")
    return redirect("procedures:groupes", procedure_id=procedure.pk)


@administrateur_required
@require_http_methods(["GET", "POST"])
def groupe(request, procedure, groupe_id):
    groupe = _groupe(procedure, groupe_id)
    form = GroupeForm(request.POST or None, initial={"label": groupe.label}, prefix="groupe")
    instructeur_form = InstructeurForm(prefix="instructeur")
    if request.method == "POST" and form.is_valid():
        try:
            groupes.groupe_instructeur_modifier(
                groupe=groupe, administrateur=request.user.administrateur, label=form.cleaned_data["label"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "Le nom du groupe a été modifié.")
            return redirect("procedures:groupe", procedure_id=procedure.pk, groupe_id=groupe.pk)
    return _groupe_page(request, procedure, groupe, form, instructeur_form)


def _groupe_page(request, procedure, groupe, form, instructeur_form):
    return render(request, "procedures/groupes_detail.html", {
        "procedure": procedure, "groupe": groupe, "form": form, "instructeur_form": instructeur_form,
        "instructeurs": selectors.instructeurs_du_groupe(groupe),
        "invitations": selectors.invitations_en_attente(groupe),
        "nb_dossiers": groupe.dossiers.count(),
        "nb_groupes": procedure.groupes_instructeurs.count(),
        "est_defaut": procedure.default_groupe.pk == groupe.pk,
    })


@administrateur_required
@require_POST
def groupe_clore(request, procedure, groupe_id):
    groupe = _groupe(procedure, groupe_id)
    closed = request.POST.get("closed") == "1"
    try:
        groupes.groupe_instructeur_modifier(groupe=groupe, administrateur=request.user.administrateur, closed=closed)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Le groupe « {groupe.label} » est clos : il ne recevra plus de nouveaux dossiers." if closed
            else f"Le groupe « {groupe.label} » est rouvert : il peut de nouveau recevoir des dossiers.",
        )
    return redirect("procedures:groupe", procedure_id=procedure.pk, groupe_id=groupe.pk)


@administrateur_required
@require_POST
def groupe_supprimer(request, procedure, groupe_id):
    groupe = _groupe(procedure, groupe_id)
    try:
        groupes.groupe_instructeur_supprimer(groupe=groupe, administrateur=request.user.administrateur)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("procedures:groupe", procedure_id=procedure.pk, groupe_id=groupe.pk)
    messages.success(request, f"Le groupe « {groupe.label} » a été supprimé.")
    return redirect("procedures:groupes", procedure_id=procedure.pk)


@administrateur_required
@require_POST
def groupe_instructeur_ajouter(request, procedure, groupe_id):
    groupe = _groupe(procedure, groupe_id)
    instructeur_form = InstructeurForm(request.POST, prefix="instructeur")
    if instructeur_form.is_valid():
        try:
            result = services.instructeur_affecter(
                procedure=procedure, administrateur=request.user.administrateur,
                email=instructeur_form.cleaned_data["email"], groupe=groupe,
            )
        except ValidationError as error:
            _errors_to_form(instructeur_form, error)
        else:
            email = instructeur_form.cleaned_data["email"].lower()
            if hasattr(result, "token"):
                messages.success(request, f"{email} n'a pas encore de compte : une invitation lui a été envoyée par e-mail.")
            else:
                messages.success(request, f"{email} a été ajouté au groupe « {groupe.label} » et prévenu par e-mail.")
            return redirect("procedures:groupe", procedure_id=procedure.pk, groupe_id=groupe.pk)
    form = GroupeForm(initial={"label": groupe.label}, prefix="groupe")
    return _groupe_page(request, procedure, groupe, form, instructeur_form)


@administrateur_required
@require_POST
def groupe_instructeur_retirer(request, procedure, groupe_id, instructeur_id):
    groupe = _groupe(procedure, groupe_id)
    instructeur = selectors.instructeur_du_groupe(groupe, instructeur_id)
    services.instructeur_retirer(
        procedure=procedure, administrateur=request.user.administrateur, instructeur=instructeur, groupe=groupe
    )
    messages.success(request, f"{instructeur.user.email} a été retiré du groupe « {groupe.label} ».")
    return redirect("procedures:groupe", procedure_id=procedure.pk, groupe_id=groupe.pk)
