"""Sending the reminders the nightly plan recorded: by day only, in batches, each at most once.

A batch of due rows is read at once, with everything it needs (is it still relevant, the
guardians' addresses, dates, the school's contact person, the coordinators) in a fixed number of
queries per batch. Each row is then claimed on its own with a conditional update (pending ->
sending) just before its message leaves, and its final status written right after: two updates
per message, which is what makes two workers or two beats send it once and a crash lose at most
the one message in flight. A process killed between sending and recording leaves that row in
"sending"; after an hour it goes back to "pending" and is sent again, with the same Message-ID so
the copy is recognisable.
"""
import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone

from households.models import Guardian, Pupil, SurveyInvite
from lending.models import Loan
from portal import messages
from portal.local_days import local_tz
from portal.models import Role

from .models import Reminder
from .plan import live_agreements, live_codes, live_invites
from .texts import contacts_by_school, render_reminder, subject_ids, template_for

logger = logging.getLogger(__name__)

SEND_BATCH = 500
STUCK_AFTER = timedelta(hours=1)


# --- quiet hours ---------------------------------------------------------------------------------

def _send_hours():
    return settings.REMINDERS_SEND_FROM_HOUR, settings.REMINDERS_SEND_UNTIL_HOUR


def is_daytime(now: datetime) -> bool:
    start, end = _send_hours()
    return start <= timezone.localtime(now, local_tz()).hour < end


def next_send_time(now: datetime) -> datetime:
    """``now`` during the day; otherwise the next ``REMINDERS_SEND_FROM_HOUR`` in Brussels."""
    if is_daytime(now):
        return now
    start, _end = _send_hours()
    local = timezone.localtime(now, local_tz())
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    return datetime.combine(day, time(hour=start), tzinfo=local_tz())


# --- what a batch needs, read once ---------------------------------------------------------------

@dataclass
class BatchFacts:
    relevant: set = field(default_factory=set)  # (subject_type, subject_id) still worth a message
    details: dict = field(default_factory=dict)  # (subject_type, subject_id) -> due_on / expires_on
    guardians: dict = field(default_factory=dict)  # household_id -> [messages.Contact]
    contacts: dict = field(default_factory=dict)  # school_id -> contact person of the current terms
    coordinators: dict = field(default_factory=dict)  # school_id -> {language: [emails]}
    failing: set = field(default_factory=set)  # (channel, address) that bounced or were refused


def _relevant_subjects(batch, facts: BatchFacts) -> None:
    """The family may have signed, returned or answered between the plan and the send."""
    unsigned = live_agreements().filter(pk__in=subject_ids(batch, "agreement"))
    facts.relevant |= {("agreement", pk) for pk in unsigned.values_list("pk", flat=True)}
    for pk, due_on in Loan.objects.filter(pk__in=subject_ids(batch, "loan"), status=Loan.Status.ACTIVE
                                          ).values_list("pk", "due_on"):
        facts.relevant.add(("loan", pk))
        facts.details[("loan", pk)] = {"due_on": due_on}
    codes = live_codes().filter(pk__in=subject_ids(batch, "internetcode")).only(
        "valid_until", "extended_until", "activated_at")
    for code in codes:
        facts.relevant.add(("internetcode", code.pk))
        facts.details[("internetcode", code.pk)] = {"expires_on": code.expires_on, "activated": code.activated_at}
    open_invites = live_invites().filter(pk__in=subject_ids(batch, "surveyinvite"))
    facts.relevant |= {("surveyinvite", pk) for pk in open_invites.values_list("pk", flat=True)}
    # The digest itself says when nothing is left to tell (it is then skipped).
    facts.relevant |= {("school", pk) for pk in subject_ids(batch, "school")}


def _batch_facts(batch: list[Reminder]) -> BatchFacts:
    facts = BatchFacts()
    _relevant_subjects(batch, facts)
    households = {r.household_id for r in batch if r.household_id}
    accounts = {}  # household_id -> the first active pupil's number (its Smartschool account)
    for household_id, number in (Pupil.objects.filter(household_id__in=households, active=True).exclude(internal_number="")
                                 .order_by("-pk").values_list("household_id", "internal_number")):
        accounts[household_id] = number
    for household_id, email, phone, coaccount in (
            Guardian.objects.filter(household_id__in=households).order_by("pk")
            .values_list("household_id", "email", "phone", "smartschool_coaccount")):
        account = accounts.get(household_id)
        facts.guardians.setdefault(household_id, []).append(messages.Contact(
            email=email, phone=phone, smartschool=f"{account}#{coaccount}" if account and coaccount else ""))
    facts.failing = messages.failing_addresses(contact for found in facts.guardians.values() for contact in found)
    schools = {r.school_id for r in batch}
    facts.contacts = contacts_by_school(schools)
    roles = (Role.objects.filter(kind=Role.Kind.COORDINATOR, school_id__in=schools).exclude(user__email="")
             .order_by("user__email").values_list("school_id", "user__email", "user__preferred_language"))
    for school_id, email, language in roles:
        facts.coordinators.setdefault(school_id, {}).setdefault(language or settings.LANGUAGE_CODE, []).append(email)
    return facts


