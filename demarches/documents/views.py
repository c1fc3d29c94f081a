"""Downloads of documents (usager, instructeur, expert), the administrateur's attestation editor and
the public verification page.

Every download is decided by documents.policies and served by core.files.file_response; whoever
may not see a dossier gets a 404, so the existence of a dossier is never revealed.
"""

import posixpath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from demarches.accounts.context_processors import available_profiles
from demarches.core.files import file_response
from demarches.instruction.models import Avis
from demarches.procedures import selectors as procedure_selectors

from . import balises, pdfs, policies, selectors, services
from .forms import AttestationTemplateForm, VerificationForm
from .models import Attestation, AttestationKind, code_normaliser
from .verification import faits


def _pdf(content: bytes, filename: str, *, inline: bool = False):
    response = file_response(ContentFile(content, name=filename), filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    return response


def _stored(document):
    response = file_response(document.file, document.filename)
    response["Cache-Control"] = "private, no-store"
    return response


# --- usager --------------------------------------------------------------------------------------


def _dossier_usager(request, pk):
    dossier = selectors.dossier_complet(pk)
    if dossier is None or not policies.can_download_as_usager(request.user, dossier):
        raise Http404("Dossier introuvable")
    return dossier


@require_GET
@login_required
def dossier_pdf(request, pk):
    dossier = _dossier_usager(request, pk)
    return _pdf(pdfs.dossier_pdf(dossier, lecteur="usager"), f"dossier-{dossier.pk}.pdf")


@require_GET
@login_required
def accuse_depot(request, pk):
    dossier = _dossier_usager(request, pk)
    accuse = services.accuse_depot_a_telecharger(dossier)
    if accuse is None:
        raise Http404("Accusé de dépôt introuvable")
    return _stored(accuse)


def _attestation(dossier):
    attestation = services.attestation_a_telecharger(dossier)
    if attestation is None:
        raise Http404("Aucune attestation n'a été délivrée pour ce dossier")
    return _stored(attestation)


@require_GET
@login_required
def attestation(request, pk):
    return _attestation(_dossier_usager(request, pk))


# --- instructeur and expert ---------------------------------------------------------------------------


def _dossier_instructeur(request, procedure_id, pk):
    dossier = selectors.dossier_complet(pk)
    if dossier is None or dossier.procedure_id != procedure_id:
        raise Http404("Dossier introuvable")
    if not policies.can_download_as_instructeur(request.user, dossier):
        raise Http404("Dossier introuvable")
    return dossier


@require_GET
@login_required
def dossier_pdf_instructeur(request, procedure_id, pk):
    dossier = _dossier_instructeur(request, procedure_id, pk)
    content = pdfs.dossier_pdf(
        dossier, lecteur="instructeur",
        avec_annotations=request.GET.get("annotations") == "1", avec_avis=request.GET.get("avis") == "1",
    )
    return _pdf(content, f"dossier-{dossier.pk}.pdf")


@require_GET
@login_required
def attestation_instructeur(request, procedure_id, pk):
    return _attestation(_dossier_instructeur(request, procedure_id, pk))


@require_GET
@login_required
def dossier_pdf_expert(request, avis_id):
    avis = (
        Avis.objects.select_related("dossier__procedure__service", "dossier__revision", "dossier__user")
        .filter(pk=avis_id)
        .first()
    )
    if avis is None or not policies.can_download_as_expert(request.user, avis):
        raise Http404("Avis introuvable")
    return _pdf(pdfs.dossier_pdf(avis.dossier, lecteur="expert"), f"dossier-{avis.dossier_id}.pdf")


# --- administrateur: attestation templates ------------------------------------------------------


def _nom_image(field_file, prefix: str) -> str:
    name = posixpath.basename(field_file.name or "")
    return name[len(prefix):] if name.startswith(prefix) else name


def _kind(kind: str) -> AttestationKind:
    return AttestationKind(kind)


@require_http_methods(["GET", "POST"])
@login_required
def attestation_modele(request, procedure_id, kind):
    procedure = procedure_selectors.procedure_administree(request.user, procedure_id)
    kind = _kind(kind)
    template = selectors.attestation_modele(procedure, kind)
    if request.method == "POST":
        form = AttestationTemplateForm(request.POST, request.FILES, kind=kind)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.attestation_modele_enregistrer(
                    procedure=procedure, administrateur=request.user.administrateur, kind=kind,
                    activated=data["activated"], title=data["title"], body=data["body"], footer=data["footer"],
                    logo=data["logo"] or None, supprimer_logo=data["supprimer_logo"],
                    signature=data["signature"] or None, supprimer_signature=data["supprimer_signature"],
                    qr_code=data["qr_code"],
                )
            except ValidationError as error:
                form.service_errors(error)
            else:
                state = "activée" if data["activated"] else "enregistrée, mais pas activée"
                messages.success(request, f"L'{kind.label} est {state}. L'aperçu montre la version enregistrée.")
                return redirect(request.path)
    else:
        form = AttestationTemplateForm(
            initial={"activated": template.activated, "title": template.title, "body": template.body,
                     "footer": template.footer, "qr_code": template.qr_code},
            kind=kind,
        )
    apercu_name = "documents:attestation_apercu" if kind == AttestationKind.ACCEPTATION else "documents:attestation_apercu_refus"
    return render(
        request,
        "documents/attestation_modele.html",
        {
            "procedure": procedure,
            "template": template,
            "kind": kind,
            "form": form,
            # The header's profile switcher knows the administrateur's pages by their namespace; this one is ours.
            "current_profile": next((p for p in available_profiles(request.user) if p["key"] == "administrateur"), None),
            "balises_fixes": balises.FIXED,
            "balises_champs": balises.balises_de_champs(procedure),
            "apercu_url": reverse(apercu_name, args=[procedure.pk]),
            "logo_nom": _nom_image(template.logo, "logo-"),
            "signature_nom": _nom_image(template.signature, "signature-"),
            "onglets": [
                {"label": "Acceptation", "url": reverse("documents:attestation_modele", args=[procedure.pk]),
                 "current": kind == AttestationKind.ACCEPTATION},
                {"label": "Refus", "url": reverse("documents:attestation_modele_refus", args=[procedure.pk]),
                 "current": kind == AttestationKind.REFUS},
            ],
        },
    )


@require_GET
@login_required
def attestation_apercu(request, procedure_id, kind):
    procedure = procedure_selectors.procedure_administree(request.user, procedure_id)
    template = selectors.attestation_modele(procedure, _kind(kind))
    return _pdf(pdfs.attestation_apercu_pdf(template), f"apercu-attestation-{kind}-demarche-{procedure.pk}.pdf", inline=True)


# --- public verification ----------------------------------------------------------------------------


def _verification_page(request, template, context, status=200):
    response = render(request, template, {"application_name": settings.APPLICATION_NAME, **context}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def verifier_formulaire(request):
    form = VerificationForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = code_normaliser(form.cleaned_data["code"])
        if code:
            return redirect("documents:verifier", code=code)
        form.add_error(
            "code", "Ce code n'a pas le bon format : il compte 16 lettres et chiffres, par exemple 7KQ2-M9XD-4TPA-HW3C."
        )
    return _verification_page(request, "documents/verifier_formulaire.html", {"form": form})


@require_GET
def verifier(request, code):
    document = selectors.document_par_code(code)
    if document is None:
        return _verification_page(
            request, "documents/verifier_inconnu.html", {"code": code[:40], "form": VerificationForm()}, status=404
        )
    if document.code != code:
        return redirect("documents:verifier", code=document.code)
    context = {
        "document": document,
        "faits": faits(document),
        "revoked_at": document.revoked_at if isinstance(document, Attestation) else None,
    }
    return _verification_page(request, "documents/verifier.html", context)
