"""The form editor: champs and annotations privées, their options, repetition blocks, order,
conditions, preview and règles d'inéligibilité. Every page works without JavaScript; htmx swaps
only the part that changed, and the champ being edited is saved as it is typed (autosave)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from demarches.fields import conditions as champ_conditions
from demarches.fields import options as champ_options
from demarches.fields import registry

from . import editeur, editeur_apercu, editeur_conditions, policies, selectors, services
from . import ineligibilite as regles_ineligibilite
from .forms import TypeDeChampForm
from .models import Procedure, TypeDeChamp
from .views import _errors_to_form, administrateur_required

NOUVEAU = "nouveau"


def _types_enfants():
    """Types a repetition block may hold (no nested block, no file: see fields/widgets.child_types)."""
    return [t for t in registry.all_types() if not t.has_children and not t.accepts_files]


def _types_annotations():
    """Types an annotation privée may have: a titre d'identité is the usager's, never the instructeur's."""
    return [t for t in registry.all_types() if t.key != "titre_identite"]


def _types_du_niveau(private: bool):
    return _types_annotations() if private else None


def _champs(procedure: Procedure, private: bool) -> list[TypeDeChamp]:
    return list(
        procedure.draft_revision.types_de_champ.filter(private=private, parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=TypeDeChamp.objects.order_by("position", "id")))
        .order_by("position", "id")
    )


def _editeur_url(procedure, private: bool) -> str:
    return reverse("procedures:annotations" if private else "procedures:champs", args=[procedure.pk])


def _liste_context(procedure, champs: list[TypeDeChamp]) -> dict:
    # The conditions of annotations privées may also name public champs.
    publics = _champs(procedure, False) if any(tdc.private for tdc in champs) else None
    libelles = {tdc.stable_id: tdc.libelle for tdc in [*(publics or []), *champs]}
    by_id = {str(tdc.stable_id): tdc for tdc in [*(publics or []), *champs]}
    problemes = editeur.conditions_invalides(champs, publics)
    for tdc in champs:
        condition = (tdc.options or {}).get("condition")
        tdc.condition_texte = champ_conditions.decrire(
            editeur_conditions.pour_affichage(condition, by_id), libelles
        ) if condition else ""
        tdc.condition_problemes = problemes.get(tdc.stable_id, [])
        tdc.resume_options = champ_options.resume(tdc.field_type, tdc.options or {})
        for child in tdc.children.all():
            child.resume_options = champ_options.resume(child.field_type, child.options or {})
    return {"conditions_en_erreur": len(problemes)}


def _editeur(request, procedure, *, form=None, notice="", notice_type="success", private=False, enfant_forms=None):
    """The champs editor (public champs, or private annotations): the whole page, or only its
    editable part for htmx requests."""
    champs = _champs(procedure, private)
    enfant_forms = enfant_forms or {}
    types_enfants = _types_enfants()
    for tdc in champs:
        if tdc.field_type.has_children:
            tdc.enfant_form = enfant_forms.get(tdc.stable_id) or TypeDeChampForm(
                prefix=f"enfant-{tdc.stable_id}", types=types_enfants
            )
    context = {
        "procedure": procedure,
        "champs": champs,
        "form": form or TypeDeChampForm(prefix=NOUVEAU, types=_types_du_niveau(private)),
        "notice": notice,
        "notice_type": notice_type,
        "private": private,
        "editeur_url": _editeur_url(procedure, private),
        **_liste_context(procedure, champs),
    }
    template = "procedures/_champs_editeur.html" if request.htmx else "procedures/champs.html"
    return render(request, template, context)


def _done(request, procedure, notice: str, private: bool = False):
    if request.htmx:
        return _editeur(request, procedure, notice=notice, private=private)
    messages.success(request, notice)
    return redirect("procedures:annotations" if private else "procedures:champs", procedure_id=procedure.pk)


def _erreur(request, procedure, error: ValidationError, private: bool):
    text = " ".join(error.messages)
    if request.htmx:
        return _editeur(request, procedure, notice=text, notice_type="error", private=private)
    messages.error(request, text)
    return redirect("procedures:annotations" if private else "procedures:champs", procedure_id=procedure.pk)


