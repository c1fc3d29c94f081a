"""Usager pages: start a démarche, fill and deposit a dossier, follow it, write to the administration.

Every dossier page is for its owner and the co-editors he invited (see policies): anyone else gets a 404,
anonymous visitors go to the login page. Inviting, deleting, restoring and duplicating are the owner's.
Writes go through services; reads through selectors.
"""

import functools
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from demarches.accounts.social import identite_preremplir
from demarches.core.files import file_response
from demarches.procedures.models import Procedure

from . import (
    policies,
    prefill,
    selectors,
    services,
    services_demandeur,
    services_modification,
    services_usager,
    transitions,
)
from .forms import (
    ChampWidget,
    CompteSuppressionForm,
    IdentiteForm,
    InvitationForm,
    SiretForm,
    MessageForm,
    champ_widgets,
    format_fichier,
    taille_lisible,
)
from .models import Dossier

S = Dossier.State
NOT_EDITABLE_MESSAGE = gettext_lazy("Ce dossier ne peut plus être modifié.")


class InvitationExpiree(Exception):
    def __init__(self, invitation):
        self.invitation = invitation


def usager_required(view):
    """Login required; an htmx request from an expired session is sent to the login page as a whole."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                next_url = request.htmx.current_url_abs_path or request.get_full_path()
                return HttpResponseClientRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except InvitationExpiree as exc:
            invitation = exc.invitation
            context = {"invitation": invitation, "dossier": invitation.dossier, "procedure": invitation.dossier.procedure}
            return render(request, "dossiers/invitation_expiree.html", context, status=410)

    return wrapper


def _dossier(request, pk: int) -> Dossier:
    dossier = selectors.dossier_de_l_usager(pk=pk)
    if not policies.can_view_as_usager(request.user, dossier):
        expiree = policies.invitation_expiree(request.user, dossier)
        if expiree is not None and not policies.origine(dossier).is_hidden_by_user:
            raise InvitationExpiree(expiree)
        raise Http404("Dossier introuvable")
    if not policies.is_owner(request.user, dossier):
        # An invitee opening the dossier: his invitation now follows his account, whatever his e-mail becomes.
        services_usager.invitations_rattacher(user=request.user)
    return dossier


def _commencer_url(procedure: Procedure, *, preview: bool) -> str:
    if preview or not procedure.path:
        return reverse("dossiers:commencer_test", kwargs={"test_token": procedure.test_token})
    return reverse("dossiers:commencer", kwargs={"path": procedure.path})


def _actions(request, dossier: Dossier) -> dict:
    """What the header of every dossier page offers to this user."""
    user = request.user
    return {
        "is_owner": policies.is_owner(user, dossier),
        "is_invitee": policies.is_invitee(user, dossier),
        "can_inviter": policies.can_inviter(user, dossier),
        "can_supprimer": policies.can_supprimer_as_usager(user, dossier),
        "can_dupliquer": policies.can_dupliquer(user, dossier),
        "can_conserver": services_usager.can_conserver(user, dossier),
    }


def _dossier_du_proprietaire(request, pk: int) -> Dossier:
    """For the owner's actions, which also reach a dossier in the corbeille."""
    dossier = selectors.dossier_de_l_usager(pk=pk)
    if not policies.is_owner(request.user, dossier):
        raise Http404("Dossier introuvable")
    return dossier


