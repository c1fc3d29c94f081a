"""Pages of the instructor workspace (dashboard, dossier, messagerie, decisions) and of the experts.

Every page requires a logged-in user with the right profile who instructs the démarche (or was
asked the avis); anybody else gets a 404, so that the existence of a dossier is never revealed.
Writes go through services (instruction.services, dossiers.services, dossiers.transitions).
"""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from demarches.core.files import file_response
from demarches.dossiers import services as dossier_services
from demarches.dossiers import transitions
from demarches.fields import visibilite
from demarches.dossiers.models import Commentaire, Dossier, PieceJointe
from demarches.dossiers.policies import can_view_as_instructeur, can_view_as_usager
from demarches.procedures.models import Procedure
from demarches.procedures.policies import can_instruct

from . import pastilles, selectors, services
from .annotations_widgets import annotation_widgets
from .forms import AvisDemandeForm, AvisReponseForm, CorrectionForm, DecisionForm, MessageForm
from .models import SUPPRESSION_RESTAURABLE_DELAI, Label

PAGE_SIZE = 100


class CountedPaginator(Paginator):
    """A paginator told the total by the tab counters, which saves a second COUNT query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


# --- access -------------------------------------------------------------------------------------


def instructeur_required(view):
    """Logged in, with an Instructeur profile; otherwise the page does not exist (404)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        instructeur = getattr(request.user, "instructeur", None)
        if instructeur is None:
            raise Http404("Page introuvable")
        request.instructeur = instructeur
        return view(request, *args, **kwargs)

    return wrapper


def expert_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        expert = getattr(request.user, "expert", None)
        if expert is None:
            raise Http404("Page introuvable")
        request.expert = expert
        return view(request, *args, **kwargs)

    return wrapper


def _procedure(request, procedure_id: int) -> Procedure:
    # A deleted démarche (hidden_at) leaves its instructeurs' workspace with its dossiers.
    procedure = get_object_or_404(Procedure.objects.select_related("service"), pk=procedure_id, hidden_at__isnull=True)
    if not can_instruct(request.user, procedure):
        raise Http404("Démarche introuvable")
    return procedure


def _dossier(request, procedure_id: int, pk: int, *, meme_supprime: bool = False):
    """The dossier an instructeur opens. One deleted for the administration is read-only: only « Restaurer »
    (and the idempotent « Supprimer ») may still act on it."""
    dossier = selectors.dossier_pour_instructeur(request.instructeur, procedure_id=procedure_id, pk=pk)
    if dossier is None or not can_view_as_instructeur(request.user, dossier):
        raise Http404("Dossier introuvable")
    if request.method == "POST" and not meme_supprime and services.est_supprime_pour_administration(dossier):
        raise PermissionDenied("Ce dossier est supprimé pour l'administration : restaurez-le avant d'agir dessus.")
    return dossier


def _dossier_url(dossier, anchor: str = "") -> str:
    return reverse("instruction:dossier", args=[dossier.procedure_id, dossier.pk]) + anchor


def _back(request, dossier):
    """Where to go after an action: the page the form came from when it is ours, else the dossier."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(_dossier_url(dossier))


# --- instructeur: démarches and dashboard --------------------------------------------------------


@require_GET
@instructeur_required
def procedures(request):
    return render(
        request, "instruction/procedures.html", {"procedures": selectors.procedures_avec_compteurs(request.instructeur)}
    )


# The dossier list of a démarche (`procedure`) lives in instruction/liste/views.py.


# --- instructeur: dossier ----------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    slug: str
    transition: str
    button: str
    title: str
    explanation: str
    motivation_required: bool
    done: str


DECISIONS = {
    d.slug: d
    for d in (
        Decision(
            "accepter", "accepter", "Accepter", "Accepter le dossier",
            "Le demandeur sera prévenu par e-mail que son dossier est accepté.", False, "Le dossier a été accepté.",
        ),
        Decision(
            "refuser", "refuser", "Refuser", "Refuser le dossier",
            "Le demandeur sera prévenu par e-mail que son dossier est refusé, avec votre motivation.", True,
            "Le dossier a été refusé.",
        ),
        Decision(
            "classer-sans-suite", "classer_sans_suite", "Classer sans suite", "Classer le dossier sans suite",
            "Le demandeur sera prévenu par e-mail que son dossier est classé sans suite, avec votre motivation.", True,
            "Le dossier a été classé sans suite.",
        ),
    )
}


def _decision_form(decision: Decision, data=None, files=None) -> DecisionForm:
    return DecisionForm(data, files, prefix=decision.slug, motivation_required=decision.motivation_required)


def _guards(dossier, user) -> dict[str, bool]:
    """Which buttons the dossier page shows: the state machine's own guards."""
    return {
        "can_passer_en_instruction": transitions.can_passer_en_instruction(dossier, user),
        "can_repasser_en_construction": transitions.can_repasser_en_construction(dossier, user),
        "can_terminer": transitions.can_terminer(dossier, user),
        "can_repasser_en_instruction": transitions.can_repasser_en_instruction(dossier, user),
    }


