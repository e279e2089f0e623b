"""Rendering the families' pages (signing, survey): no account, a token in the link.

They speak the family's language, or the one chosen with ?lang=, whatever the staff cookie says,
and they never let the token leave: no caching, no Referer, no log line with the path.
"""
from django.shortcuts import render
from django.utils import translation

from lending.pdf import display_language, language_choices, supported_languages


def family_language(request, preferred: str | None) -> str:
    chosen = request.POST.get("lang") or request.GET.get("lang")
    if chosen in supported_languages():
        return chosen
    return display_language(preferred)


def render_family_page(request, template, context, language, status=200):
    with translation.override(language):
        response = render(request, template, {**context, "language": language, "languages": language_choices()},
                          status=status)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    # The token never leaves in a Referer; "no-referrer" would break CSRF Origin checks.
    response["Referrer-Policy"] = "same-origin"
    if status >= 400:
        # django.request would log "Gone: /s/<token>/" at WARNING: never log tokens.
        response._has_been_logged = True
    return response
