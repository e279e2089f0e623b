"""The families' survey page: no account, the token in the link is the key.

One page, in the family's language (or the one chosen with ?lang=). Expired, used or unknown links
get a friendly page that changes nothing.
"""
from django.views.decorators.cache import never_cache

from portal.public_pages import family_page_language
from portal.public_pages import render_family_page as _render

from . import survey
from .forms_families import SurveyAnswerForm
from .models import SurveyAnswer

PROBLEM_STATUS = {"unknown": 404, "expired": 410, "used": 200}


@never_cache
def public_survey(request, token):
    found = survey.lookup(token)
    invite = found.invite
    language = family_page_language(request, invite.household.preferred_language if invite else None)
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