def _dossier_context(request, dossier, **extra) -> dict:
    guards = _guards(dossier, request.user)
    decisions = []
    if guards["can_terminer"]:
        decisions = [{"decision": d, "form": _decision_form(d)} for d in DECISIONS.values()]
    labels = services.labels_de_la_procedure(dossier.procedure)
    guards["labels"] = labels
    guards["labels_du_dossier"] = selectors.labels_du_dossier(dossier)
    guards["label_colors"] = Label.Color.choices
    guards["can_demander_correction"] = transitions.can_demander_correction(dossier, request.user)
    guards["correction"] = selectors.derniere_correction(dossier)
    guards["can_archiver"] = services.can_archiver(request.instructeur, dossier)
    guards["can_desarchiver"] = services.can_desarchiver(request.instructeur, dossier)
    guards["can_supprimer"] = services.can_supprimer_pour_administration(request.instructeur, dossier)
    suppression = _suppression_context(request, dossier)
    if suppression["supprime"]:
        # Out of the administration's lists: nothing but « Restaurer » until it comes back.
        guards.update({key: False for key in guards if key.startswith("can_")})
        decisions = []
    pastilles_context = {
        "pastille_demande": pastilles.dossier_modifications_non_vues(request.instructeur, dossier),
        "pastille_messagerie": pastilles.dossier_messages_non_lus(request.instructeur, dossier),
    }
    return {
        "dossier": dossier, "procedure": dossier.procedure, "decisions": decisions, **guards, **suppression,
        **pastilles_context, "delai_jours": SUPPRESSION_RESTAURABLE_DELAI.days, **extra,
    }


def _suppression_context(request, dossier) -> dict:
    if not services.est_supprime_pour_administration(dossier):
        return {"supprime": None}
    return {
        "supprime": dossier.suppression_administration,
        "can_restaurer": services.can_restaurer_pour_administration(request.instructeur, dossier),
        "restaurable_jusqu_au": services.restaurable_jusqu_au(dossier),
    }