def _champs_editeur(request, procedure, *, private: bool):
    """GET: the editor. POST: "Ajouter un champ" (an annotation privée when private); with
    « rafraichir », only the add form again, with the options of the type just chosen."""
    if request.method == "GET":
        return _editeur(request, procedure, private=private)
    form = TypeDeChampForm(request.POST, request.FILES, prefix=NOUVEAU, types=_types_du_niveau(private))
    if request.POST.get("rafraichir"):
        form = TypeDeChampForm(prefix=NOUVEAU, initial={
            name: request.POST.get(f"{NOUVEAU}-{name}", "") for name in ("libelle", "description")
        } | {"mandatory": bool(request.POST.get(f"{NOUVEAU}-mandatory"))},
            type_champ=request.POST.get(f"{NOUVEAU}-type_champ"), types=_types_du_niveau(private))
        return _editeur(request, procedure, form=form, private=private)
    if form.is_valid():
        try:
            tdc = editeur.champ_ajouter(
                procedure=procedure, administrateur=request.user.administrateur,
                type_champ=form.cleaned_data["type_champ"], libelle=form.cleaned_data["libelle"],
                description=form.cleaned_data["description"], mandatory=form.cleaned_data["mandatory"],
                options=form.cleaned_data["options_dict"], private=private,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            return _done(request, procedure, f"Le champ « {tdc.libelle} » a été ajouté.", private)
    return _editeur(request, procedure, form=form, private=private)


@administrateur_required
@require_http_methods(["GET", "POST"])
def champs(request, procedure):
    return _champs_editeur(request, procedure, private=False)


@administrateur_required
@require_http_methods(["GET", "POST"])
def annotations(request, procedure):
    """The same editor for the private annotations, filled by the instructeurs only."""
    return _champs_editeur(request, procedure, private=True)


@administrateur_required
@require_POST
def champ_enfant_ajouter(request, procedure, stable_id):
    """« Ajouter un champ au bloc »: a child champ at the end of a repetition block."""
    bloc = selectors.type_de_champ_du_brouillon(procedure, stable_id)
    prefix = f"enfant-{bloc.stable_id}"
    form = TypeDeChampForm(request.POST, request.FILES, prefix=prefix, types=_types_enfants())
    if form.is_valid():
        try:
            tdc = editeur.champ_ajouter(
                procedure=procedure, administrateur=request.user.administrateur,
                type_champ=form.cleaned_data["type_champ"], libelle=form.cleaned_data["libelle"],
                description=form.cleaned_data["description"], mandatory=form.cleaned_data["mandatory"],
                options=form.cleaned_data["options_dict"], parent_stable_id=bloc.stable_id,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            return _done(request, procedure, f"Le champ « {tdc.libelle} » a été ajouté au bloc « {bloc.libelle} ».", bloc.private)
    return _editeur(request, procedure, private=bloc.private, enfant_forms={bloc.stable_id: form},
                    notice="Le champ n'a pas pu être ajouté au bloc : corrigez les erreurs signalées.", notice_type="error")


def _form_champ(request, tdc, *, data=True):
    types = _types_enfants() if tdc.parent_id else None
    if tdc.private and not tdc.parent_id and tdc.type_champ != "titre_identite":  # an older one keeps its type
        types = _types_annotations()
    prefix = f"champ-{tdc.stable_id}"
    if data and request.method == "POST":
        return TypeDeChampForm(request.POST, request.FILES, type_de_champ=tdc, prefix=prefix, types=types)
    return TypeDeChampForm(type_de_champ=tdc, prefix=prefix, types=types)


def _enregistrer(request, procedure, tdc, form):
    return editeur.champ_enregistrer(
        procedure=procedure, administrateur=request.user.administrateur, stable_id=tdc.stable_id,
        type_champ=form.cleaned_data["type_champ"], libelle=form.cleaned_data["libelle"],
        description=form.cleaned_data["description"], mandatory=form.cleaned_data["mandatory"],
        options=form.cleaned_data["options_dict"], modele=form.cleaned_data.get("modele_fichier"),
        modele_supprimer=form.cleaned_data.get("modele_supprimer", False),
    )


@administrateur_required
@require_http_methods(["GET", "POST"])
def champ_modifier(request, procedure, stable_id):
    """GET: the champ's form (inline with htmx). POST: save; with « autosave » (htmx, at each
    change), answer only the « enregistré » status and the messages next to the fields."""
    tdc = selectors.type_de_champ_du_brouillon(procedure, stable_id)
    form = _form_champ(request, tdc)
    autosave = bool(request.method == "POST" and request.GET.get("autosave") and request.htmx)
    type_avant = tdc.type_champ
    saved_at = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = _enregistrer(request, procedure, tdc, form)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if not autosave:
                return _done(request, procedure, f"Le champ « {saved.libelle} » a été modifié.", saved.private)
            saved_at = timezone.localtime()
            if saved.type_champ != type_avant or request.FILES:
                # Other options for another type, a list read from a CSV: show the saved form again.
                form = _form_champ(request, saved, data=False)
            tdc = saved
    context = {"procedure": procedure, "champ": tdc, "form": form, "saved_at": saved_at}
    if autosave:
        if request.FILES or request.POST.get(form.add_prefix("type_champ")) != type_avant:
            response = render(request, "procedures/_champ_form.html", context)
            response["HX-Retarget"] = f"#champ-{tdc.stable_id}"
            response["HX-Reswap"] = "outerHTML"
            return response
        return render(request, "procedures/_champ_form_statut.html", context)
    if request.htmx:
        response = render(request, "procedures/_champ_form.html", context)
        if request.method == "POST":
            # Errors: replace only this champ's form, not the whole editor.
            response["HX-Retarget"] = f"#champ-{tdc.stable_id}"
            response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "procedures/champ_modifier.html", context)


@administrateur_required
@require_POST
def champ_deplacer(request, procedure, stable_id):
    tdc = selectors.type_de_champ_du_brouillon(procedure, stable_id)
    direction = request.POST.get("direction")
    try:
        services.type_de_champ_deplacer(
            procedure=procedure, administrateur=request.user.administrateur, stable_id=tdc.stable_id, direction=direction
        )
    except ValidationError as error:
        return _erreur(request, procedure, error, tdc.private)
    verbe = "monté" if direction == "haut" else "descendu"
    return _done(request, procedure, f"Le champ « {tdc.libelle} » a été {verbe}.", tdc.private)


@administrateur_required
@require_POST
def champs_reordonner(request, procedure):
    """Drag and drop: the new order of one list (ordre = stable_ids; parent = the block, if any)."""
    private = request.POST.get("private") == "1"
    parent = request.POST.get("parent") or None
    try:
        editeur.champs_reordonner(
            procedure=procedure, administrateur=request.user.administrateur,
            stable_ids=request.POST.getlist("ordre"), parent_stable_id=int(parent) if parent else None, private=private,
        )
    except (ValidationError, ValueError) as error:
        error = error if isinstance(error, ValidationError) else ValidationError("Ordre illisible : rechargez la page.")
        return _erreur(request, procedure, error, private)
    return _done(request, procedure, "Le nouvel ordre des champs a été enregistré.", private)


@administrateur_required
@require_http_methods(["GET", "POST"])
def champ_supprimer(request, procedure, stable_id):
    """GET: the confirmation page (without JavaScript). POST: deletion."""
    tdc = selectors.type_de_champ_du_brouillon(procedure, stable_id)
    if request.method == "POST":
        services.type_de_champ_supprimer(
            procedure=procedure, administrateur=request.user.administrateur, stable_id=tdc.stable_id
        )
        return _done(request, procedure, f"Le champ « {tdc.libelle} » a été supprimé.", tdc.private)
    return render(request, "procedures/champ_supprimer.html", {"procedure": procedure, "champ": tdc})


# --- Conditions ---------------------------------------------------------------------------------


def _condition_context(procedure, *, sources, etat, errors, action_url, titre, cible):
    return {
        "procedure": procedure,
        "sources": sources,
        "etat": etat,
        "erreurs": errors,
        "action_url": action_url,
        "combinaisons": editeur_conditions.COMBINAISONS,
        "titre": titre,
        "cible": cible,
    }


@administrateur_required
@require_http_methods(["GET", "POST"])
def champ_condition(request, procedure, stable_id):
    """« Logique conditionnelle » of a champ or section: shown only when the condition holds."""
    tdc = selectors.type_de_champ_du_brouillon(procedure, stable_id)
    if tdc.parent_id is not None:
        raise Http404("Les champs d'un bloc répétable n'ont pas de condition.")
    champs = _champs(procedure, tdc.private)
    if tdc.private:
        sources = editeur.sources_d_annotation(_champs(procedure, False), champs, tdc.stable_id)
    else:
        sources = editeur.sources_de_condition(champs, tdc.stable_id)
    errors = []
    if request.method == "POST":
        etat, action = editeur_conditions.etat_du_post(request.POST, sources)
        if action in ("enregistrer", "retirer"):
            condition = None if action == "retirer" else editeur_conditions.condition_de(etat)
            try:
                editeur.condition_enregistrer(
                    procedure=procedure, administrateur=request.user.administrateur, stable_id=tdc.stable_id, condition=condition,
                )
            except ValidationError as error:
                errors = error.messages
            else:
                notice = (f"La condition du champ « {tdc.libelle} » a été enregistrée." if condition
                          else f"Le champ « {tdc.libelle} » est maintenant toujours affiché.")
                return _done(request, procedure, notice, tdc.private)
    else:
        etat = editeur_conditions.etat_de((tdc.options or {}).get("condition"), sources)
        if not etat.lignes:
            etat.lignes.append(editeur_conditions.LigneCondition(index=0))
    context = _condition_context(
        procedure, sources=sources, etat=etat, errors=errors,
        action_url=reverse("procedures:champ_condition", args=[procedure.pk, tdc.stable_id]),
        titre=f"Logique conditionnelle du champ « {tdc.libelle} »", cible=f"champ-{tdc.stable_id}",
    )
    context["champ"] = tdc
    if request.htmx:
        response = render(request, "procedures/_condition_form.html", context)
        if errors:
            # « Enregistrer la condition » targets the whole editor: show the errors in place instead.
            response["HX-Retarget"] = f"#champ-{tdc.stable_id}-editeur"
            response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "procedures/champ_condition.html", context)


