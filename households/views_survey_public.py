"""The families' survey page: no account, the token in the link is the key.

One page, in the family's language (or the one chosen with ?lang=). Expired, used or unknown links
get a friendly page that changes nothing.
"""
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from lending.pdf import display_language, language_choices, supported_languages

from . import survey
from .forms_families import SurveyAnswerForm
from .models import SurveyAnswer

PROBLEM_STATUS = {"unknown": 404, "expired": 410, "used": 200}


def _language(request, invite) -> str:
    chosen = request.POST.get("lang") or request.GET.get("lang")
    if chosen in supported_languages():
        return chosen
    return display_language(invite.household.preferred_language if invite else None)


def _render(request, template, context, language, status=200):
    with translation.override(language):
        response = render(request, template, {**context, "language": language, "languages": language_choices()},
                          status=status)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    if status >= 400:
        response._has_been_logged = True  # django.request would log the path, which holds the token
    return response


@never_cache
def public_survey(request, token):
    found = survey.lookup(token)
    invite = found.invite
    language = _language(request, invite)
    if found.state != "ok":
        return _render(request, "public/survey_problem.html", {"state": found.state, "invite": invite}, language,
                       status=PROBLEM_STATUS[found.state])
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey.answer_record(invite=invite, data=form.cleaned_data, answered_by=SurveyAnswer.AnsweredBy.FAMILY,
                                 method=SurveyAnswer.Method.ONLINE, language=language)
        except survey.SurveyError:
            return _render(request, "public/survey_problem.html", {"state": "used", "invite": invite}, language)
        return _render(request, "public/survey_thanks.html", {"invite": invite}, language)
    return _render(request, "public/survey.html", {"form": form, "invite": invite,
                                                   "school": invite.survey.school}, language)
