"""The words of each reminder, for sending, printing and the coordinator's preview.

One template per kind (templates/emails/reminder_<kind>.txt); its first line is the subject. The
context holds what a family needs to act (the due date, where to bring the device, whom to ask),
never a token or a code: only their hashes are stored, and a reminder is no second copy of a secret.
"""
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils import timezone, translation

from lending.models import AgreementTerms

from . import digest
from .models import Reminder

COORDINATOR_NOTE = "emails/reminder_coordinator.txt"


def template_for(reminder: Reminder) -> str:
    if reminder.kind == Reminder.Kind.COORDINATOR_DIGEST:
        return "emails/reminder_coordinator_digest.txt"
    if reminder.channel == Reminder.Channel.COORDINATOR:
        return COORDINATOR_NOTE
    return f"emails/reminder_{reminder.kind}.txt"


def subject_ids(batch, subject_type: str) -> list[int]:
    return [reminder.subject_id for reminder in batch if reminder.subject_type == subject_type]


def contacts_by_school(school_ids) -> dict[int, dict]:
    """The contact person of each school's current terms, in one query (the newest version wins)."""
    contacts = {}
    for terms in AgreementTerms.objects.filter(school_id__in=school_ids).order_by("school_id", "version"):
        contacts[terms.school_id] = {"name": terms.contact_name, "phone": terms.contact_phone,
                                     "email": terms.contact_email}
    return contacts


def _render(template: str, context: dict, language: str) -> tuple[str, str]:
    with translation.override(language):
        text = render_to_string(template, context)
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def render_reminder(reminder: Reminder, *, details: dict, language: str | None = None):
    """(subject, body) in ``language`` (default: the reminder's). ``details`` holds what the caller
    read for a whole batch: the contact person, and the due date or the code's end. None for a
    digest with nothing left to tell (all handled between the plan at night and the send)."""
    context = {"reminder": reminder, "school": reminder.school, "step": reminder.step, "contact": {}, **details}
    if reminder.kind == Reminder.Kind.COORDINATOR_DIGEST:
        context["digest"] = digest.digest_for(reminder.school, digest.day_of(reminder.step))
        if not digest.has_news(context["digest"]):
            return None
    language = language or reminder.language
    with translation.override(language):
        context["kind"] = reminder.get_kind_display()
    return _render(template_for(reminder), context, language)


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


def preview(school, kind: str, step: int, channel: str, language: str, contact: dict | None = None):
    """(subject, body) as it would be sent today, with example dates; nothing is saved."""
    today = timezone.localdate()
    if contact is None:
        contact = contacts_by_school([school.pk]).get(school.pk, {})
    sample = Reminder(kind=kind, step=step, channel=channel, language=language, school=school,
                      subject_type="preview", subject_id=0)
    if kind == Reminder.Kind.COORDINATOR_DIGEST:
        sample.step = digest.step_for(today)
        return render_reminder(sample, details={}) or _empty_digest_preview(sample, today)
    if kind == Reminder.Kind.RETURN_DUE:
        due_on = today + timedelta(days=14) if step == 1 else today
    else:
        due_on = today - timedelta(days=7 * step)  # overdue: a week per step
    return render_reminder(sample, details={"due_on": due_on, "expires_on": today + timedelta(days=14),
                                            "contact": contact})


def _empty_digest_preview(sample: Reminder, today: date) -> tuple[str, str]:
    """A school with nothing open still sees what the digest looks like (it is not sent then)."""
    empty = {"count": 0, "tags": [], "more": 0}
    context = {"school": sample.school, "digest": {"on": today, "due_soon": empty, "overdue": empty,
                                                   "unsigned": empty, "repairs_too_long": empty, "failing": empty,
                                                   "leavers": empty}}
    return _render(template_for(sample), context, sample.language)
