"""Nightly reminders: friendly, in the family's language, never sent twice.

Two steps, both safe to rerun:

* ``create_due_reminders`` plans what is due on a date and inserts one ``Reminder`` row per
  (kind, subject, step) with ``bulk_create(ignore_conflicts=True)``: the unique constraint is the
  idempotency record, so a second run (or beat firing twice) creates nothing new.
* ``send_pending`` claims each due row with a conditional update (pending -> sending) and sends it.
  A process killed between claim and send leaves the row in "sending"; a row stuck there for more
  than an hour goes back to "pending" and the next run sends it (at-least-once for that rare crash,
  exactly-once otherwise).

Quiet hours: household messages never leave at night. A reminder planned at 02:00 gets
``due_at`` = 08:00 Europe/Brussels (``REMINDERS_SEND_FROM_HOUR``), and ``send_pending`` sends
nothing outside ``REMINDERS_SEND_FROM_HOUR``..``REMINDERS_SEND_UNTIL_HOUR`` local time.

Each step has a window (e.g. an unsigned agreement gets step 1 from day 3 to day 9), so a night the
job did not run is caught up the next night, and a subject never gets two steps in one night.
Reminders carry no signing link or code: only hashes of tokens are stored, and a reminder should
never be a second copy of a secret.
"""
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from households.models import Guardian, InternetCode, SurveyInvite
from portal.models import Role

from .models import Agreement, Loan, Reminder
from .sms import send_sms

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
STUCK_AFTER = timedelta(hours=1)

# Windows in days (inclusive lower, exclusive upper) per step.
AGREEMENT_STEPS = [(1, 3, 10), (2, 10, 14), (3, 14, 45)]  # step 3: note to the coordinator
COORDINATOR_STEPS = {(Reminder.Kind.AGREEMENT_UNSIGNED, 3), (Reminder.Kind.OVERDUE, 4)}
OVERDUE_HOUSEHOLD_WEEKS = 3
OVERDUE_LOOKBACK_DAYS = 365
CODE_EXPIRING_DAYS = 14
CODE_NOT_ACTIVATED = (14, 45)
SURVEY_UNANSWERED = (7, 45)


@dataclass(frozen=True)
class Planned:
    kind: str
    subject_type: str
    subject_id: int
    step: int
    household: object  # Household or None
    school: object

    @property
    def to_coordinator(self) -> bool:
        return (self.kind, self.step) in COORDINATOR_STEPS


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=_tz())


def _batches(queryset, size=None):
    """Yield lists of rows in pk order, one query per batch of at most ``size`` rows."""
    size = size or BATCH_SIZE
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = batch[-1].pk


def _days_between(earlier: datetime, on: date) -> int:
    return (on - timezone.localtime(earlier, _tz()).date()).days


# --- planning ------------------------------------------------------------------------------------


def _plan_agreements(on):
    oldest = _local_midnight(on - timedelta(days=AGREEMENT_STEPS[-1][2] - 1))
    newest = _local_midnight(on - timedelta(days=AGREEMENT_STEPS[0][1] - 1))
    qs = Agreement.objects.filter(
        status__in=[Agreement.Status.SENT, Agreement.Status.QUESTION],
        loan__pupil__household__isnull=False,
        created_at__gte=oldest,
        created_at__lt=newest,
    ).select_related("loan__pupil__household", "loan__device__school")
    for batch in _batches(qs):
        for agreement in batch:
            age = _days_between(agreement.created_at, on)
            for step, low, high in AGREEMENT_STEPS:
                if low <= age < high:
                    yield Planned(Reminder.Kind.AGREEMENT_UNSIGNED, "agreement", agreement.pk, step,
                                  agreement.loan.pupil.household, agreement.loan.device.school)


def _plan_loans(on):
    qs = Loan.objects.filter(
        status=Loan.Status.ACTIVE,
        pupil__household__isnull=False,
        due_on__gte=on - timedelta(days=OVERDUE_LOOKBACK_DAYS),
        due_on__lte=on + timedelta(days=14),
    ).select_related("pupil__household", "device__school")
    for batch in _batches(qs):
        for loan in batch:
            household, school = loan.pupil.household, loan.device.school
            days_left = (loan.due_on - on).days
            if 0 < days_left <= 14:
                yield Planned(Reminder.Kind.RETURN_DUE, "loan", loan.pk, 1, household, school)
            elif days_left == 0:
                yield Planned(Reminder.Kind.RETURN_DUE, "loan", loan.pk, 2, household, school)
            elif days_left < 0:
                weeks = -days_left // 7
                if 1 <= weeks <= OVERDUE_HOUSEHOLD_WEEKS:
                    yield Planned(Reminder.Kind.OVERDUE, "loan", loan.pk, weeks, household, school)
                elif weeks > OVERDUE_HOUSEHOLD_WEEKS:
                    yield Planned(Reminder.Kind.OVERDUE, "loan", loan.pk, OVERDUE_HOUSEHOLD_WEEKS + 1,
                                  household, school)


