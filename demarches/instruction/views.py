"""Pages of the instructor workspace (dashboard, dossier, messagerie, decisions) and of the experts.

Every page requires a logged-in user with the right profile who instructs the démarche (or was
asked the avis); anybody else gets a 404, so that the existence of a dossier is never revealed.
Writes go through services (instruction.services, dossiers.services, dossiers.transitions).
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from demarches.core.files import file_response
from demarches.dossiers import services as dossier_services
from demarches.dossiers import transitions
from demarches.dossiers.models import Commentaire, PieceJointe
from demarches.dossiers.policies import can_view_as_instructeur
from demarches.procedures.models import Procedure
from demarches.procedures.policies import can_instruct

from . import selectors, services
from .forms import AvisDemandeForm, AvisReponseForm, DecisionForm, MessageForm

PAGE_SIZE = 50


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
    procedure = get_object_or_404(Procedure.objects.select_related("service"), pk=procedure_id)
    if not can_instruct(request.user, procedure):
        raise Http404("Démarche introuvable")
    return procedure


def _dossier(request, procedure_id: int, pk: int):
    dossier = selectors.dossier_pour_instructeur(request.instructeur, procedure_id=procedure_id, pk=pk)
    if dossier is None or not can_view_as_instructeur(request.user, dossier):
        raise Http404("Dossier introuvable")
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


@require_GET
@instructeur_required
def procedure(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    tab = request.GET.get("statut", "a-suivre")
    if tab not in selectors.TAB_KEYS:
        tab = "a-suivre"
    counters = selectors.compteurs(request.instructeur, procedure)
    rows = selectors.dossiers_du_tableau(request.instructeur, procedure, tab)
    page = CountedPaginator(rows, PAGE_SIZE, count=counters[tab]).get_page(request.GET.get("page"))
    tabs = [{"tab": t, "count": counters[t.key], "selected": t.key == tab} for t in selectors.TABS]
    current = next(t for t in selectors.TABS if t.key == tab)
    return render(
        request,
        "instruction/procedure.html",
        {"procedure": procedure, "tabs": tabs, "current": current, "page": page},
    )


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
    return {"dossier": dossier, "procedure": dossier.procedure, "decisions": decisions, **guards, **extra}


@require_GET
@instructeur_required
def dossier(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
    services.demande_marquer_vue(dossier=dossier, instructeur=request.instructeur)
    return render(request, "instruction/dossier/demande.html", _demande_context(request, dossier, AvisDemandeForm()))


def _demande_context(request, dossier, avis_form) -> dict:
    return _dossier_context(
        request,
        dossier,
        active_tab="demande",
        lignes=selectors.demande(dossier),
        traitements=selectors.traitements(dossier),
        avis_list=selectors.avis_du_dossier(dossier),
        avis_form=avis_form,
        can_demander_avis=not dossier.is_termine,
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
    form = AvisDemandeForm(request.POST)
    if form.is_valid():
        try:
            avis = services.avis_demander(
                dossier=dossier,
                instructeur=request.instructeur,
                expert_email=form.cleaned_data["expert_email"],
                introduction=form.cleaned_data["introduction"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            flash.success(request, f"Votre demande d'avis a été envoyée à {avis.expert.user.email}.")
            return redirect(_dossier_url(dossier, "#avis"))
    return render(request, "instruction/dossier/demande.html", _demande_context(request, dossier, form))


# --- instructeur: messagerie and downloads -----------------------------------------------------


@require_http_methods(["GET", "POST"])
@instructeur_required
def messagerie(request, procedure_id, pk):
    dossier = _dossier(request, procedure_id, pk)
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
    counters = selectors.avis_compteurs(request.expert)
    page = CountedPaginator(selectors.avis_de_l_expert(request.expert, tab), PAGE_SIZE, count=counters[tab]).get_page(
        request.GET.get("page")
    )
    tabs = [{"tab": t, "count": counters[t.key], "selected": t.key == tab} for t in selectors.AVIS_TABS]
    current = next(t for t in selectors.AVIS_TABS if t.key == tab)
    return render(request, "instruction/avis/list.html", {"tabs": tabs, "current": current, "page": page})


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
        form = AvisReponseForm(request.POST)
        if form.is_valid():
            try:
                services.avis_donner(avis=avis, expert=request.expert, answer=form.cleaned_data["answer"])
            except ValidationError as error:
                form.add_service_error(error)
            else:
                flash.success(request, "Votre avis a été transmis à l'instructeur.")
                return redirect("instruction:avis_detail", avis.pk)
    else:
        form = AvisReponseForm(initial={"answer": avis.answer})
    return render(
        request,
        "instruction/avis/detail.html",
        {
            "avis": avis,
            "dossier": avis.dossier,
            "procedure": avis.dossier.procedure,
            "lignes": selectors.demande(avis.dossier),
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
