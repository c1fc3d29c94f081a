"""The administrateur's screens. Views read through selectors and write through services."""

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from demarches.core.files import file_response

from . import mail_tags, mail_templates, policies, selectors, selectors_description, services
from .forms import (
    AdministrateurForm,
    CloreForm,
    EnvoyerCopieForm,
    ImportForm,
    InstructeurForm,
    MailTemplateForm,
    ProcedureForm,
    PublicationForm,
    ServiceForm,
)
from .models import Procedure


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
        request.POST or None, request.FILES or None, administrateur=administrateur,
        services=selectors.services_utilisables(administrateur),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                service = form.service_existant or services.service_creer(administrateur=administrateur, **form.nouveau_service)
                procedure = services.procedure_creer(administrateur=administrateur, service=service, **form.options)
                services.procedure_fichiers_modifier(procedure=procedure, administrateur=administrateur, fichiers=form.fichiers)
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
        request.POST or None, request.FILES or None, administrateur=administrateur, procedure=procedure,
        services=selectors.services_utilisables(administrateur),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                service = form.service_existant or services.service_creer(administrateur=administrateur, **form.nouveau_service)
                services.procedure_modifier(procedure=procedure, administrateur=administrateur, service=service, **form.options)
                services.procedure_fichiers_modifier(
                    procedure=procedure, administrateur=administrateur,
                    fichiers=form.fichiers, supprimer=form.fichiers_a_supprimer,
                )
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
        "peut_etre_reactivee": policies.peut_etre_reactivee(procedure),
        "peut_etre_supprimee": policies.peut_etre_supprimee(procedure),
    })


FICHIERS_PUBLICS = {"logo": True, "notice": False, "deliberation": False}  # name → shown inline


def fichier(request, procedure_id, nom):
    """The logo, notice or délibération of a démarche: public documents, like its /commencer page."""
    if nom not in FICHIERS_PUBLICS:
        raise Http404("Fichier introuvable")
    procedure = selectors_description.procedure_pour_fichier(procedure_id)
    if not policies.fichier_visible(request.user, procedure):
        raise Http404("Fichier introuvable")
    response = file_response(getattr(procedure, nom), inline=FICHIERS_PUBLICS[nom])
    if nom == "logo":
        response["Cache-Control"] = "public, max-age=3600"
    return response


@administrateur_required
@require_http_methods(["GET", "POST"])
def envoyer_copie(request, procedure):
    form = EnvoyerCopieForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_envoyer_copie(
                procedure=procedure, administrateur=request.user.administrateur, email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, (
                f"Une copie de la démarche a été envoyée à {form.cleaned_data['email'].lower()} : "
                "elle apparaît dans ses démarches « En test » et il en a été prévenu par e-mail."
            ))
            return redirect("procedures:show", procedure_id=procedure.pk)
    return render(request, "procedures/envoyer_copie.html", {"procedure": procedure, "form": form})


# The champs editor (champs, annotations, conditions, aperçu…) lives in views_editeur.py.


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
    initial = {"path": procedure.path or services.path_suggestion(procedure.libelle), "lien_site": procedure.lien_site}
    form = PublicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_publier(
                procedure=procedure, administrateur=request.user.administrateur, path=form.cleaned_data["path"],
                lien_site=form.cleaned_data["lien_site"],
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
    form = CloreForm(request.POST if request.method == "POST" else None, remplacantes=selectors_description.procedures_remplacantes(request.user.administrateur, procedure))
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_clore(
                procedure=procedure, administrateur=request.user.administrateur, motif=form.cleaned_data["motif"],
                remplacee_par=form.cleaned_data["remplacante"], precisions=form.cleaned_data["precisions"],
                prevenir_usagers=form.cleaned_data["prevenir_usagers"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "La démarche est close : plus aucun dossier ne peut y être déposé.")
            return redirect("procedures:show", procedure_id=procedure.pk)
    return render(request, "procedures/clore.html", {
        "procedure": procedure, "lien_public": lien_public(procedure), "form": form,
        "nb_brouillons": selectors_description.nombre_brouillons(procedure),
    })


@administrateur_required
@require_http_methods(["GET", "POST"])
def reactiver(request, procedure):
    """GET: the confirmation page. POST: the démarche is published again at its address."""
    if not policies.peut_etre_reactivee(procedure):
        messages.error(request, "Seule une démarche close, déjà publiée, peut être réactivée.")
        return redirect("procedures:show", procedure_id=procedure.pk)
    erreur = None
    if request.method == "POST":
        try:
            services.procedure_reactiver(procedure=procedure, administrateur=request.user.administrateur)
        except ValidationError as error:
            erreur = " ".join(error.messages)
        else:
            messages.success(request, f"La démarche est de nouveau publiée à l'adresse {lien_public(procedure)}")
            return redirect("procedures:show", procedure_id=procedure.pk)
    return render(request, "procedures/reactiver.html", {
        "procedure": procedure, "lien_public": lien_public(procedure), "erreur": erreur,
    })


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
    apercu, dossier = None, None
    if request.method == "POST" and form.is_valid():
        texte = {"subject": form.cleaned_data["subject"], "body": form.cleaned_data["body"]}
        numero = form.cleaned_data["dossier_apercu"]
        try:
            if "apercu" in request.POST:
                services.mail_template_verifier(procedure=procedure, **texte)
                dossier = numero and selectors.dossier_pour_apercu(procedure, request.user, numero)
                if numero and dossier is None:
                    raise ValidationError({"dossier_apercu": (
                        f"Aucun dossier n° {numero} de cette démarche n'est un dossier de test "
                        "ou un dossier que vous instruisez."
                    )})
            else:
                services.mail_template_enregistrer(
                    procedure=procedure, administrateur=request.user.administrateur, kind=kind, **texte
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
        valeurs = mail_templates.valeurs_du_dossier(dossier) if dossier else mail_templates.valeurs_exemple(procedure)
        apercu = {
            "dossier": dossier,
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
