"""Rendering the families' pages (signing, survey, privacy): no account, a token in the link.

They speak the family's language, or the one chosen with ?lang=, whatever the staff cookie says,
and they never let the token leave: no caching, no Referer, no log line with the path.
"""
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from .languages import chosen_language, family_language, language_choices


def family_page_language(request, preferred: str | None) -> str:
    return chosen_language(request.POST.get("lang") or request.GET.get("lang"), preferred)


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


def privacy_url(base_url: str, *, language: str | None = None, school_id: int | None = None) -> str:
    """The privacy page's address, printed on letters and linked from every family page."""
    query = {"lang": family_language(language)}
    if school_id:
        query["school"] = school_id
    return base_url.rstrip("/") + reverse("public_privacy") + "?" + urlencode(query)
