"""The administrateur's screens. Views read through selectors and write through services."""

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import mail_tags, mail_templates, policies, selectors, services
from .forms import AdministrateurForm, ImportForm, InstructeurForm, MailTemplateForm, ProcedureForm, PublicationForm, ServiceForm, TypeDeChampForm
from .models import Procedure, TypeDeChamp


def administrateur_required(view):
    """Logged-in users with an Administrateur profile; the démarche (procedure_id) must be theirs."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not policies.is_administrateur(request.user):
            raise PermissionDenied("Cet espace est réservé aux administrateurs.")
        if "procedure_id" in kwargs:
            kwargs["procedure"] = selectors.procedure_administree(request.user, kwargs.pop("procedure_id"))
        return view(request, *args, **kwargs)

    return wrapper


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def lien_public(procedure: Procedure) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/commencer/{procedure.path}" if procedure.path else ""


def lien_test(procedure: Procedure) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/commencer/test/{procedure.test_token}"


# --- Mes démarches, création, modification ------------------------------------------------------


@administrateur_required
def index(request):
    onglets = selectors.procedures_par_onglet(request.user.administrateur)
    keys = [o["key"] for o in onglets]
    selected = request.GET.get("statut")
    if selected not in keys:
        selected = next((o["key"] for o in onglets if o["procedures"]), keys[0])
    return render(request, "procedures/index.html", {"onglets": onglets, "selected": selected})


@administrateur_required
@require_http_methods(["GET", "POST"])
def nouvelle(request):
    administrateur = request.user.administrateur
    form = ProcedureForm(
        request.POST or None, administrateur=administrateur,
        services=selectors.services_utilisables(administrateur),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                service = form.service_existant or services.service_creer(administrateur=administrateur, **form.nouveau_service)
                procedure = services.procedure_creer(administrateur=administrateur, service=service, **form.options)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"La démarche « {procedure.libelle} » a été créée. Ajoutez maintenant les champs du formulaire.")
            return redirect("procedures:show", procedure_id=procedure.pk)
    return render(request, "procedures/procedure_form.html", {"form": form, "procedure": None})


@administrateur_required
@require_http_methods(["GET", "POST"])
def modifier(request, procedure):
    administrateur = request.user.administrateur
    form = ProcedureForm(
        request.POST or None, administrateur=administrateur, procedure=procedure,
        services=selectors.services_utilisables(administrateur),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                service = form.service_existant or services.service_creer(administrateur=administrateur, **form.nouveau_service)
                services.procedure_modifier(procedure=procedure, administrateur=administrateur, service=service, **form.options)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "Les informations de la démarche ont été enregistrées.")
            return redirect("procedures:show", procedure_id=procedure.pk)
    return render(request, "procedures/procedure_form.html", {"form": form, "procedure": procedure})


@administrateur_required
@require_http_methods(["GET", "POST"])
def service_modifier(request, service_id):
    service = selectors.service_administre(request.user, service_id)
    procedure = None
    if request.GET.get("procedure", "").isdigit():
        procedure = selectors.procedure_administree(request.user, int(request.GET["procedure"]))
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        services.service_modifier(
            service=service, administrateur=request.user.administrateur,
            **{name: form.cleaned_data[name] for name in ServiceForm.Meta.fields},
        )
        messages.success(request, f"Le service « {service.nom} » a été enregistré.")
        if procedure is not None:
            return redirect("procedures:show", procedure_id=procedure.pk)
        return redirect("procedures:index")
    if form.is_bound:
        # The ModelForm wrote the typed values on the instance; only the service may save it.
        service.refresh_from_db()
    return render(request, "procedures/service_form.html", {"form": form, "service": service, "procedure": procedure})


@administrateur_required
def show(request, procedure):
    groupe = selectors.groupe_par_defaut(procedure)
    return render(request, "procedures/show.html", {
        "procedure": procedure,
        "manquants": policies.publication_manquants(procedure),
        "lien_public": lien_public(procedure),
        "lien_test": lien_test(procedure),
        "brouillon_modifie": selectors.brouillon_modifie(procedure),
        "nb_champs": len(selectors.champs_du_brouillon(procedure)),
        "nb_instructeurs": selectors.instructeurs_du_groupe(groupe).count(),
        "nb_invitations": selectors.invitations_en_attente(groupe).count(),
        "peut_etre_close": policies.peut_etre_close(procedure),
        "peut_etre_supprimee": policies.peut_etre_supprimee(procedure),
    })


# --- Champs du formulaire (draft revision) ------------------------------------------------------


def _champs_du_brouillon(procedure, private: bool) -> list:
    if not private:
        return selectors.champs_du_brouillon(procedure)
    # The private annotations: same shape as selectors.champs_du_brouillon, on private=True.
    return list(
        procedure.draft_revision.types_de_champ.filter(private=True, parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=TypeDeChamp.objects.order_by("position", "id")))
        .order_by("position", "id")
    )


def _editeur(request, procedure, *, form=None, notice="", notice_type="success", private=False):
    """The champs editor (public champs, or private annotations): the whole page, or only its
    editable part for htmx requests."""
    context = {
        "procedure": procedure,
        "champs": _champs_du_brouillon(procedure, private),
        "form": form or TypeDeChampForm(prefix="nouveau"),
        "notice": notice,
        "notice_type": notice_type,
        "private": private,
        "editeur_url": reverse("procedures:annotations" if private else "procedures:champs", args=[procedure.pk]),
    }
    template = "procedures/_champs_editeur.html" if request.htmx else "procedures/champs.html"
    return render(request, template, context)


def _done(request, procedure, notice: str, private: bool = False):
    if request.htmx:
        return _editeur(request, procedure, notice=notice, private=private)
    messages.success(request, notice)
    return redirect("procedures:annotations" if private else "procedures:champs", procedure_id=procedure.pk)


def _champs_editeur(request, procedure, *, private: bool):
    """GET: the editor. POST: "Ajouter un champ" (an annotation privée when private)."""
    if request.method == "GET":
        return _editeur(request, procedure, private=private)
    form = TypeDeChampForm(request.POST, prefix="nouveau")
    if form.is_valid():
        try:
            tdc = services.type_de_champ_ajouter(
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
@require_http_methods(["GET", "POST"])
def champ_modifier(request, procedure, stable_id):
    tdc = selectors.type_de_champ_du_brouillon(procedure, stable_id)
    prefix = f"champ-{tdc.stable_id}"
    form = TypeDeChampForm(request.POST or None, type_de_champ=tdc, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        try:
            tdc = services.type_de_champ_modifier(
                procedure=procedure, administrateur=request.user.administrateur, stable_id=tdc.stable_id,
                type_champ=form.cleaned_data["type_champ"], libelle=form.cleaned_data["libelle"],
                description=form.cleaned_data["description"], mandatory=form.cleaned_data["mandatory"],
                options=form.cleaned_data["options_dict"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            return _done(request, procedure, f"Le champ « {tdc.libelle} » a été modifié.", tdc.private)
    context = {"procedure": procedure, "champ": tdc, "form": form}
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
        if request.htmx:
            return _editeur(request, procedure, notice=" ".join(error.messages), notice_type="error", private=tdc.private)
        messages.error(request, " ".join(error.messages))
        return redirect("procedures:annotations" if tdc.private else "procedures:champs", procedure_id=procedure.pk)
    verbe = "monté" if direction == "haut" else "descendu"
    return _done(request, procedure, f"Le champ « {tdc.libelle} » a été {verbe}.", tdc.private)


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


# --- Instructeurs -------------------------------------------------------------------------------


@administrateur_required
@require_http_methods(["GET", "POST"])
def instructeurs(request, procedure):
    form = InstructeurForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.instructeur_affecter(
                procedure=procedure, administrateur=request.user.administrateur, email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            email = form.cleaned_data["email"].lower()
            if hasattr(result, "token"):
                messages.success(request, f"{email} n'a pas encore de compte : une invitation lui a été envoyée par e-mail.")
            else:
                messages.success(request, f"{email} a été affecté à la démarche et prévenu par e-mail.")
            return redirect("procedures:instructeurs", procedure_id=procedure.pk)
    groupe = selectors.groupe_par_defaut(procedure)
    return render(request, "procedures/instructeurs.html", {
        "procedure": procedure,
        "form": form,
        "groupe": groupe,
        "instructeurs": selectors.instructeurs_du_groupe(groupe),
        "invitations": selectors.invitations_en_attente(groupe),
    })


@administrateur_required
@require_POST
def instructeur_retirer(request, procedure, instructeur_id):
    instructeur = selectors.instructeur_du_groupe(selectors.groupe_par_defaut(procedure), instructeur_id)
    services.instructeur_retirer(procedure=procedure, administrateur=request.user.administrateur, instructeur=instructeur)
    messages.success(request, f"{instructeur.user.email} n'est plus instructeur de cette démarche.")
    return redirect("procedures:instructeurs", procedure_id=procedure.pk)


@administrateur_required
@require_POST
def invitation_annuler(request, procedure, invitation_id):
    invitation = selectors.invitation_en_attente(procedure, invitation_id)
    services.instructeur_invitation_annuler(procedure=procedure, administrateur=request.user.administrateur, invitation=invitation)
    messages.success(request, f"L'invitation de {invitation.email} a été annulée.")
    return redirect("procedures:instructeurs", procedure_id=procedure.pk)


# --- Publication et clôture ---------------------------------------------------------------------


@administrateur_required
@require_http_methods(["GET", "POST"])
def publier(request, procedure):
    initial = {"path": procedure.path or services.path_suggestion(procedure.libelle)}
    form = PublicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_publier(
                procedure=procedure, administrateur=request.user.administrateur, path=form.cleaned_data["path"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"La démarche est publiée. Les usagers peuvent déposer leurs dossiers à l'adresse {lien_public(procedure)}")
            return redirect("procedures:show", procedure_id=procedure.pk)
    return render(request, "procedures/publier.html", {
        "procedure": procedure,
        "form": form,
        "manquants": policies.publication_manquants(procedure),
        "prefixe": f"{settings.SITE_URL.rstrip('/')}/commencer/",
        "republication": procedure.published_revision_id is not None,
        "changements": selectors.revision_changements(procedure),
        "nb_dossiers_migres": selectors.dossiers_a_migrer(procedure),
        "brouillon_modifie": selectors.brouillon_modifie(procedure),
    })


@administrateur_required
@require_http_methods(["GET", "POST"])
def clore(request, procedure):
    if not policies.peut_etre_close(procedure):
        messages.error(request, "Seule une démarche publiée peut être close.")
        return redirect("procedures:show", procedure_id=procedure.pk)
    if request.method == "POST":
        services.procedure_clore(procedure=procedure, administrateur=request.user.administrateur)
        messages.success(request, "La démarche est close : plus aucun dossier ne peut y être déposé.")
        return redirect("procedures:show", procedure_id=procedure.pk)
    return render(request, "procedures/clore.html", {"procedure": procedure, "lien_public": lien_public(procedure)})



# --- E-mails automatiques -----------------------------------------------------------------------


def _type_email(kind: str) -> mail_templates.TypeEmail:
    type_email = mail_templates.TYPES_PAR_KIND.get(kind)
    if type_email is None:
        raise Http404("Type d'e-mail inconnu.")
    return type_email


@administrateur_required
def emails(request, procedure):
    personnalises = set(procedure.mail_templates.values_list("kind", flat=True))
    return render(request, "procedures/mails/index.html", {
        "procedure": procedure,
        "types": [{"type": t, "personnalise": t.kind in personnalises} for t in mail_templates.TYPES],
    })


@administrateur_required
@require_http_methods(["GET", "POST"])
def email_modifier(request, procedure, kind):
    """GET: the text in use. POST "apercu": preview without saving. POST: save (unknown tags refused)."""
    type_email = _type_email(kind)
    subject, body, personnalise = mail_templates.texte(procedure, kind)
    form = MailTemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    apercu = None
    if request.method == "POST" and form.is_valid():
        try:
            if "apercu" in request.POST:
                services.mail_template_verifier(procedure=procedure, **form.cleaned_data)
            else:
                services.mail_template_enregistrer(
                    procedure=procedure, administrateur=request.user.administrateur, kind=kind, **form.cleaned_data
                )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if "apercu" not in request.POST:
                messages.success(request, f"L'e-mail « {type_email.label} » a été enregistré.")
                return redirect("procedures:emails", procedure_id=procedure.pk)
    if not form.errors:
        text_subject = form.cleaned_data["subject"] if form.is_bound else subject
        text_body = form.cleaned_data["body"] if form.is_bound else body
        valeurs = mail_templates.valeurs_exemple(procedure)
        apercu = {
            "subject": " ".join(mail_tags.substituer(text_subject, valeurs).split()),
            "body": mail_tags.substituer(text_body, valeurs).strip(),
        }
    return render(request, "procedures/mails/modifier.html", {
        "procedure": procedure,
        "type_email": type_email,
        "form": form,
        "personnalise": personnalise,
        "balises": mail_templates.balises_disponibles(procedure),
        "apercu": apercu,
    })


@administrateur_required
@require_POST
def email_retablir(request, procedure, kind):
    type_email = _type_email(kind)
    services.mail_template_retablir(procedure=procedure, administrateur=request.user.administrateur, kind=kind)
    messages.success(request, f"Le texte par défaut de l'e-mail « {type_email.label} » a été rétabli.")
    return redirect("procedures:email_modifier", procedure_id=procedure.pk, kind=kind)


# --- Nouvelle démarche à partir d'une existante, export, import ---------------------------------


@administrateur_required
def modeles(request):
    recherche = request.GET.get("recherche", "")
    return render(request, "procedures/modeles.html", {
        "recherche": recherche,
        **selectors.procedures_clonables(request.user.administrateur, recherche),
    })


@administrateur_required
@require_POST
def cloner(request, source_id):
    source = selectors.procedure_clonable(request.user, source_id)
    procedure = services.procedure_cloner(procedure=source, administrateur=request.user.administrateur)
    message = f"La démarche « {procedure.libelle} » a été créée en test à partir de la démarche n° {source.pk}."
    if source.service_id and procedure.service_id is None:
        message += " Choisissez le service en charge de cette nouvelle démarche."
    messages.success(request, message)
    return redirect("procedures:show", procedure_id=procedure.pk)


@administrateur_required
def exporter(request, procedure):
    document = services.procedure_exporter(procedure=procedure, administrateur=request.user.administrateur)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="demarche-{procedure.pk}.json"'
    return response


@administrateur_required
@require_http_methods(["GET", "POST"])
def importer(request):
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_importer(
                administrateur=request.user.administrateur, document=form.cleaned_data["document"]
            )
        except ValidationError as error:
            form.add_error("fichier", error.messages)
        else:
            messages.success(request, f"La démarche « {procedure.libelle} » a été importée : elle est en test.")
            return redirect("procedures:show", procedure_id=procedure.pk)
    return render(request, "procedures/importer.html", {"form": form})


# --- Co-administrateurs -------------------------------------------------------------------------


@administrateur_required
@require_http_methods(["GET", "POST"])
def administrateurs(request, procedure):
    form = AdministrateurForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nouveau = services.administrateur_ajouter(
                procedure=procedure, administrateur=request.user.administrateur, email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"{nouveau.user.email} administre désormais la démarche ; il en a été prévenu par e-mail.")
            return redirect("procedures:administrateurs", procedure_id=procedure.pk)
    return render(request, "procedures/administrateurs.html", {
        "procedure": procedure,
        "form": form,
        "administrateurs": procedure.administrateurs.select_related("user").order_by("user__email"),
    })


@administrateur_required
@require_POST
def administrateur_retirer(request, procedure, administrateur_id):
    retire = procedure.administrateurs.select_related("user").filter(pk=administrateur_id).first()
    if retire is None:
        raise Http404("Administrateur introuvable.")
    try:
        services.administrateur_retirer(procedure=procedure, administrateur=request.user.administrateur, retire=retire)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("procedures:administrateurs", procedure_id=procedure.pk)
    if retire.pk == request.user.administrateur.pk:
        messages.success(request, f"Vous n'administrez plus la démarche « {procedure.libelle} ».")
        return redirect("procedures:index")
    messages.success(request, f"{retire.user.email} n'administre plus cette démarche.")
    return redirect("procedures:administrateurs", procedure_id=procedure.pk)


@administrateur_required
@require_http_methods(["GET", "POST"])
def supprimer(request, procedure):
    """GET: the confirmation page. POST: deletion."""
    if not policies.peut_etre_supprimee(procedure):
        messages.error(request, "Seule une démarche en test ou close peut être supprimée : clore d'abord la démarche.")
        return redirect("procedures:show", procedure_id=procedure.pk)
    if request.method == "POST":
        services.procedure_supprimer(procedure=procedure, administrateur=request.user.administrateur)
        messages.success(request, f"La démarche « {procedure.libelle} » a été supprimée.")
        return redirect("procedures:index")
    return render(request, "procedures/supprimer.html", {"procedure": procedure})
