"""The needs survey: invite every family of chosen grades or classes, read their answers, set flags.

Links follow the agreement links' rules (portal/tokens.py): a 256-bit random token goes to the
family, only its SHA-256 is stored, the link expires, and a used, expired or unknown link gets a
friendly page that changes nothing.
"""
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal import audit, messages
from portal.documents import htmls_to_pdf, qr_data_uri
from portal.jobs import JobRefused, Outcome
from portal.languages import household_language
from portal.models import AuditEvent
from portal.public_pages import privacy_url
from portal.tokens import hash_token, new_token, token_state

from .models import Household, Pupil, Survey, SurveyAnswer, SurveyInvite

logger = logging.getLogger(__name__)

LINK_DAYS = 30
ACCESS_FROM_COMPUTER = {
    SurveyAnswer.Computer.YES: Household.Access.YES,
    SurveyAnswer.Computer.SHARED: Household.Access.SHARED,
    SurveyAnswer.Computer.NO: Household.Access.NONE,
}
ACCESS_FROM_INTERNET = {
    SurveyAnswer.Internet.GOOD: Household.Access.YES,
    SurveyAnswer.Internet.WEAK: Household.Access.SHARED,
    SurveyAnswer.Internet.NO: Household.Access.NONE,
}


class SurveyError(Exception):
    pass


def selected_pupils(survey: Survey):
    """The active pupils of the survey's grades or classes."""
    selection = Q(pk__in=[])
    if survey.grades:
        selection |= Q(grade__in=survey.grades)
    if survey.class_names:
        selection |= Q(class_name__in=survey.class_names)
    return Pupil.objects.filter(selection, school=survey.school, active=True)


def survey_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("public_survey", args=[token])


def survey_create(*, school, title: str, grades: list[int], class_names: list[str], channel: str, by,
                  base_url: str) -> Survey:
    """Create the survey and one invite per household; e-mail and SMS go out after commit.

    Families without the chosen channel's address get a paper letter (printed from the survey page).
    """
    with transaction.atomic():
        survey = Survey.objects.create(school=school, title=title, grades=sorted(grades),
                                       class_names=sorted(class_names), created_by=by)
        households = Household.objects.filter(
            school=school, pk__in=selected_pupils(survey).values("household_id")
        ).select_related("school").prefetch_related("guardians", "pupils")
        now = timezone.now()
        outgoing = []
        invites = []
        for household in households:
            guardians = messages.contacts_of(household)
            token = new_token()
            invite = SurveyInvite(survey=survey, household=household, token_hash=hash_token(token),
                                  channel=messages.reachable_channel(
                                      household, guardians, None if channel == "household" else channel),
                                  expires_at=now + timedelta(days=LINK_DAYS))
            if invite.channel != Household.Channel.PAPER:
                invite.sent_at = now
                outgoing.append((invite, household, guardians, token))
            invites.append(invite)
        SurveyInvite.objects.bulk_create(invites)
        audit.record(actor=by, action=AuditEvent.Action.SURVEY_CREATED, instance=survey, school=school,
                     after={"title": title, "grades": survey.grades, "classes": survey.class_names,
                            "invites": len(invites)})
        for invite, household, guardians, token in outgoing:
            _queue_message(invite, household, guardians, survey_url(base_url, token))
    return survey


def _queue_message(invite, household, guardians, url):
    messages.notify_household(
        household=household, contacts=guardians, channel=invite.channel,
        subject=gettext_lazy("A short question from the school: computer and internet at home"),
        email_template="households/survey_message_email.html", template="households/survey_message_sms.html",
        context={"school": invite.survey.school, "url": url, "household": household}, about=f"surveyinvite:{invite.pk}")


# --- paper letters: made by a worker (households/tasks.py), downloaded from the documents page ---------

LETTERS_PER_PART = 20  # laid out this many at a time, so the progress bar moves while WeasyPrint works


def paper_invites(survey: Survey):
    return (SurveyInvite.objects.filter(survey=survey, channel=Household.Channel.PAPER, answered_at__isnull=True)
            .select_related("household").order_by("household__name", "pk"))


def letter_page(survey: Survey, household, url: str, base_url: str) -> str:
    language = household_language(household)
    with translation.override(language):
        return render_to_string("pdf/survey_letter_page.html", {
            "household": household, "url": url, "school": survey.school, "language": language,
            "qr": qr_data_uri(url), "privacy_url": privacy_url(base_url, language=language, school_id=survey.school_id)})


