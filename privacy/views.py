"""The privacy page for parents (public, no account): what we keep, why, who sees it, how long, rights.

The text itself lives in one template per language (templates/public/privacy/<lang>.html): it is
prose that is written and checked for readability as a whole, not sentence by sentence. A school
can be given with ?school=<id>; its name, address and contact are public already (they are on
every letter and agreement)."""
from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from lending.models import AgreementTerms
from portal.languages import family_language, language_choices
from portal.models import School


def _years_or_months(months: int) -> dict:
    return {"years": months // 12} if months % 12 == 0 else {"months": months}


@require_safe
def public_privacy(request):
    language = family_language(request.GET.get("lang"))
    school = None
    if str(request.GET.get("school", "")).isdigit():
        school = School.objects.filter(pk=int(request.GET["school"])).first()
    terms = AgreementTerms.objects.filter(school=school).order_by("-version").first() if school else None
    context = {
        "language": language, "languages": language_choices(), "school": school, "terms": terms,
        "retention": _years_or_months(settings.RETENTION_MONTHS),
        "evidence": _years_or_months(settings.SIGNATURE_EVIDENCE_MONTHS),
        "text_template": f"public/privacy/{language}.html",
    }
    with translation.override(language):
        response = render(request, "public/privacy.html", context)
    response["Content-Language"] = language
    return response
