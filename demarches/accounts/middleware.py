from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import appareils


class VerificationAppareilMiddleware:
    """Agents reach their pages only from a browser confirmed through a "connexion sécurisée" link."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if appareils.verification_requise(request):
            return redirect(reverse("verification_appareil") + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