def _not_editable(request, dossier: Dossier):
    messages.error(request, NOT_EDITABLE_MESSAGE)
    url = reverse("dossiers:show", args=[dossier.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# Commencer --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def commencer(request, path):
    procedure = selectors.procedure_par_adresse(path=path)
    return _commencer(request, procedure, preview=False)


@require_http_methods(["GET", "POST"])
def commencer_test(request, test_token):
    procedure = selectors.procedure_par_lien_de_test(test_token=test_token)
    if not procedure.is_en_test:
        if procedure.path:
            return redirect("dossiers:commencer", path=procedure.path)
        raise Http404("Démarche introuvable")
    return _commencer(request, procedure, preview=True)


def _commencer(request, procedure: Procedure, *, preview: bool):
    ouverte = procedure.is_en_test if preview else procedure.state == Procedure.State.PUBLIEE
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not ouverte:
            messages.error(request, gettext("Cette démarche n'accepte plus de nouveaux dossiers."))
            return redirect(request.path)
        try:
            dossier = services.dossier_creer(procedure=procedure, user=request.user, for_test=preview)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect(request.path)
        prefill.session_appliquer(request, procedure=procedure, dossier=dossier)
        return redirect("dossiers:identite", pk=dossier.pk)
    here = request.get_full_path()
    preremplissage = prefill.commencer_preparer(request, procedure)
    context = {
        "procedure": procedure,
        "preremplissage_libelles": prefill.libelles(procedure, preremplissage) if preremplissage else None,
        "preview": preview,
        "ouverte": ouverte,
        "pieces_a_fournir": selectors.pieces_a_fournir(procedure),
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': here})}",
        "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
        **selectors.dossiers_sur_la_procedure(user=request.user, procedure=procedure, preview=preview),
    }
    return render(request, "dossiers/commencer.html", context)


# Mes dossiers -----------------------------------------------------------------------------------


ONGLET_LABELS = {
    "en-cours": gettext_lazy("en cours"),
    "traites": gettext_lazy("traités"),
    "invites": gettext_lazy("dossiers invités"),
    "corbeille": gettext_lazy("corbeille"),
}


@require_GET
@usager_required
def index(request):
    recherche = request.GET.get("q", "").strip()[:200]
    compteurs = selectors.compteurs_de_l_usager(user=request.user, recherche=recherche)
    onglet = request.GET.get("statut", "")
    if onglet not in selectors.ONGLETS:
        onglet = next((key for key in ("en-cours", "traites", "invites") if compteurs[key]), "en-cours")
    dossiers = selectors.dossiers_de_l_usager(user=request.user, onglet=onglet, recherche=recherche)
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    onglets = [{"key": key, "label": ONGLET_LABELS[key], "count": compteurs[key]} for key in selectors.ONGLETS]
    query = urlencode({"q": recherche}) if recherche else ""
    context = {
        "page": page,
        "onglet": onglet,
        "onglet_label": ONGLET_LABELS[onglet],
        "onglets": onglets,
        "recherche": recherche,
        "query": query,
        "purge_jours": services_usager.CORBEILLE_PURGE_DELAY.days,
    }
    return render(request, "dossiers/index.html", context)


# Identité -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@usager_required
def identite(request, pk):
    dossier = _dossier(request, pk)
    if not policies.can_edit_as_usager(request.user, dossier):
        return redirect("dossiers:show", pk=pk)
    if not dossier.procedure.for_individual:
        return _identite_entreprise(request, dossier)
    demander_date_naissance = dossier.procedure.demander_date_naissance
    if request.method == "POST":
        form = IdentiteForm(request.POST, demander_date_naissance=demander_date_naissance)
        if form.is_valid():
            services.dossier_identite_enregistrer(dossier=dossier, user=request.user, **form.cleaned_data)
            return redirect("dossiers:brouillon", pk=pk)
    else:
        initial = {"civilite": dossier.civilite, "nom": dossier.nom, "prenom": dossier.prenom}
        initial = identite_preremplir(request.user, initial)  # FranceConnect identity, if any
        if demander_date_naissance and dossier.date_naissance:
            initial["date_naissance"] = dossier.date_naissance.isoformat()  # as the date input expects it
        form = IdentiteForm(initial=initial, demander_date_naissance=demander_date_naissance)
    return render(request, "dossiers/identite.html", {"dossier": dossier, "procedure": dossier.procedure, "form": form})


def _identite_entreprise(request, dossier: Dossier):
    """Personne morale: SIRET → the établissement's details → « Continuer avec ces informations »."""
    context = {"dossier": dossier, "procedure": dossier.procedure, "recherche": None}
    if request.method == "POST":
        form = SiretForm(request.POST)
        if form.is_valid():
            siret = form.cleaned_data["siret"]
            try:
                if request.POST.get("action") == "confirmer":
                    services_demandeur.dossier_etablissement_enregistrer(dossier=dossier, user=request.user, siret=siret)
                    return redirect("dossiers:brouillon", pk=dossier.pk)
                context["recherche"] = services_demandeur.siret_rechercher(siret)
            except ValidationError as exc:
                form.add_error("siret", exc.messages[0])
    else:
        form = SiretForm(initial={"siret": "" if request.GET.get("autre") else dossier.siret})
    context["form"] = form
    return render(request, "dossiers/identite_entreprise.html", context)


# Formulaire (brouillon, and the edits while en construction) ----------------------------------


@require_http_methods(["GET", "POST"])
@usager_required
def brouillon(request, pk):
    dossier = _dossier(request, pk)
    if dossier.state != S.BROUILLON:
        return _dossier_depose_formulaire(request, dossier)
    editable = policies.can_edit_as_usager(request.user, dossier)
    if not editable:
        if dossier.is_editing_fork:
            return _copie_perimee(request, dossier)
        if request.method == "POST":
            return _not_editable(request, dossier)
        if dossier.state != S.BROUILLON:
            return redirect("dossiers:demande", pk=pk)
        # A brouillon on a démarche that closed meanwhile: shown, but it can no longer be completed.
        return _render_formulaire(request, dossier, readonly=True)
    if request.method == "GET":
        if services_demandeur.identite_manquante(dossier):
            return redirect("dossiers:identite", pk=pk)
        return _render_formulaire(request, dossier)

    errors = services.champs_enregistrer(
        dossier=dossier, user=request.user, posted=request.POST, version=_version_postee(request)
    )
    if request.htmx:
        return _autosave_response(request, dossier, errors)
    errors.update(_ajouter_fichiers_postes(request, dossier))
    action = request.POST.get("action")
    if action in ("deposer", "deposer_modifications") and gettext(services.CONFLIT_MESSAGE) in errors.values():
        alert = gettext(
            "Des champs ont été modifiés entre-temps dans un autre onglet ou par une autre personne : vérifiez-les "
            "avant de déposer."
        )
        return _render_formulaire(request, dossier, errors=errors, alert=alert)
    if action == "deposer_modifications" and dossier.is_editing_fork:
        return _deposer_modifications(request, dossier, errors)
    if action == "deposer" and not dossier.is_editing_fork:
        return _deposer(request, dossier, errors)
    if errors:
        return _render_formulaire(request, dossier, errors=errors)
    if dossier.is_editing_fork:
        messages.success(
            request,
            gettext(
                "Vos modifications ont été enregistrées. Elles ne seront transmises à l'administration "
                "qu'avec « Déposer les modifications »."
            ),
        )
    else:
        messages.success(request, gettext("Votre brouillon a été enregistré."))
    return redirect("dossiers:brouillon", pk=pk)


def _dossier_depose_formulaire(request, dossier: Dossier):
    """« Modifier le dossier » on a deposited dossier: the usager works on a copy (made on first use)."""
    if request.method == "POST":
        if request.POST.get("action") == "deposer" and not request.htmx:
            # A second click on « Déposer le dossier »: the first one deposited it, exactly once.
            return redirect("dossiers:merci", pk=dossier.pk)
        if not policies.can_modifier(request.user, dossier):
            return _not_editable(request, dossier)
        # A page still showing the brouillon, after the deposit (another tab): its values are not taken.
        messages.error(
            request,
            gettext(
                "Ce dossier a été déposé entre-temps : les valeurs de cette page n'ont pas été enregistrées. "
                "Pour le modifier, utilisez « Modifier le dossier » et vérifiez ses réponses."
            ),
        )
        url = reverse("dossiers:show", args=[dossier.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if not policies.can_modifier(request.user, dossier):
        return redirect("dossiers:demande", pk=dossier.pk)
    copie = services_modification.dossier_modification_commencer(dossier=dossier, user=request.user)
    return redirect("dossiers:brouillon", pk=copie.pk)


def _copie_perimee(request, copie: Dossier):
    """The administration started the instruction while the usager was modifying: his copy cannot go further."""
    origine = copie.editing_fork_origin
    messages.error(
        request,
        gettext("L'administration a commencé l'instruction de votre dossier : vos modifications ne peuvent plus être déposées."),
    )
    url = reverse("dossiers:show", args=[origine.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _deposer_modifications(request, copie: Dossier, errors: dict):
    try:
        deposit_errors = services_modification.dossier_modifications_deposer(copie=copie, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return _render_formulaire(request, copie, errors=errors, alert=message)
    if deposit_errors:
        by_champ = {error.type_de_champ.stable_id: error.message for error in deposit_errors}
        return _render_formulaire(request, copie, errors={**errors, **by_champ}, deposit_errors=deposit_errors)
    messages.success(request, gettext("Vos modifications ont été déposées : l'administration en est informée."))
    return redirect("dossiers:show", pk=copie.editing_fork_origin_id)


@require_POST
@usager_required
def modifications_abandonner(request, pk):
    copie = _dossier(request, pk)
    if not copie.is_editing_fork:
        raise Http404("Aucune modification en cours")
    origine = services_modification.dossier_modifications_abandonner(copie=copie, user=request.user)
    messages.success(request, gettext("Vos modifications ont été abandonnées : le dossier déposé reste inchangé."))
    return redirect("dossiers:show", pk=origine.pk)


def _deposer(request, dossier: Dossier, errors: dict):
    try:
        deposit_errors = services.dossier_deposer(dossier=dossier, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return _render_formulaire(request, dossier, errors=errors, alert=message)
    if deposit_errors:
        by_champ = {error.type_de_champ.stable_id: error.message for error in deposit_errors}
        return _render_formulaire(request, dossier, errors={**errors, **by_champ}, deposit_errors=deposit_errors)
    return redirect("dossiers:merci", pk=dossier.pk)


def _ajouter_fichiers_postes(request, dossier: Dossier) -> dict[int, str]:
    """Without JavaScript, files chosen in the form arrive with « Enregistrer » or « Déposer »."""
    errors = {}
    for tdc in dossier.revision.public_types_de_champ():
        if not tdc.field_type.accepts_files:
            continue
        for uploaded in request.FILES.getlist(f"{tdc.html_id}-fichier"):
            try:
                services.piece_ajouter(dossier=dossier, user=request.user, type_de_champ=tdc, uploaded=uploaded)
            except ValidationError as exc:
                errors[tdc.stable_id] = exc.messages[0]
    return errors


def _render_formulaire(request, dossier, *, errors=None, deposit_errors=None, alert="", readonly=False):
    widgets = champ_widgets(dossier, selectors.champs_du_dossier(dossier), errors, heading_offset=1 if readonly else 0)
    origine = policies.origine(dossier)
    context = {
        **_actions(request, origine),
        "dossier": dossier,
        "origine": origine,
        "can_deposer_modifications": policies.can_deposer_modifications(request.user, dossier),
        "piece_max_size": settings.PIECE_JUSTIFICATIVE_MAX_SIZE,
        "champs_version": _champs_version(dossier),
        "procedure": dossier.procedure,
        "widgets": widgets,
        "readonly": readonly,
        "errors": errors or {},
        "deposit_errors": deposit_errors or [],
        "alert": alert,
        "can_deposer": dossier.state == S.BROUILLON and transitions.can_passer_en_construction(dossier, request.user),
        # File inputs are uploaded on their own (see piece_ajouter), never with the autosave.
        "file_params": ",".join(widget.file_name for widget in widgets if widget.accepts_files),
    }
    return render(request, "dossiers/brouillon.html", context)


def _champs_version(dossier: Dossier) -> str:
    """Sent with the form, given back by each save: see services.champs_enregistrer(version=…)."""
    return timezone.now().isoformat()


def _version_postee(request):
    try:
        version = datetime.fromisoformat(request.POST.get("champs_version", ""))
    except ValueError:
        return None
    return version if timezone.is_aware(version) else None


def _autosave_response(request, dossier: Dossier, errors: dict):
    widgets = [
        ChampWidget(dossier=dossier, type_de_champ=tdc, error=errors.get(tdc.stable_id, ""))
        for tdc in dossier.revision.public_types_de_champ()
        if tdc.field_type.fillable and not tdc.field_type.accepts_files
    ]
    context = {
        "dossier": dossier, "widgets": widgets, "saved_at": timezone.now(), "error_count": len(errors),
        "conflits": sum(1 for message in errors.values() if message == gettext(services.CONFLIT_MESSAGE)),
    }
    response = render(request, "dossiers/_autosave.html", context)
    # The page keeps it in its champs_version field (dossiers/static/dossiers/version.js) for the next save.
    response["X-Champs-Version"] = _champs_version(dossier)
    return response


# Pièces justificatives ------------------------------------------------------------------------


def _piece_widget_response(request, dossier: Dossier, tdc, *, error: str = "", status_message: str = ""):
    champ = selectors.champ_du_dossier(dossier, tdc.stable_id)
    widget = ChampWidget(dossier=dossier, type_de_champ=tdc, champ=champ, error=error)
    return render(
        request, "dossiers/_piece_justificative.html", {"champ": widget, "status_message": status_message}
    )


def _retour_au_champ(dossier: Dossier, tdc) -> str:
    return f"{reverse('dossiers:brouillon', args=[dossier.pk])}#{tdc.html_id}"


@require_POST
@usager_required
def piece_ajouter(request, pk, stable_id):
    dossier = _dossier(request, pk)
    tdc = selectors.type_de_champ_public(dossier, stable_id)
    if not tdc.field_type.accepts_files:
        raise Http404("Ce champ n'accepte pas de fichier")
    if not policies.can_edit_as_usager(request.user, dossier):
        return _not_editable(request, dossier)
    if not request.htmx:
        services.champs_enregistrer(
        dossier=dossier, user=request.user, posted=request.POST, version=_version_postee(request)
    )
    files = request.FILES.getlist(f"{tdc.html_id}-fichier")
    added, refused = [], []
    if not files:
        refused.append(gettext("Choisissez un fichier à joindre."))
    for uploaded in files:
        # Every file is tried: the valid ones are kept, each refused one says why.
        try:
            added.append(
                services.piece_ajouter(dossier=dossier, user=request.user, type_de_champ=tdc, uploaded=uploaded)
            )
        except ValidationError as exc:
            refused.append(
                gettext("« %(nom)s » : %(erreur)s") % {"nom": uploaded.name, "erreur": exc.messages[0]}
                if len(files) > 1
                else exc.messages[0]
            )
    error = " ".join(refused)
    names = ", ".join(gettext("« %(nom)s »") % {"nom": piece.filename} for piece in added)
    status_message = ""
    if added:
        status_message = (
            gettext("Fichier ajouté : %(noms)s.") if len(added) == 1 else gettext("Fichiers ajoutés : %(noms)s.")
        ) % {"noms": names}
    if request.htmx:
        return _piece_widget_response(request, dossier, tdc, error=error, status_message=status_message)
    if status_message:
        messages.success(request, status_message)
    if error:
        messages.error(request, gettext("%(libelle)s : %(erreur)s") % {"libelle": tdc.libelle, "erreur": error})
    return redirect(_retour_au_champ(dossier, tdc))


@require_POST
@usager_required
def piece_supprimer(request, pk, piece_pk):
    dossier = _dossier(request, pk)
    piece = selectors.piece_du_dossier(dossier, piece_pk)
    tdc = selectors.type_de_champ_public(dossier, piece.champ.stable_id)
    if not policies.can_edit_as_usager(request.user, dossier):
        return _not_editable(request, dossier)
    if not request.htmx:
        # The « Supprimer » button submits the whole form: keep what was typed meanwhile.
        services.champs_enregistrer(
        dossier=dossier, user=request.user, posted=request.POST, version=_version_postee(request)
    )
    filename = piece.filename
    services.piece_supprimer(piece=piece, user=request.user)
    status_message = gettext("Fichier supprimé : « %(nom)s ».") % {"nom": filename}
    if request.htmx:
        return _piece_widget_response(request, dossier, tdc, status_message=status_message)
    messages.success(request, status_message)
    return redirect(_retour_au_champ(dossier, tdc))


@require_GET
@usager_required
def piece_telecharger(request, pk, piece_pk):
    dossier = _dossier(request, pk)
    piece = selectors.piece_du_dossier(dossier, piece_pk)
    return file_response(piece.file, piece.filename)


# After the deposit ----------------------------------------------------------------------------


@require_GET
@usager_required
def merci(request, pk):
    dossier = _dossier(request, pk)
    if dossier.state == S.BROUILLON:
        return redirect("dossiers:brouillon", pk=pk)
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "nouveau_url": _commencer_url(dossier.procedure, preview=dossier.for_procedure_preview),
    }
    return render(request, "dossiers/merci.html", context)


TIMELINE = [
    ("en_construction", gettext_lazy("en construction")),
    ("en_instruction", gettext_lazy("en instruction")),
    ("termine", gettext_lazy("terminé")),
]


def _timeline(dossier: Dossier) -> list[dict]:
    current = "termine" if dossier.is_termine else dossier.state
    keys = [key for key, _ in TIMELINE]
    position = keys.index(current) if current in keys else 0
    return [
        {"label": label, "current": index == position, "done": index < position}
        for index, (key, label) in enumerate(TIMELINE)
    ]


def _justificatif(dossier: Dossier) -> dict | None:
    if not (dossier.is_termine and dossier.justificatif_motivation):
        return None
    name = dossier.justificatif_motivation.name.rsplit("/", 1)[-1]
    try:
        size = taille_lisible(dossier.justificatif_motivation.size)
    except (OSError, ValueError):
        size = ""
    return {
        "url": reverse("dossiers:justificatif", args=[dossier.pk]),
        "name": name,
        "detail": " – ".join(part for part in (format_fichier(name), size) if part),
    }


def _dossier_context(request, dossier: Dossier, onglet: str) -> dict:
    return {
        **_actions(request, dossier),
        "dossier": dossier,
        "procedure": dossier.procedure,
        "onglet": onglet,
        "can_edit": policies.can_edit_as_usager(request.user, dossier),
        "can_write": policies.can_write_as_usager(request.user, dossier),
    }


@require_GET
@usager_required
def show(request, pk):
    dossier = _dossier(request, pk)
    if dossier.state == S.BROUILLON:
        return redirect("dossiers:brouillon", pk=pk)
    context = {
        **_dossier_context(request, dossier, "resume"),
        "timeline": _timeline(dossier),
        "justificatif": _justificatif(dossier),
        "copie_de_travail": selectors.copie_de_travail(dossier) if policies.can_modifier(request.user, dossier) else None,
        "dernier_message": selectors.commentaires_du_dossier(dossier).last(),
    }
    return render(request, "dossiers/show.html", context)


@require_GET
@usager_required
def demande(request, pk):
    dossier = _dossier(request, pk)
    if dossier.state == S.BROUILLON:
        return redirect("dossiers:brouillon", pk=pk)
    context = {
        **_dossier_context(request, dossier, "demande"),
        "widgets": champ_widgets(dossier, selectors.champs_du_dossier(dossier), heading_offset=1),
    }
    return render(request, "dossiers/demande.html", context)


@require_GET
@usager_required
def justificatif(request, pk):
    dossier = _dossier(request, pk)
    if not dossier.is_termine:
        raise Http404("Aucun justificatif pour ce dossier")
    return file_response(dossier.justificatif_motivation)


# Messagerie -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@usager_required
def messagerie(request, pk):
    dossier = _dossier(request, pk)
    if dossier.state == S.BROUILLON:
        return redirect("dossiers:brouillon", pk=pk)
    can_write = policies.can_write_as_usager(request.user, dossier)
    form = MessageForm()
    if request.method == "POST":
        if not can_write:
            messages.error(request, gettext("La messagerie de ce dossier est fermée."))
            return redirect("dossiers:messagerie", pk=pk)
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                commentaire = services.message_envoyer(
                    dossier=dossier,
                    user=request.user,
                    body=form.cleaned_data["body"],
                    piece_jointe=form.cleaned_data["piece_jointe"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("Votre message a été envoyé."))
                return redirect(f"{reverse('dossiers:messagerie', args=[pk])}#message-{commentaire.pk}")
    context = {
        **_dossier_context(request, dossier, "messagerie"),
        "commentaires": selectors.commentaires_du_dossier(dossier),
        "form": form,
        "max_size_label": taille_lisible(settings.MESSAGE_ATTACHMENT_MAX_SIZE),
    }
    return render(request, "dossiers/messagerie.html", context)


@require_GET
@usager_required
def commentaire_piece_jointe(request, pk, commentaire_pk):
    dossier = _dossier(request, pk)
    commentaire = selectors.commentaire_du_dossier(dossier, commentaire_pk)
    return file_response(commentaire.piece_jointe, commentaire.piece_jointe_filename or None)


# Co-editors -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@usager_required
def invitations(request, pk):
    dossier = _dossier(request, pk)
    if not policies.is_owner(request.user, dossier):
        raise Http404("Dossier introuvable")
    can_inviter = policies.can_inviter(request.user, dossier)
    form = InvitationForm()
    if request.method == "POST":
        if not can_inviter:
            messages.error(request, gettext("Ce dossier ne peut plus être modifié : vous ne pouvez plus inviter de personne."))
            return redirect("dossiers:invitations", pk=pk)
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services_usager.invitation_creer(dossier=dossier, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("Une invitation a été envoyée à %(email)s.") % {"email": invitation.email})
                return redirect("dossiers:invitations", pk=pk)
    context = {
        **_actions(request, dossier),
        "dossier": dossier,
        "procedure": dossier.procedure,
        "form": form,
        "invitations": selectors.invitations_du_dossier(dossier),
        "retour_url": reverse("dossiers:brouillon" if dossier.state == S.BROUILLON else "dossiers:show", args=[pk]),
    }
    return render(request, "dossiers/invitations.html", context)


@require_POST
@usager_required
def invitation_supprimer(request, pk, invitation_pk):
    dossier = _dossier(request, pk)
    if not policies.is_owner(request.user, dossier):
        raise Http404("Dossier introuvable")
    invitation = selectors.invitation_du_dossier(dossier, invitation_pk)
    services_usager.invitation_supprimer(invitation=invitation, user=request.user)
    messages.success(request, gettext("L'invitation de %(email)s a été retirée.") % {"email": invitation.email})
    return redirect("dossiers:invitations", pk=pk)


# Corbeille and duplication --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@usager_required
def supprimer(request, pk):
    dossier = _dossier_du_proprietaire(request, pk)
    if dossier.is_hidden_by_user:
        return redirect(f"{reverse('dossiers:index')}?statut=corbeille")
    if not policies.can_supprimer_as_usager(request.user, dossier):
        messages.error(request, gettext("Un dossier en cours d'instruction ne peut pas être supprimé."))
        return redirect("dossiers:show", pk=pk)
    if request.method == "POST":
        services_usager.dossier_supprimer(dossier=dossier, user=request.user)
        messages.success(
            request,
            gettext(
                "Le dossier n° %(numero)s a été placé dans la corbeille. Vous pouvez le restaurer depuis l'onglet « corbeille »."
            )
            % {"numero": dossier.pk},
        )
        return redirect("dossiers:index")
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "purge_jours": services_usager.CORBEILLE_PURGE_DELAY.days,
        "retour_url": reverse("dossiers:brouillon" if dossier.state == S.BROUILLON else "dossiers:show", args=[pk]),
    }
    return render(request, "dossiers/supprimer.html", context)


@require_POST
@usager_required
def restaurer(request, pk):
    dossier = _dossier_du_proprietaire(request, pk)
    if not policies.can_restaurer(request.user, dossier):
        return redirect("dossiers:show", pk=pk)
    services_usager.dossier_restaurer(dossier=dossier, user=request.user)
    messages.success(request, gettext("Le dossier n° %(numero)s a été restauré.") % {"numero": dossier.pk})
    return redirect("dossiers:brouillon" if dossier.state == S.BROUILLON else "dossiers:show", pk=pk)


@require_POST
@usager_required
def dupliquer(request, pk):
    dossier = _dossier_du_proprietaire(request, pk)
    if not policies.can_dupliquer(request.user, dossier):
        messages.error(request, gettext("Ce dossier ne peut pas être dupliqué : la démarche n'accepte plus de nouveaux dossiers."))
        return redirect("dossiers:index")
    copie = services_usager.dossier_dupliquer(dossier=dossier, user=request.user)
    messages.success(
        request,
        gettext("Le dossier n° %(copie)s a été créé à partir du dossier n° %(origine)s : vérifiez-le avant de le déposer.")
        % {"copie": copie.pk, "origine": dossier.pk},
    )
    return redirect("dossiers:brouillon", pk=copie.pk)


@require_POST
@usager_required
def conserver(request, pk):
    dossier = _dossier(request, pk)
    if not policies.is_owner(request.user, dossier):
        raise Http404("Dossier introuvable")
    if services_usager.can_conserver(request.user, dossier):
        dossier = services_usager.dossier_conserver(dossier=dossier, user=request.user)
        messages.success(
            request,
            gettext("Votre dossier sera conservé jusqu'au %(date)s.")
            % {"date": date_format(timezone.localtime(dossier.expire_at), "j F Y")},
        )
    return redirect("dossiers:brouillon" if dossier.state == S.BROUILLON else "dossiers:show", pk=pk)


# Mon compte -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@usager_required
def profil(request):
    form = CompteSuppressionForm()
    blocage = services_usager.compte_suppression_bloquee(user=request.user)
    if request.method == "POST":
        form = CompteSuppressionForm(request.POST)
        if not blocage and form.is_valid():
            services_usager.compte_supprimer(user=request.user)
            logout(request)
            messages.success(request, gettext("Votre compte a été supprimé."))
            return redirect("home")
    return render(request, "dossiers/profil.html", {"form": form, "blocage": blocage})
