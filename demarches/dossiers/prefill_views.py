"""Pages of the prefill (see prefill.py): the documentation of a démarche's prefill format, and
the link of a draft prefilled through the public API, which the usager claims once logged in."""

import json
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from demarches.procedures.models import Procedure

from . import prefill, services


def _valeur(example: str):
    """A documented example as sent to the API: lists and objects as JSON, anything else as text."""
    try:
        value = json.loads(example)
    except ValueError:
        return example
    return value if isinstance(value, (list, dict)) else example


@require_GET
def documentation(request, procedure_id):
    procedure = get_object_or_404(Procedure.objects.select_related("service"), pk=procedure_id)
    if not prefill.can_voir_documentation(request.user, procedure):
        raise Http404("Démarche introuvable")
    champs = prefill.documentation(procedure)
    commencer_url = ""
    if procedure.path:
        commencer_url = request.build_absolute_uri(reverse("dossiers:commencer", kwargs={"path": procedure.path}))
    exemple = {champ["parametre"]: _valeur(champ["exemple"]) for champ in champs[:3]}
    query = "&".join(
        f"{key}={quote(item if isinstance(item, str) else json.dumps(item), safe='')}"
        for key, value in exemple.items()
        for item in (value if isinstance(value, list) else [value])
    )
    context = {
        "procedure": procedure,
        "champs": champs,
        "commencer_url": commencer_url,
        "exemple_lien": commencer_url + (f"?{query}" if query else ""),
        "api_url": request.build_absolute_uri(reverse("dossiers:prefill_api", args=[procedure.pk])),
        "exemple_json": json.dumps(exemple, ensure_ascii=False, indent=2),
    }
    return render(request, "dossiers/prefill_documentation.html", context)


@require_http_methods(["GET", "POST"])
def reclamer(request, token):
    """/preremplissage/<token>: the draft prepared through the API, created for the logged-in usager."""
    try:
        procedure_id, valeurs = prefill.jeton_lire(token)
    except signing.SignatureExpired:
        return render(request, "dossiers/prefill_reclamer.html", {"expire": True}, status=410)
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise Http404("Lien de préremplissage invalide") from None
    procedure = get_object_or_404(Procedure.objects.select_related("service"), pk=procedure_id)
    types = {tdc.stable_id: tdc for tdc in prefill.champs_preremplissables(procedure.active_revision)}
    lignes = []
    for stable_id, raw in valeurs.items():
        tdc = types.get(stable_id)
        if tdc is None:
            continue
        try:
            stored = tdc.field_type.parse_champ(raw, options=tdc.options or {}, previous=None)
        except ValidationError:
            continue
        lignes.append({"libelle": tdc.libelle, "valeur": tdc.field_type.display(stored)})
    ouverte = prefill.can_preremplir(procedure)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not ouverte:
            messages.error(request, "Cette démarche n'accepte plus de nouveaux dossiers.")
            return redirect(request.path)
        try:
            dossier = services.dossier_creer(procedure=procedure, user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect(request.path)
        filled = prefill.dossier_preremplir(dossier=dossier, user=request.user, valeurs=valeurs)
        pluriel = "s" if filled > 1 else ""
        messages.success(
            request,
            f"Votre dossier a été créé avec {filled} champ{pluriel} prérempli{pluriel} : "
            "vérifiez-les et complétez le formulaire.",
        )
        return redirect("dossiers:identite", pk=dossier.pk)
    here = request.get_full_path()
    context = {
        "procedure": procedure,
        "lignes": lignes,
        "ouverte": ouverte,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': here})}",
    }
    return render(request, "dossiers/prefill_reclamer.html", context)