def _still_relevant(reminder: Reminder, facts: BatchFacts) -> bool:
    key = (reminder.subject_type, reminder.subject_id)
    if key not in facts.relevant:
        return False
    if reminder.kind == Reminder.Kind.CODE_NOT_ACTIVATED:
        return facts.details[key]["activated"] is None
    return True


# --- delivering one reminder ---------------------------------------------------------------------

def _message_id(reminder: Reminder, part: str = "") -> dict:
    """A Message-ID derived from the reminder: if a crash between sending and recording ever makes
    us send it again, mail servers and clients can recognise the copy. The domain is the sender's,
    not the host's, so a copy sent by another worker host is the same."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "uitleenportaal.local"
    return {"Message-ID": f"<reminder-{reminder.pk}{part}@{domain}>"}


def _deliver_to_coordinators(reminder: Reminder, facts: BatchFacts) -> str:
    recipients = facts.coordinators.get(reminder.school_id)
    if not recipients:
        return Reminder.Status.SKIPPED
    for language, to in recipients.items():
        rendered = render_reminder(reminder, language=language, details={})
        if rendered is None:
            return Reminder.Status.SKIPPED  # a digest with nothing left to tell
        subject, body = rendered
        statuses = messages.send_now(messages.Message(
            channel=messages.EMAIL, to=to, subject=subject, body=body, language=language,
            headers=_message_id(reminder, f"-{language}"), purpose=template_for(reminder),
            about=f"reminder:{reminder.pk}", school_id=reminder.school_id))
        if not messages.reached(statuses):
            return Reminder.Status.SKIPPED
    return Reminder.Status.SENT


def _deliver(reminder: Reminder, facts: BatchFacts) -> str:
    """Send one claimed reminder; returns its final status."""
    if reminder.channel == Reminder.Channel.PAPER:
        return Reminder.Status.PAPER
    if reminder.channel == Reminder.Channel.COORDINATOR:
        return _deliver_to_coordinators(reminder, facts)
    contacts = facts.guardians.get(reminder.household_id, [])
    if reminder.household is None:
        return Reminder.Status.SKIPPED
    details = {**facts.details.get((reminder.subject_type, reminder.subject_id), {}),
               "contact": facts.contacts.get(reminder.school_id, {})}
    subject, body = render_reminder(reminder, details=details)
    # The household's channel, then its fallbacks (addresses that bounced are left out); a channel
    # whose provider refused passes the reminder on to the next one, and paper comes last.
    for channel in messages.channels_in_order(reminder.household, contacts, facts.failing):
        statuses = messages.send_now(messages.Message(
            channel=channel, to=messages.addresses(contacts, channel, facts.failing),
            subject=subject if channel != messages.SMS else "", body=body, language=reminder.language,
            headers=_message_id(reminder) if channel == messages.EMAIL else {}, purpose=template_for(reminder),
            about=f"reminder:{reminder.pk}", household_id=reminder.household_id, school_id=reminder.school_id))
        if messages.reached(statuses):
            return Reminder.Status.SENT
        if "unconfirmed" in statuses:
            return Reminder.Status.UNCONFIRMED  # it may have arrived: never sent a second time
    return Reminder.Status.PAPER  # nobody reachable, refused, or only logged: a letter instead


# --- the run -------------------------------------------------------------------------------------

def release_stuck(*, now: datetime) -> int:
    """A row claimed more than an hour ago by a process that died goes back to pending."""
    return Reminder.objects.filter(
        status=Reminder.Status.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).update(status=Reminder.Status.PENDING, claimed_at=None)


def _due_batch(now: datetime, size: int) -> list[Reminder]:
    return list(Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now)
                .select_related("school", "household__school").order_by("due_at", "pk")[:size])


def _claim(reminder: Reminder, now: datetime) -> bool:
    """Only the process whose update flips the row sends it (another worker may hold the same batch)."""
    return Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.SENDING, claimed_at=now) == 1


def _finish(reminder: Reminder, status: str, now: datetime) -> None:
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=status, sent_at=now if status == Reminder.Status.SENT else None)
    if status == Reminder.Status.SENT and reminder.subject_type == "surveyinvite":
        SurveyInvite.objects.filter(pk=reminder.subject_id).update(reminded_at=now)


def send_pending(*, now: datetime, limit: int = 5000) -> int:
    """Send up to ``limit`` due reminders, a batch at a time; nothing at night. Returns how many
    were handled (sent, to print or skipped)."""
    release_stuck(now=now)
    if not is_daytime(now):
        return 0
    handled = 0
    while handled < limit:
        batch = _due_batch(now, min(SEND_BATCH, limit - handled))
        if not batch:
            break
        facts = _batch_facts(batch)
        failed = 0
        for reminder in batch:
            if not _claim(reminder, now):
                continue  # another run took it
            try:
                status = _deliver(reminder, facts) if _still_relevant(reminder, facts) else Reminder.Status.SKIPPED
            except Exception:
                # Left in "sending": release_stuck() hands it to a run an hour from now.
                logger.exception("Reminder could not be sent", extra={"reminder_id": reminder.pk})
                failed += 1
                continue
            _finish(reminder, status, now)
            handled += 1
        if failed and failed == len(batch):
            break  # the mail server or gateway is down: leave the rest for the next run
    return handled