@administrateur_required
@require_http_methods(["GET", "POST"])
def ineligibilite(request, procedure):
    """Règles d'inéligibilité: a condition on the public champs and the message shown when it holds."""
    regle = editeur.regle_ineligibilite(procedure)
    sources = editeur.sources_de_condition(_champs(procedure, False), None)
    errors, field_errors = [], {}
    active, message = regle.active, regle.message
    if request.method == "POST":
        etat, action = editeur_conditions.etat_du_post(request.POST, sources)
        active, message = bool(request.POST.get("active")), request.POST.get("message", "")
        if action == "enregistrer":
            try:
                editeur.ineligibilite_enregistrer(
                    procedure=procedure, administrateur=request.user.administrateur, active=active, message=message,
                    condition=editeur_conditions.condition_de(etat),
                )
            except ValidationError as error:
                field_errors = {key: " ".join(value) for key, value in error.message_dict.items()} if hasattr(error, "error_dict") else {}
                errors = [] if field_errors else error.messages
            else:
                messages.success(request, "Les règles d'inéligibilité ont été enregistrées.")
                return redirect("procedures:ineligibilite", procedure_id=procedure.pk)
    else:
        etat = editeur_conditions.etat_de(regle.condition, sources)
        if not etat.lignes:
            etat.lignes.append(editeur_conditions.LigneCondition(index=0))
    if field_errors.get("condition"):
        errors = [field_errors["condition"]]
    context = _condition_context(
        procedure, sources=sources, etat=etat, errors=errors,
        action_url=reverse("procedures:ineligibilite", args=[procedure.pk]),
        titre="Conditions d'inéligibilité", cible="ineligibilite-conditions",
    )
    context.update({"active": active, "message": message, "message_erreur": field_errors.get("message", "")})
    return render(request, "procedures/ineligibilite.html", context)