@require_GET
@instructeur_required
def dossier(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
    # The dots are read before the visit is remembered: the tab shows once what changed since the last one.
    context = _demande_context(request, dossier, AvisDemandeForm())
    services.demande_marquer_vue(dossier=dossier, instructeur=request.instructeur)
    return render(request, "instruction/dossier/demande.html", context)


def _demande_context(request, dossier, avis_form) -> dict:
    return _dossier_context(
        request,
        dossier,
        active_tab="demande",
        lignes=selectors.liens_visibles(request.instructeur, selectors.demande(dossier)),
        traitements=selectors.traitements(dossier),
        avis_list=selectors.avis_du_dossier(dossier),
        avis_form=avis_form,
        can_demander_avis=not dossier.is_termine and not services.est_supprime_pour_administration(dossier),
    )


@require_POST
@instructeur_required
def suivre(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
    services.dossier_suivre(dossier=dossier, instructeur=request.instructeur)
    flash.success(request, f"Vous suivez désormais le dossier n° {dossier.pk}.")
    return _back(request, dossier)


@require_POST
@instructeur_required
def ne_plus_suivre(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
    services.dossier_ne_plus_suivre(dossier=dossier, instructeur=request.instructeur)
    flash.success(request, f"Vous ne suivez plus le dossier n° {dossier.pk}.")
    return _back(request, dossier)


def _simple_transition(name: str, done: str):
    """A POST-only view applying a transition that takes no input; the state machine decides."""

    @require_POST
    @instructeur_required
    def view(request, procedure_id, pk):
        dossier = _dossier(request, procedure_id, pk)
        try:
            getattr(transitions, name)(dossier=dossier, instructeur=request.instructeur)
        except ValidationError as error:
            flash.error(request, " ".join(error.messages))
        else:
            flash.success(request, done)
        return redirect(_dossier_url(dossier))

    view.__name__ = name
    return view


passer_en_instruction = _simple_transition(
    "passer_en_instruction", "Le dossier est passé en instruction : le demandeur ne peut plus le modifier."
)
repasser_en_construction = _simple_transition(
    "repasser_en_construction", "Le dossier est repassé en construction : le demandeur peut de nouveau le modifier."
)
def _archive_action(service, done: str):
    @require_POST
    @instructeur_required
    def view(request, procedure_id, pk):
        dossier = _dossier(request, procedure_id, pk)
        try:
            service(dossier=dossier, instructeur=request.instructeur)
        except ValidationError as error:
            flash.error(request, " ".join(error.messages))
        else:
            flash.success(request, done)
        return redirect(_dossier_url(dossier))

    view.__name__ = service.__name__
    return view


archiver = _archive_action(
    services.dossier_archiver, "Le dossier est archivé : il n'apparaît plus que dans l'onglet « archivés » et sa messagerie est fermée."
)
desarchiver = _archive_action(services.dossier_desarchiver, "Le dossier a été désarchivé.")

repasser_en_instruction = _simple_transition(
    "repasser_en_instruction", "Le dossier est repassé en instruction : la décision a été annulée."
)


@require_http_methods(["GET", "POST"])
@instructeur_required
def decision(request, procedure_id, pk, action):
    """The decision form: opened in a modal on the dossier page, or as this page without JavaScript."""
    decision = DECISIONS.get(action)
    if decision is None:
        raise Http404("Décision inconnue")
    dossier = _dossier(request, procedure_id, pk)
    if not transitions.can_terminer(dossier, request.user):
        flash.error(request, f"Le dossier est « {dossier.get_state_display()} » : cette décision n'est pas possible.")
        return redirect(_dossier_url(dossier))
    if request.method == "POST":
        form = _decision_form(decision, request.POST, request.FILES)
        if form.is_valid():
            try:
                getattr(transitions, decision.transition)(
                    dossier=dossier,
                    instructeur=request.instructeur,
                    motivation=form.cleaned_data["motivation"],
                    justificatif=form.cleaned_data["justificatif"] or None,
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    flash.error(request, " ".join(error.messages))
                    return redirect(_dossier_url(dossier))
                form.add_service_error(error)
            else:
                flash.success(request, decision.done)
                return redirect(_dossier_url(dossier))
    else:
        form = _decision_form(decision)
    return render(
        request,
        "instruction/dossier/decision.html",
        {"dossier": dossier, "procedure": dossier.procedure, "decision": decision, "form": form},
    )


@require_http_methods(["GET", "POST"])
@instructeur_required
def demander_avis(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
    if request.method == "GET":
        return redirect(_dossier_url(dossier, "#avis"))
    form = AvisDemandeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            avis_list = services.avis_demander_plusieurs(
                dossier=dossier,
                instructeur=request.instructeur,
                expert_emails=form.cleaned_data["expert_email"],
                introduction=form.cleaned_data["introduction"],
                question_label=form.cleaned_data["question_label"],
                confidentiel=form.cleaned_data["confidentiel"],
                introduction_file=form.cleaned_data["introduction_file"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            destinataires = ", ".join(avis.expert.user.email for avis in avis_list)
            flash.success(request, f"Votre demande d'avis a été envoyée à {destinataires}.")
            return redirect(_dossier_url(dossier, "#avis"))
    return render(request, "instruction/dossier/demande.html", _demande_context(request, dossier, form))


# --- supprimer le dossier pour l'administration, restaurer ------------------------------------------


@require_http_methods(["GET", "POST"])
@instructeur_required
def supprimer(request, procedure_id, pk):
    """« Supprimer le dossier »: confirmed in a dialog of the dossier page, or on this page without JavaScript."""
    dossier = _dossier(request, procedure_id, pk, meme_supprime=True)
    if not services.can_supprimer_pour_administration(request.instructeur, dossier):
        if services.est_supprime_pour_administration(dossier):
            flash.info(request, "Ce dossier est déjà supprimé pour l'administration.")
        else:
            flash.error(
                request,
                f"Le dossier est « {dossier.get_state_display()} » : seul un dossier traité (accepté, refusé ou "
                "classé sans suite) peut être supprimé.",
            )
        return redirect(_dossier_url(dossier))
    if request.method == "GET":
        return render(
            request, "instruction/dossier/supprimer.html",
            {"dossier": dossier, "procedure": dossier.procedure, "delai_jours": SUPPRESSION_RESTAURABLE_DELAI.days},
        )
    try:
        services.dossier_supprimer_pour_administration(dossier=dossier, instructeur=request.instructeur)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(_dossier_url(dossier))
    flash.success(
        request,
        f"Le dossier n° {dossier.pk} a été supprimé pour l'administration. Vous pouvez le restaurer depuis l'onglet "
        f"« supprimés récemment » pendant {SUPPRESSION_RESTAURABLE_DELAI.days} jours.",
    )
    return redirect(reverse("instruction:procedure", args=[dossier.procedure_id]) + "?statut=traites")


@require_POST
@instructeur_required
def restaurer(request, procedure_id, pk):
    """« Restaurer »: the dossier comes back to the lists of the administration."""
    dossier = _dossier(request, procedure_id, pk, meme_supprime=True)
    try:
        services.dossier_restaurer_pour_administration(dossier=dossier, instructeur=request.instructeur)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(request, f"Le dossier n° {dossier.pk} a été restauré : il est de nouveau dans vos listes.")
    return _back(request, dossier)


# --- demander une correction ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@instructeur_required
def demander_correction(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
    if not transitions.can_demander_correction(dossier, request.user):
        flash.error(request, "Une correction ne peut pas être demandée sur ce dossier : il est traité, ou une correction est déjà en attente.")
        return redirect(_dossier_url(dossier))
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transitions.repasser_en_construction_avec_correction(
                dossier=dossier, instructeur=request.instructeur,
                message=form.cleaned_data["message"], reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                flash.error(request, " ".join(error.messages))
                return redirect(_dossier_url(dossier))
            form.add_service_error(error)
        else:
            flash.success(request, "La demande de correction a été envoyée : le dossier est repassé en construction.")
            return redirect(_dossier_url(dossier))
    return render(request, "instruction/dossier/correction.html", {"dossier": dossier, "procedure": dossier.procedure, "form": form})


@require_POST
@login_required
def correction_effectuee(request, pk):
    """The usager's « Correction effectuée » (banner of his dossier page)."""
    dossier = get_object_or_404(Dossier.objects.select_related("procedure"), pk=pk)
    if not can_view_as_usager(request.user, dossier):
        raise Http404("Dossier introuvable")
    if not request.POST.get("correction_effectuee"):
        flash.error(request, "Cochez « Correction effectuée » pour signaler votre correction.")
    else:
        try:
            services.correction_effectuer(dossier=dossier, user=request.user)
        except PermissionDenied:
            flash.error(request, "Ce dossier ne peut plus être modifié.")
        else:
            flash.success(request, "Merci : l'administration est informée que vous avez corrigé votre dossier.")
    return redirect("dossiers:show", dossier.pk)


# --- personnes impliquées -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@instructeur_required
def personnes(request, procedure_id, pk):
    """Followers, experts asked, and « Envoyer à un instructeur »."""
    dossier = _dossier(request, procedure_id, pk)
    error = ""
    if request.method == "POST":
        try:
            follow = services.dossier_envoyer_a_instructeur(
                dossier=dossier, instructeur=request.instructeur, destinataire_id=request.POST.get("destinataire")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            flash.success(request, f"Le dossier a été envoyé à {follow.instructeur.user.email}, qui le suit désormais.")
            return redirect("instruction:personnes", dossier.procedure_id, dossier.pk)
    context = _dossier_context(
        request, dossier, active_tab="personnes",
        suiveurs=selectors.suiveurs(dossier), avis_list=selectors.avis_du_dossier(dossier),
        collegues=selectors.collegues_a_qui_envoyer(dossier, request.instructeur), envoi_error=error,
    )
    return render(request, "instruction/dossier/personnes.html", context)


# --- instructeur: labels ---------------------------------------------------------------------------


@require_POST
@instructeur_required
def labels(request, procedure_id, pk):
    """« Enregistrer les labels »: exactly the ticked labels on the dossier."""
    dossier = _dossier(request, procedure_id, pk)
    services.dossier_labels_definir(dossier=dossier, instructeur=request.instructeur, label_ids=request.POST.getlist("labels"))
    flash.success(request, "Les labels du dossier ont été mis à jour.")
    return _back(request, dossier)


@require_POST
@instructeur_required
def label_creer(request, procedure_id, pk):
    """« Créer un label »: a new label of the démarche, put on this dossier at once."""
    dossier = _dossier(request, procedure_id, pk)
    try:
        label = services.label_creer(
            procedure=dossier.procedure, instructeur=request.instructeur,
            name=request.POST.get("name", ""), color=request.POST.get("color", ""),
        )
    except ValidationError as error:
        flash.error(request, "Le label n'a pas été créé : " + " ".join(error.messages))
    else:
        ids = [lbl.pk for lbl in selectors.labels_du_dossier(dossier)] + [label.pk]
        services.dossier_labels_definir(dossier=dossier, instructeur=request.instructeur, label_ids=ids)
        flash.success(request, f"Le label « {label.name} » a été créé et ajouté au dossier.")
    return _back(request, dossier)


# --- instructeur: annotations privées ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@instructeur_required
def annotations(request, procedure_id, pk):
    """The instructeur-only form: written by the followers of the dossier, read by the other instructeurs.

    Attachments are uploaded on their own (views_annotations); without JavaScript, the files chosen
    arrive with « Sauvegarder ». Adding or removing a repetition block's row posts here too."""
    from .views_annotations import fichiers_postes

    dossier = _dossier(request, procedure_id, pk)
    can_edit = services.can_edit_annotations(request.instructeur, dossier)
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not can_edit:
            flash.error(request, "Suivez le dossier pour modifier ses annotations privées.")
            return redirect("instruction:annotations", dossier.procedure_id, dossier.pk)
        try:
            errors = services.annotations_enregistrer(dossier=dossier, instructeur=request.instructeur, posted=request.POST)
            errors.update(fichiers_postes(request, dossier))
        except PermissionDenied:
            raise Http404("Dossier introuvable") from None
        if request.htmx:
            return render(request, "instruction/dossier/_annotations_statut.html", {
                "errors": errors, "now": timezone.now(), "masques": visibilite.masques_annotations_du_dossier(dossier),
                # A row added or removed: the block is sent again out of band (fields' repetitions_oob).
                "dossier": dossier, "widgets": annotation_widgets(dossier, selectors.annotations_du_dossier(dossier))
                if {"repetition-ajouter", "repetition-supprimer"} & set(request.POST) else [],
            })
        if not errors:
            flash.success(request, "Les annotations privées ont été sauvegardées.")
            return redirect("instruction:annotations", dossier.procedure_id, dossier.pk)
    return annotations_page(request, dossier, errors, can_edit=can_edit)


def annotations_page(request, dossier, errors: dict[int, str], *, can_edit: bool):
    widgets = annotation_widgets(dossier, selectors.annotations_du_dossier(dossier), errors)
    context = _dossier_context(
        request, dossier, active_tab="annotations", widgets=widgets, can_edit=can_edit, errors=errors,
        masques=visibilite.masques_annotations_du_dossier(dossier),
        # File inputs are uploaded on their own, never with the autosave.
        file_params=",".join(widget.file_name for widget in widgets if widget.accepts_files),
        piece_max_size=settings.PIECE_JUSTIFICATIVE_MAX_SIZE,
    )
    return render(request, "instruction/dossier/annotations.html", context)


# --- instructeur: messagerie and downloads -----------------------------------------------------


@require_http_methods(["GET", "POST"])
@instructeur_required
def messagerie(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk, meme_supprime=True)  # refused below with a message
    if request.method == "POST" and dossier.archived:
        flash.error(request, "Le dossier est archivé : sa messagerie est fermée.")
        return redirect("instruction:messagerie", dossier.procedure_id, dossier.pk)
    if request.method == "POST" and services.est_supprime_pour_administration(dossier):
        flash.error(request, "Le dossier a été supprimé pour l'administration : restaurez-le pour écrire au demandeur.")
        return redirect("instruction:messagerie", dossier.procedure_id, dossier.pk)
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                dossier_services.message_envoyer(
                    dossier=dossier,
                    user=request.user,
                    body=form.cleaned_data["body"],
                    piece_jointe=form.cleaned_data["piece_jointe"] or None,
                    instructeur=request.instructeur,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                flash.success(request, "Votre message a été envoyé au demandeur.")
                return redirect("instruction:messagerie", dossier.procedure_id, dossier.pk)
    else:
        form = MessageForm()
    services.messagerie_marquer_lue(dossier=dossier, instructeur=request.instructeur)
    context = _dossier_context(request, dossier, active_tab="messagerie", commentaires=selectors.messages(dossier), form=form)
    return render(request, "instruction/dossier/messagerie.html", context)


@require_GET
@instructeur_required
def piece(request, procedure_id, pk, piece_id):
    dossier = _dossier(request, procedure_id, pk)
    piece = get_object_or_404(PieceJointe, pk=piece_id, champ__dossier=dossier)
    return file_response(piece.file, piece.filename)


@require_GET
@instructeur_required
def justificatif(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
    return file_response(dossier.justificatif_motivation)


@require_GET
@instructeur_required
def message_piece_jointe(request, procedure_id, pk, commentaire_id):
    dossier = _dossier(request, procedure_id, pk)
    commentaire = get_object_or_404(Commentaire, pk=commentaire_id, dossier=dossier)
    return file_response(commentaire.piece_jointe, commentaire.piece_jointe_filename or None)


# --- expert ------------------------------------------------------------------------------------


@require_GET
@expert_required
def avis(request):
    tab = request.GET.get("statut", "a-donner")
    if tab not in ("a-donner", "donnes"):
        tab = "a-donner"
    procedures = selectors.avis_procedures(request.expert)
    procedure = next((p for p in procedures if str(p["dossier__procedure_id"]) == request.GET.get("procedure")), None)
    procedure_id = procedure["dossier__procedure_id"] if procedure else None
    counters = selectors.avis_compteurs(request.expert, procedure_id)
    page = CountedPaginator(
        selectors.avis_de_l_expert(request.expert, tab, procedure_id), PAGE_SIZE, count=counters[tab]
    ).get_page(request.GET.get("page"))
    tabs = [{"tab": t, "count": counters[t.key], "selected": t.key == tab} for t in selectors.AVIS_TABS]
    current = next(t for t in selectors.AVIS_TABS if t.key == tab)
    return render(
        request,
        "instruction/avis/list.html",
        {
            "tabs": tabs, "current": current, "page": page, "procedures": procedures, "procedure": procedure,
            "filter_query": f"&procedure={procedure_id}" if procedure_id else "",
        },
    )


def _avis(request, avis_id):
    avis = selectors.avis_pour_expert(request.expert, avis_id)
    if avis is None:
        raise Http404("Avis introuvable")
    return avis


@require_http_methods(["GET", "POST"])
@expert_required
def avis_detail(request, avis_id):
    avis = _avis(request, avis_id)
    if request.method == "POST":
        form = AvisReponseForm(request.POST, request.FILES, avis=avis)
        if form.is_valid():
            try:
                services.avis_donner(
                    avis=avis,
                    expert=request.expert,
                    answer=form.cleaned_data["answer"],
                    question_answer=form.cleaned_data.get("question_answer"),
                    piece_justificative=form.cleaned_data["piece_justificative"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                flash.success(request, "Votre avis a été transmis à l'instructeur.")
                return redirect("instruction:avis_detail", avis.pk)
    else:
        initial_answer = {True: "oui", False: "non"}.get(avis.question_answer)
        form = AvisReponseForm(initial={"answer": avis.answer, "question_answer": initial_answer}, avis=avis)
    return render(
        request,
        "instruction/avis/detail.html",
        {
            "avis": avis,
            "dossier": avis.dossier,
            "procedure": avis.dossier.procedure,
            "lignes": selectors.demande(avis.dossier),
            "avis_partages": selectors.avis_partages(avis),
            "form": form,
            "can_answer": not avis.dossier.is_termine,
        },
    )


@require_GET
@expert_required
def avis_piece(request, avis_id, piece_id):
    avis = _avis(request, avis_id)
    piece = get_object_or_404(PieceJointe, pk=piece_id, champ__dossier_id=avis.dossier_id)
    return file_response(piece.file, piece.filename)
