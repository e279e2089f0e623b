from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageFromCookieMiddleware:
    """Dutch unless someone chose another language; the browser's Accept-Language is ignored
    because staff in Flanders expect the portal in Dutch whatever their browser is set to."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Cookie",))
        return response