def letters_make(job, progress) -> Outcome:
    """The letters of a survey's unanswered paper invites, each with a new link. The new links are
    written only together with the stored PDF: a render that fails or dies half-way changes no link,
    so the letters printed before keep working; once stored, those older letters stop working."""
    survey = Survey.objects.select_related("school").filter(pk=job.params["survey_id"], school=job.school).first()
    if survey is None:
        raise JobRefused(_("This survey no longer exists."))
    invites = list(paper_invites(survey))
    if not invites:
        raise JobRefused(_("No family is waiting for a paper letter."))
    base_url = job.params["base_url"]
    links, pages = [], []
    for invite in invites:
        token = new_token()
        links.append((invite.pk, invite.token_hash, hash_token(token)))
        pages.append(letter_page(survey, invite.household, survey_url(base_url, token), base_url))
    # The document's language for screen readers: the letters' own when they share one; each letter
    # also carries its lang and dir.
    languages = {household_language(invite.household) for invite in invites}
    pages_language = languages.pop() if len(languages) == 1 else "nl"
    parts = [render_to_string("pdf/survey_letter.html", {
        "pages": pages[start:start + LETTERS_PER_PART], "survey": survey, "pages_language": pages_language})
        for start in range(0, len(pages), LETTERS_PER_PART)]
    pdf = htmls_to_pdf(parts, progress=lambda done, _total: progress(min(done * LETTERS_PER_PART, len(pages)),
                                                                       len(pages)))

    def commit_links() -> str:
        now = timezone.now()
        committed = 0
        for pk, old_hash, new_hash in links:
            # Answered meanwhile, or given another link by someone else: that family's letter stays unused.
            committed += SurveyInvite.objects.filter(pk=pk, token_hash=old_hash, answered_at__isnull=True).update(
                token_hash=new_hash, sent_at=now, expires_at=now + timedelta(days=LINK_DAYS))
        audit.record(actor=job.created_by, action=AuditEvent.Action.SURVEY_LETTERS_PRINTED, instance=survey,
                     school=survey.school, after={"letters": committed})
        return ngettext("%(count)d letter with a new link. Letters printed before no longer work.",
                        "%(count)d letters with a new link. Letters printed before no longer work.",
                        committed) % {"count": committed}

    return Outcome(file=pdf, filename=f"survey-letters-{survey.pk}.pdf", then=commit_links, replaces_earlier=True)


# --- the link ---------------------------------------------------------------------------------------

@dataclass
class InviteLookup:
    invite: SurveyInvite | None
    state: str  # "ok", "used", "expired" or "unknown"


def lookup(token: str) -> InviteLookup:
    return InviteLookup(*token_state(SurveyInvite.objects.select_related("survey__school", "household"),
                                     token, used_field="answered_at"))


# --- answers ----------------------------------------------------------------------------------------

def answer_record(*, invite: SurveyInvite, data: dict, answered_by: str, method: str, language: str = "",
                  by=None) -> SurveyAnswer:
    """Save the answers once, flag the household's pupils, update the household. Raises SurveyError
    when the invite was already answered (a second tab, a double click)."""
    with transaction.atomic():
        claimed = SurveyInvite.objects.filter(pk=invite.pk, answered_at__isnull=True).update(
            answered_at=timezone.now())
        if not claimed:
            raise SurveyError(_("This survey was already answered."))
        answer = SurveyAnswer.objects.create(
            invite=invite, computer=data["computer"],
            shared_with=data.get("shared_with") if data["computer"] == SurveyAnswer.Computer.SHARED else None,
            internet=data["internet"], wants_device=bool(data["wants_device"]),
            wants_internet=bool(data["wants_internet"]), wants_help=bool(data["wants_help"]),
            language=language[:8], answered_by=answered_by, method=method,
            recorded_by=by if by is not None and by.is_authenticated else None,
        )
        household = invite.household
        before = audit.snapshot(household, fields=["device_at_home", "internet_at_home"])
        household.device_at_home = ACCESS_FROM_COMPUTER[answer.computer]
        household.internet_at_home = ACCESS_FROM_INTERNET[answer.internet]
        household.save(update_fields=["device_at_home", "internet_at_home"])
        pupils = Pupil.objects.filter(household=household, school=invite.survey.school, active=True)
        if answer.needs_device:
            pupils.update(needs_device=True)
        if answer.needs_internet:
            pupils.update(needs_internet=True)
        audit.record(actor=by, action=AuditEvent.Action.SURVEY_ANSWERED, instance=answer, school=invite.survey.school,
                     before=before, after={**audit.snapshot(household, fields=["device_at_home", "internet_at_home"]),
                                           "needs_device": answer.needs_device,
                                           "needs_internet": answer.needs_internet,
                                           "wants_help": answer.wants_help, "method": method})
    return answer


def response_by_class(survey: Survey) -> list[dict]:
    """Per class: families invited, families that answered, and the rate. One query."""
    rows = (selected_pupils(survey).filter(household__survey_invites__survey=survey)
            .values("class_name")
            .annotate(invited=Count("household", distinct=True),
                      answered=Count("household", distinct=True,
                                     filter=Q(household__survey_invites__answered_at__isnull=False)))
            .order_by("class_name"))
    return [{**row, "rate": row["answered"] / row["invited"] if row["invited"] else None} for row in rows]