# --- Aperçu -------------------------------------------------------------------------------------


@administrateur_required
@require_http_methods(["GET", "POST"])
def apercu(request, procedure):
    """« Prévisualiser le formulaire »: the usager's form, not submittable. With htmx, each change is
    evaluated (conditions, formats) and answered like the dossier form's autosave, without storing."""
    types = list(procedure.draft_revision.public_types_de_champ().prefetch_related("children"))
    url = reverse("procedures:apercu", args=[procedure.pk])
    posted = request.POST if request.method == "POST" else None
    widgets, masques = editeur_apercu.champs_apercu(types, posted, upload_url=url)
    motif = ""
    if posted is not None:
        stored = {widget.type_de_champ.stable_id: widget.stored for widget in widgets}
        motif = regles_ineligibilite.motif(procedure, types, stored)
    context = {"procedure": procedure, "widgets": widgets, "masques": masques, "dossier": None, "ineligibilite": motif}
    if request.method == "POST" and request.htmx:
        errors = [w for w in widgets if w.error]
        return render(request, "procedures/_apercu_statut.html", {**context, "error_count": len(errors)})
    return render(request, "procedures/apercu.html", context)


# --- Modèle de pièce justificative --------------------------------------------------------------


def modele_telecharger(request, procedure_id, stable_id):
    """The model file of a pièce justificative: a blank document, public like the démarche's form.
    Usagers get the one of the revision new dossiers start on; administrateurs, the draft's."""
    procedure = Procedure.objects.filter(pk=procedure_id, hidden_at__isnull=True).first()
    if procedure is None:
        raise Http404("Modèle introuvable.")
    administre = policies.can_administer(request.user, procedure)
    if not (procedure.accepts_dossiers or administre or policies.can_instruct(request.user, procedure)):
        raise Http404("Modèle introuvable.")
    revision_id = procedure.draft_revision_id if administre else procedure.active_revision.pk
    tdc = TypeDeChamp.objects.filter(revision_id=revision_id, stable_id=stable_id).first()
    modele = (tdc.options or {}).get("modele") if tdc is not None else None
    if not isinstance(modele, dict) or not modele.get("chemin"):
        raise Http404("Modèle introuvable.")
    try:
        fichier = default_storage.open(modele["chemin"], "rb")
    except (FileNotFoundError, OSError):
        raise Http404("Modèle introuvable.") from None
    return FileResponse(fichier, as_attachment=True, filename=modele.get("nom") or "modele")