def _plan_codes(on):
    issued = InternetCode.objects.filter(issued_at__isnull=False, household__isnull=False)
    expiring = issued.filter(
        Q(extended_until__isnull=False, extended_until__gte=on,
          extended_until__lte=on + timedelta(days=CODE_EXPIRING_DAYS))
        | Q(extended_until__isnull=True, valid_until__gte=on,
            valid_until__lte=on + timedelta(days=CODE_EXPIRING_DAYS))
    ).select_related("household", "school")
    for batch in _batches(expiring):
        for code in batch:
            yield Planned(Reminder.Kind.CODE_EXPIRING, "internetcode", code.pk, 1, code.household, code.school)
    low, high = CODE_NOT_ACTIVATED
    not_activated = issued.filter(
        activated_at__isnull=True,
        issued_at__gte=_local_midnight(on - timedelta(days=high - 1)),
        issued_at__lt=_local_midnight(on - timedelta(days=low - 1)),
    ).select_related("household", "school")
    for batch in _batches(not_activated):
        for code in batch:
            if code.expires_on >= on:
                yield Planned(Reminder.Kind.CODE_NOT_ACTIVATED, "internetcode", code.pk, 1,
                              code.household, code.school)


def _plan_surveys(on):
    low, high = SURVEY_UNANSWERED
    qs = SurveyInvite.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,  # one reminder only, whoever sent it
        sent_at__gte=_local_midnight(on - timedelta(days=high - 1)),
        sent_at__lt=_local_midnight(on - timedelta(days=low - 1)),
        expires_at__gt=_local_midnight(on),
    ).select_related("household", "survey__school")
    for batch in _batches(qs):
        for invite in batch:
            yield Planned(Reminder.Kind.SURVEY_UNANSWERED, "surveyinvite", invite.pk, 1,
                          invite.household, invite.survey.school)


def _planned(on: date):
    for source in (_plan_agreements, _plan_loans, _plan_codes, _plan_surveys):
        yield from source(on)


def plan_reminders(*, on: date) -> list[Planned]:
    """What is due on ``on`` (a local date). Reads only; one query per batch of 1,000 subjects."""
    return list(_planned(on))


def channel_and_language(item: Planned) -> tuple[str, str]:
    if item.to_coordinator:
        return Reminder.Channel.COORDINATOR, settings.LANGUAGE_CODE
    return item.household.contact_channel, item.household.preferred_language


# --- quiet hours ---------------------------------------------------------------------------------


def _send_hours():
    return getattr(settings, "REMINDERS_SEND_FROM_HOUR", 8), getattr(settings, "REMINDERS_SEND_UNTIL_HOUR", 20)


def is_daytime(now: datetime) -> bool:
    start, end = _send_hours()
    return start <= timezone.localtime(now, _tz()).hour < end


def next_send_time(now: datetime) -> datetime:
    """``now`` during the day; otherwise the next ``REMINDERS_SEND_FROM_HOUR`` in Brussels."""
    if is_daytime(now):
        return now
    start, _end = _send_hours()
    local = timezone.localtime(now, _tz())
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    return datetime.combine(day, time(hour=start), tzinfo=_tz())


def create_due_reminders(*, on: date, now: datetime) -> int:
    """Insert the reminders due on ``on``; existing ones are left alone. Returns rows planned."""
    due_at = next_send_time(now)
    rows, planned = [], 0
    # Written per batch while planning, so memory stays one batch whatever the number of loans
    # (a list of all 100,000 due loans took 272 MiB, see bench/RESULTS.md).
    for item in _planned(on):
        channel, language = channel_and_language(item)
        rows.append(Reminder(
            kind=item.kind, subject_type=item.subject_type, subject_id=item.subject_id, step=item.step,
            school=item.school, household=item.household, channel=channel, language=language, due_at=due_at,
        ))
        planned += 1
        if len(rows) == BATCH_SIZE:
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    if rows:
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return planned


# --- sending -------------------------------------------------------------------------------------


