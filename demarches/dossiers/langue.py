"""The FR/EN switch of the interface.

The language is the one the usager chose with the switch in the header (Django's set_language view
stores it in the language cookie); French otherwise. Unlike django.middleware.locale.LocaleMiddleware,
the browser's Accept-Language is not followed: the platform is French first, and a page must not change
language by itself.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def langue_de_la_requete(request) -> str:
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class LangueMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = langue_de_la_requete(request)
        translation.activate(code)
        request.LANGUAGE_CODE = code
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        if not getattr(response, "sans_langue", False):
            patch_vary_headers(response, ("Cookie",))
            response.headers.setdefault("Content-Language", code)
        return response
