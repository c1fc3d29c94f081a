"""The "connexion sécurisée" pages: waiting for the e-mailed link, and the link itself."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import appareils

BACKEND = "demarches.accounts.backends.LockingAuthenticationBackend"


def _safe_next(value: str) -> str:
    return value if value.startswith("/") and not value.startswith("//") else ""


@login_required
@require_http_methods(["GET", "POST"])
def verification_appareil(request):
    next_url = _safe_next(request.GET.get("next", "") or request.POST.get("next", ""))
    if not appareils.verification_requise_pour(request):
        return redirect(next_url or "home")
    if appareils.lien_recemment_envoye(request.user):
        if request.method == "POST":
            messages.warning(
                request,
                "Un lien vous a été envoyé il y a moins de 15 minutes. Patientez avant d'en demander un autre, "
                "et pensez à regarder dans vos courriers indésirables.",
            )
    else:
        appareils.lien_envoyer(request.user, next_url=next_url)
        if request.method == "POST":
            messages.success(request, "Un nouveau lien vient de vous être envoyé.")
    if request.method == "POST":
        return redirect(request.get_full_path())
    return render(
        request,
        "account/verification_appareil.html",
        {"next": next_url, "trust_days": appareils.trust_duration().days},
    )


def connexion_securisee(request, secret: str):
    jeton = appareils.jeton_utiliser(secret)
    if jeton is None:
        return render(request, "account/connexion_securisee_invalide.html", status=410)
    if request.user.is_authenticated and request.user.pk != jeton.user_id:
        return render(request, "account/connexion_securisee_invalide.html", {"autre_compte": True}, status=403)
    if not request.user.is_authenticated:
        # The link proves the agent controls the mailbox of the account, as a password-reset link does.
        login(request, jeton.user, backend=BACKEND)
    request.session[appareils.SESSION_KEY] = jeton.user_id
    messages.success(
        request,
        f"Ce navigateur est maintenant reconnu pour {appareils.trust_duration().days} jours.",
    )
    response = redirect(appareils.lien_suivant(request.GET.get("next", "")) or "home")
    appareils.appareil_marquer(response, jeton)
    return response
