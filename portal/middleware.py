from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .read_limits import CONTROL_CHARACTERS, strip_control_characters


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


class StripControlCharactersMiddleware:
    """Search boxes and filters never see a control character. `?q=%00` would reach PostgreSQL, which
    refuses NUL in text (a 500 on every search page), and a barcode scanner may send a group separator
    (0x1D) inside a tag. Stripped here once, for every query string, rather than in each view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(value) for value in values)
               for key, values in request.GET.lists()):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(strip_control_characters(key), [strip_control_characters(value) for value in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
