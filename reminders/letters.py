"""Reminders on paper: one printable PDF of the letters for families without e-mail or phone.

The nightly job marks a paper family's reminder "to print"; the coordinator prints the batch (a
safe GET, as often as the printer needs) and then marks exactly that batch as handed out (a POST
carrying the highest reminder number printed, so letters planned meanwhile stay in the queue).
Letters go home with the pupil, so each one names the child and class for the person who hands
them out; the text itself is the same as the e-mail, in the family's language.
"""
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from households.models import InternetCode, Pupil
from lending.models import Agreement, Loan
from portal import audit
from portal.documents import html_to_pdf
from portal.jobs import JobRefused, Outcome
from portal.languages import text_direction
from portal.models import AuditEvent

from .models import Reminder
from .texts import contacts_by_school, render_reminder, subject_ids

MAX_LETTERS = 200  # about ten seconds of rendering on a worker; more waits for the next batch


def letters_to_print(school):
    return Reminder.objects.filter(school=school, status=Reminder.Status.PAPER)


def next_batch(school) -> tuple[list[Reminder], int]:
    """(the first MAX_LETTERS letters to print, how many wait in all)."""
    queue = letters_to_print(school)
    batch = list(queue.select_related("school", "household").order_by("pk")[:MAX_LETTERS])
    return batch, queue.count() if len(batch) == MAX_LETTERS else len(batch)


def _addressees(batch) -> dict[int, list[Pupil]]:
    """The pupils each letter is about, in three queries for the whole batch."""
    loans = Loan.objects.filter(pk__in=subject_ids(batch, "loan")).select_related("pupil").in_bulk()
    agreements = Agreement.objects.filter(pk__in=subject_ids(batch, "agreement")).select_related("loan__pupil").in_bulk()
    by_household: dict[int, list[Pupil]] = {}
    household_ids = {reminder.household_id for reminder in batch if reminder.household_id}
    for pupil in Pupil.objects.filter(household_id__in=household_ids, active=True).order_by("first_name"):
        by_household.setdefault(pupil.household_id, []).append(pupil)
    addressees = {}
    for reminder in batch:
        if reminder.subject_type == "loan" and reminder.subject_id in loans:
            pupils = [loans[reminder.subject_id].pupil]
        elif reminder.subject_type == "agreement" and reminder.subject_id in agreements:
            pupils = [agreements[reminder.subject_id].loan.pupil]
        else:
            pupils = by_household.get(reminder.household_id, [])
        addressees[reminder.pk] = [pupil for pupil in pupils if pupil is not None]
    return addressees


def _details(batch, school) -> dict[int, dict]:
    contact = contacts_by_school([school.pk]).get(school.pk, {})
    due = dict(Loan.objects.filter(pk__in=subject_ids(batch, "loan")).values_list("pk", "due_on"))
    codes = InternetCode.objects.filter(pk__in=subject_ids(batch, "internetcode")).only("valid_until", "extended_until")
    ends = {code.pk: code.expires_on for code in codes}
    return {reminder.pk: {"contact": contact, "due_on": due.get(reminder.subject_id),
                          "expires_on": ends.get(reminder.subject_id)} for reminder in batch}


def render_letters_pdf(school, batch: list[Reminder]) -> bytes:
    addressees, details = _addressees(batch), _details(batch, school)
    letters = []
    for reminder in batch:
        subject, body = render_reminder(reminder, details=details[reminder.pk])
        with translation.override(reminder.language):
            letters.append({"subject": subject, "paragraphs": [p for p in body.split("\n\n") if p.strip()],
                            "pupils": addressees[reminder.pk], "language": reminder.language,
                            "dir": text_direction(reminder.language),
                            "for_parents": render_to_string("pdf/_letter_for_parents.txt",
                                                            {"pupils": addressees[reminder.pk]}).strip()})
    html = render_to_string("pdf/reminder_letters.html", {
        "school": school, "letters": letters, "today": timezone.localdate()})
    return html_to_pdf(html)


def letters_make(job, progress) -> Outcome:
    """The PDF of the next batch of letters, made by a worker (reminders/tasks.py). Printing changes
    nothing: the letters are marked as handed out on the letters page, up to the last one printed."""
    batch, _waiting = next_batch(job.school)
    if not batch:
        raise JobRefused(gettext("There are no reminder letters to print."))
    pdf = render_letters_pdf(job.school, batch)
    return Outcome(file=pdf, filename=f"reminder-letters-{job.school.instellingsnummer}.pdf",
                   message=ngettext("%(count)d letter.", "%(count)d letters.", len(batch)) % {"count": len(batch)},
                   extra={"upto": batch[-1].pk})


def mark_handed_out(*, school, upto: int, actor) -> int:
    """Letters up to ``upto`` printed and given to the pupils; a second click finds none left."""
    now = timezone.now()
    count = letters_to_print(school).filter(pk__lte=upto).update(status=Reminder.Status.SENT, sent_at=now)
    if count:
        audit.record(actor=actor, action=AuditEvent.Action.REMINDER_LETTERS_HANDED_OUT, instance=school, school=school,
                     after={"letters": count, "up_to_reminder": upto})
    return count