def _still_relevant(reminder: Reminder) -> bool:
    """The family may have signed, returned or answered between the plan and the send."""
    if reminder.subject_type == "agreement":
        return Agreement.objects.filter(
            pk=reminder.subject_id, status__in=[Agreement.Status.SENT, Agreement.Status.QUESTION]
        ).exists()
    if reminder.subject_type == "loan":
        return Loan.objects.filter(pk=reminder.subject_id, status=Loan.Status.ACTIVE).exists()
    if reminder.subject_type == "internetcode":
        codes = InternetCode.objects.filter(pk=reminder.subject_id, household__isnull=False)
        if reminder.kind == Reminder.Kind.CODE_NOT_ACTIVATED:
            codes = codes.filter(activated_at__isnull=True)
        return codes.exists()
    if reminder.subject_type == "surveyinvite":
        return SurveyInvite.objects.filter(pk=reminder.subject_id, answered_at__isnull=True).exists()
    return False


def render_reminder(reminder: Reminder) -> tuple[str, str]:
    """(subject, body) in the reminder's language. The template's first line is the subject."""
    template = "emails/reminder_coordinator.txt" if reminder.channel == Reminder.Channel.COORDINATOR \
        else f"emails/reminder_{reminder.kind}.txt"
    with translation.override(reminder.language):
        text = render_to_string(template, {"reminder": reminder, "school": reminder.school,
                                           "step": reminder.step, "kind": reminder.get_kind_display()})
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _send_mail(reminder: Reminder, subject: str, body: str, to: list[str]) -> None:
    # A fixed Message-ID per reminder: a mail sent again after a crash (see send_pending) is
    # recognisably the same message, for the reader's mail program and for us.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "uitleenportaal.local"
    EmailMessage(subject, body, None, to, headers={"Message-ID": f"<reminder-{reminder.pk}@{domain}>"}).send()


def _deliver(reminder: Reminder) -> str:
    """Send one claimed reminder; returns the final status."""
    if reminder.channel == Reminder.Channel.PAPER:
        return Reminder.Status.PAPER
    if reminder.channel == Reminder.Channel.COORDINATOR:
        to = list(Role.objects.filter(kind=Role.Kind.COORDINATOR, school=reminder.school)
                  .exclude(user__email="").values_list("user__email", flat=True))
        if not to:
            return Reminder.Status.SKIPPED
        subject, body = render_reminder(reminder)
        _send_mail(reminder, subject, body, to)
        return Reminder.Status.SENT
    guardians = Guardian.objects.filter(household_id=reminder.household_id).order_by("pk")
    if reminder.channel == Reminder.Channel.SMS:
        phones = [p for p in guardians.values_list("phone", flat=True) if p]
        if not phones:
            return Reminder.Status.SKIPPED
        _subject, body = render_reminder(reminder)
        for phone in phones:
            send_sms(phone, body)
        return Reminder.Status.SENT
    emails = [e for e in guardians.values_list("email", flat=True) if e]
    if not emails:
        return Reminder.Status.SKIPPED
    subject, body = render_reminder(reminder)
    _send_mail(reminder, subject, body, emails)
    return Reminder.Status.SENT


def release_stuck(*, now: datetime) -> int:
    """A row claimed more than an hour ago by a process that died goes back to pending."""
    return Reminder.objects.filter(
        status=Reminder.Status.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).update(status=Reminder.Status.PENDING, claimed_at=None)


def send_pending(*, now: datetime, limit: int = 500) -> int:
    """Send up to ``limit`` due reminders; nothing at night. Returns how many were handled."""
    release_stuck(now=now)
    if not is_daytime(now):
        return 0
    pks = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now)
        .order_by("due_at", "pk").values_list("pk", flat=True)[:limit]
    )
    handled = 0
    for pk in pks:
        claimed = Reminder.objects.filter(pk=pk, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.SENDING, claimed_at=now
        )
        if claimed != 1:
            continue  # another run took it
        reminder = Reminder.objects.select_related("school", "household").get(pk=pk)
        try:
            status = _deliver(reminder) if _still_relevant(reminder) else Reminder.Status.SKIPPED
        except Exception:
            # Left in "sending": release_stuck() hands it to a run an hour from now.
            logger.exception("Reminder could not be sent", extra={"reminder_id": pk})
            continue
        Reminder.objects.filter(pk=pk, status=Reminder.Status.SENDING).update(
            status=status, sent_at=now if status == Reminder.Status.SENT else None
        )
        if status == Reminder.Status.SENT and reminder.subject_type == "surveyinvite":
            SurveyInvite.objects.filter(pk=reminder.subject_id).update(reminded_at=now)
        handled += 1
    return handled
