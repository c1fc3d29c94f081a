"""Pages of the prefill (see prefill.py): the documentation of a démarche's prefill format, and
the link of a draft prefilled through the public API, which the usager claims once logged in."""

import json
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from demarches.fields.registry import StoredValue
from demarches.procedures.models import Procedure

from . import prefill, prefill_api
from .models import Champ, Dossier


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
    identite = prefill.documentation_identite(procedure)
    exemple = {champ["parametre"]: _valeur(champ["exemple"]) for champ in champs[:3]}
    exemple.update({row["parametre"]: row["exemple"] for row in identite[1:]})
    query = "&".join(
        f"{key}={quote(item if isinstance(item, str) else json.dumps(item), safe='')}"
        for key, value in exemple.items()
        for item in (value if isinstance(value, list) else [value])
    )
    context = {
        "procedure": procedure,
        "champs": champs,
        "identite": identite,
        "purge_jours": prefill.PURGE_DELAY.days,
        "max_jetons": prefill_api.MAX_TOKENS,
        "commencer_url": commencer_url,
        "exemple_lien": commencer_url + (f"?{query}" if query else ""),
        "api_url": request.build_absolute_uri(reverse("dossiers:prefill_api", args=[procedure.pk])),
        "exemple_json": json.dumps(exemple, ensure_ascii=False, indent=2),
    }
    return render(request, "dossiers/prefill_documentation.html", context)


@require_http_methods(["GET", "POST"])
def reclamer(request, token):
    """/preremplissage/<token>: the draft prefilled through the API. Anyone holding the link sees what
    was prefilled until the draft is claimed; the first logged-in usager to claim it becomes its owner.
    Once claimed, the link leads its owner to the dossier and shows nothing to anybody else."""
    dossier = prefill.dossier_par_jeton(token)
    if dossier is None:
        raise Http404("Lien de préremplissage invalide, ou dossier supprimé")
    procedure = dossier.procedure
    if dossier.user_id is not None:
        if request.user.is_authenticated and dossier.user_id == request.user.pk:
            target = "dossiers:identite" if dossier.state == Dossier.State.BROUILLON else "dossiers:show"
            return redirect(target, pk=dossier.pk)
        return render(request, "dossiers/prefill_reclamer.html", {"deja_repris": True, "procedure": procedure}, status=403)
    ouverte = procedure.accepts_dossiers
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            dossier = prefill.dossier_prerempli_reclamer(dossier=dossier, user=request.user)
        except PermissionDenied:
            return redirect(request.path)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect(request.path)
        messages.success(request, gettext("Le dossier prérempli est maintenant le vôtre : vérifiez les réponses et complétez le formulaire."))
        return redirect("dossiers:identite", pk=dossier.pk)
    lignes = []
    if dossier.nom or dossier.prenom:
        lignes.append({"libelle": "Demandeur", "valeur": " ".join(filter(None, [dossier.civilite, dossier.prenom, dossier.nom]))})
    champs = {champ.stable_id: champ for champ in Champ.objects.filter(dossier=dossier, row_id="")}
    for tdc in prefill.champs_preremplissables(dossier.revision):
        champ = champs.get(tdc.stable_id)
        if champ is not None:
            lignes.append({"libelle": tdc.libelle, "valeur": tdc.field_type.display(StoredValue(champ.value, champ.data))})
    here = request.get_full_path()
    context = {
        "procedure": procedure,
        "dossier": dossier,
        "lignes": lignes,
        "ouverte": ouverte,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': here})}",
    }
    return render(request, "dossiers/prefill_reclamer.html", context)
