"""The words of each reminder, for sending, printing and the coordinator's preview.

One template per kind (templates/emails/reminder_<kind>.txt); its first line is the subject. The
context holds what a family needs to act (the due date, where to bring the device, whom to ask),
never a token or a code: only their hashes are stored, and a reminder is no second copy of a secret.
"""
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils import timezone, translation

from households.models import InternetCode

from . import digest
from .models import AgreementTerms, Loan, Reminder

COORDINATOR_NOTE = "emails/reminder_coordinator.txt"


def template_for(reminder: Reminder) -> str:
    if reminder.kind == Reminder.Kind.COORDINATOR_DIGEST:
        return "emails/reminder_coordinator_digest.txt"
    if reminder.channel == Reminder.Channel.COORDINATOR:
        return COORDINATOR_NOTE
    return f"emails/reminder_{reminder.kind}.txt"


def contact_for(school) -> dict:
    terms = AgreementTerms.objects.filter(school=school).order_by("-version").first()
    if terms is None:
        return {}
    return {"name": terms.contact_name, "phone": terms.contact_phone, "email": terms.contact_email}


def subject_details(reminder: Reminder) -> dict:
    """The dates a family needs: when the device goes back, when the code stops."""
    if reminder.subject_type == "loan":
        due_on = Loan.objects.filter(pk=reminder.subject_id).values_list("due_on", flat=True).first()
        return {"due_on": due_on}
    if reminder.subject_type == "internetcode":
        code = InternetCode.objects.filter(pk=reminder.subject_id).only("valid_until", "extended_until").first()
        return {"expires_on": code.expires_on if code else None}
    return {}


def render_reminder(reminder: Reminder, *, language: str | None = None, details: dict | None = None):
    """(subject, body) in ``language`` (default: the reminder's). None for a digest with nothing
    left to tell (everything was handled between the plan at night and the send in the morning)."""
    details = subject_details(reminder) if details is None else details
    context = {"reminder": reminder, "school": reminder.school, "step": reminder.step, **details}
    if "contact" not in context:
        context["contact"] = contact_for(reminder.school)
    if reminder.kind == Reminder.Kind.COORDINATOR_DIGEST:
        context["digest"] = digest.digest_for(reminder.school, digest.day_of(reminder.step))
        if not digest.has_news(context["digest"]):
            return None
    with translation.override(language or reminder.language):
        context["kind"] = reminder.get_kind_display()
        text = render_to_string(template_for(reminder), context)
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


# --- previews for the coordinator ----------------------------------------------------------------

# Every (kind, step, channel) a family or coordinator can receive, in the order they happen.
PREVIEWS = [
    (Reminder.Kind.AGREEMENT_UNSIGNED, 1, Reminder.Channel.EMAIL),
    (Reminder.Kind.AGREEMENT_UNSIGNED, 3, Reminder.Channel.COORDINATOR),
    (Reminder.Kind.RETURN_DUE, 1, Reminder.Channel.EMAIL),
    (Reminder.Kind.RETURN_DUE, 2, Reminder.Channel.EMAIL),
    (Reminder.Kind.OVERDUE, 1, Reminder.Channel.EMAIL),
    (Reminder.Kind.OVERDUE, 4, Reminder.Channel.COORDINATOR),
    (Reminder.Kind.CODE_EXPIRING, 1, Reminder.Channel.EMAIL),
    (Reminder.Kind.CODE_NOT_ACTIVATED, 1, Reminder.Channel.EMAIL),
    (Reminder.Kind.SURVEY_UNANSWERED, 1, Reminder.Channel.EMAIL),
    (Reminder.Kind.COORDINATOR_DIGEST, 1, Reminder.Channel.COORDINATOR),
]


def preview(school, kind: str, step: int, channel: str, language: str) -> tuple[str, str]:
    """The text as it would be sent today, with example dates; nothing is saved."""
    today = timezone.localdate()
    sample = Reminder(kind=kind, step=step, channel=channel, language=language, school=school,
                      subject_type="preview", subject_id=0)
    if kind == Reminder.Kind.COORDINATOR_DIGEST:
        sample.step = digest.step_for(today)
        rendered = render_reminder(sample)
        if rendered is not None:
            return rendered
        return _empty_digest_preview(sample, today)
    if kind == Reminder.Kind.RETURN_DUE:
        due_on = today + timedelta(days=14) if step == 1 else today
    else:
        due_on = today - timedelta(days=7 * step)  # overdue: a week per step
    return render_reminder(sample, details={"due_on": due_on, "expires_on": today + timedelta(days=14)})


def _empty_digest_preview(sample: Reminder, today: date) -> tuple[str, str]:
    """A school with nothing open still sees what the digest looks like (it is not sent then)."""
    empty = {"count": 0, "tags": [], "more": 0}
    context = {"school": sample.school, "digest": {"on": today, "due_soon": empty, "overdue": empty,
                                                   "unsigned": empty, "repairs_too_long": empty}}
    with translation.override(sample.language):
        text = render_to_string(template_for(sample), context)
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"
