"""Which reminders are due on a date: a read-only plan, one query per batch of 1,000 subjects.

Each step has a window (e.g. an unsigned agreement gets step 1 from day 3 to day 9), so a night the
job did not run is caught up the next night, and a subject never gets two steps in one night.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from households.models import InternetCode, Pupil, SurveyInvite
from lending.models import Agreement, Loan
from portal.batching import pk_batches
from portal.languages import household_language
from portal.local_days import local_midnight, local_tz
from portal.models import School
from portal.school_calendar import calendars_for, closed_today

from . import digest
from .models import Reminder

BATCH_SIZE = 1000

# Windows in days (inclusive lower, exclusive upper) per step.
AGREEMENT_STEPS = [(1, 3, 10), (2, 10, 14), (3, 14, 45)]  # step 3: note to the coordinator
COORDINATOR_STEPS = {(Reminder.Kind.AGREEMENT_UNSIGNED, 3), (Reminder.Kind.OVERDUE, 4)}
COORDINATOR_KINDS = {Reminder.Kind.COORDINATOR_DIGEST}
OVERDUE_HOUSEHOLD_WEEKS = 3
OVERDUE_LOOKBACK_DAYS = 365
CODE_EXPIRING_DAYS = 14
CODE_NOT_ACTIVATED = (14, 45)
SURVEY_UNANSWERED = (7, 45)
RETURN_SOON_DAYS = 14
# How far ahead a due date can sit behind a closure: the summer holiday (two months) and a weekend.
LONG_CLOSURE_DAYS = 75


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
        return self.kind in COORDINATOR_KINDS or (self.kind, self.step) in COORDINATOR_STEPS


def _batches(queryset, size=None):
    return pk_batches(queryset, size or BATCH_SIZE)


def _days_between(earlier: datetime, on: date) -> int:
    return (on - timezone.localtime(earlier, local_tz()).date()).days


# --- which subjects are still live ---------------------------------------------------------------
# A reminder is only ever about something still going on: an agreement of an open loan, a device on
# loan, a code or survey of a family that is still at the school and whose data was not erased.


def live_household(prefix: str = "household") -> Q:
    at_school = Pupil.objects.filter(household=OuterRef(f"{prefix}_id" if prefix else "pk"), active=True)
    return Q(**{f"{prefix}__anonymised_at__isnull": True}) & Q(Exists(at_school))


def live_agreements():
    return Agreement.objects.filter(status__in=[Agreement.Status.SENT, Agreement.Status.QUESTION],
                                    loan__status=Loan.Status.ACTIVE)


def live_codes():
    return InternetCode.objects.filter(live_household(), issued_at__isnull=False, household__isnull=False)


def live_invites():
    return SurveyInvite.objects.filter(live_household(), answered_at__isnull=True)


# --- planning ------------------------------------------------------------------------------------


def _plan_agreements(on):
    oldest = local_midnight(on - timedelta(days=AGREEMENT_STEPS[-1][2] - 1))
    newest = local_midnight(on - timedelta(days=AGREEMENT_STEPS[0][1] - 1))
    qs = live_agreements().filter(
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
        due_on__lte=on + timedelta(days=RETURN_SOON_DAYS),
    ).select_related("pupil__household", "device__school")
    for batch in _batches(qs):
        # Nobody is asked to bring a device back to a school that is closed today (a weekend, a
        # holiday): the windows below plan it again on the next open day.
        closed = closed_today({loan.device.school_id for loan in batch}, on)
        for loan in batch:
            household, school = loan.pupil.household, loan.device.school
            if school.pk in closed:
                continue
            days_left = (loan.due_on - on).days
            if 0 < days_left <= RETURN_SOON_DAYS:
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


def _plan_before_long_closures(on):
    """A loan due on the first school day after the summer (or the Christmas or Easter holiday) would
    meet its "back soon" window only while the school is closed, when nobody is asked anything: the
    family gets that reminder on the school's last open day before the closure instead. One query on
    most nights (no loan due in the weeks after the window), one more for those schools' calendars,
    and one per batch of loans when a school closes for long after today."""
    ahead = Loan.objects.filter(
        status=Loan.Status.ACTIVE, pupil__household__isnull=False,
        due_on__gt=on + timedelta(days=RETURN_SOON_DAYS), due_on__lte=on + timedelta(days=LONG_CLOSURE_DAYS))
    school_ids = set(ahead.values_list("device__school", flat=True).distinct())
    if not school_ids:
        return
    reopens = {}
    for school_id, calendar in calendars_for(school_ids, on, on + timedelta(days=LONG_CLOSURE_DAYS)).items():
        if calendar.is_open(on):
            reopens_on = calendar.next_open(on + timedelta(days=1))
            if (reopens_on - on).days > RETURN_SOON_DAYS:
                reopens[school_id] = reopens_on
    if not reopens:
        return
    qs = ahead.filter(device__school__in=list(reopens)).select_related("pupil__household", "device__school")
    for batch in _batches(qs):
        for loan in batch:
            if loan.due_on <= reopens[loan.device.school_id]:
                yield Planned(Reminder.Kind.RETURN_DUE, "loan", loan.pk, 1, loan.pupil.household, loan.device.school)


def _plan_codes(on):
    issued = live_codes()
    expiring = issued.filter(
        Q(extended_until__isnull=False, extended_until__gte=on,
          extended_until__lte=on + timedelta(days=CODE_EXPIRING_DAYS))
        | Q(extended_until__isnull=True, valid_until__gte=on,
            valid_until__lte=on + timedelta(days=CODE_EXPIRING_DAYS))
    ).select_related("household", "school")
    for batch in _batches(expiring):
        for code in batch:
            # The step is the end date, so a code extended later gets a reminder before its new end too.
            yield Planned(Reminder.Kind.CODE_EXPIRING, "internetcode", code.pk, digest.step_for(code.expires_on),
                          code.household, code.school)
    low, high = CODE_NOT_ACTIVATED
    not_activated = issued.filter(
        activated_at__isnull=True,
        issued_at__gte=local_midnight(on - timedelta(days=high - 1)),
        issued_at__lt=local_midnight(on - timedelta(days=low - 1)),
    ).select_related("household", "school")
    for batch in _batches(not_activated):
        for code in batch:
            if code.expires_on >= on:
                yield Planned(Reminder.Kind.CODE_NOT_ACTIVATED, "internetcode", code.pk, 1,
                              code.household, code.school)


def _plan_surveys(on):
    low, high = SURVEY_UNANSWERED
    qs = live_invites().filter(
        reminded_at__isnull=True,  # one reminder only, whoever sent it
        sent_at__gte=local_midnight(on - timedelta(days=high - 1)),
        sent_at__lt=local_midnight(on - timedelta(days=low - 1)),
        expires_at__gt=local_midnight(on),
    ).select_related("household", "survey__school")
    for batch in _batches(qs):
        for invite in batch:
            yield Planned(Reminder.Kind.SURVEY_UNANSWERED, "surveyinvite", invite.pk, 1,
                          invite.household, invite.survey.school)


def _plan_digests(on):
    school_ids = sorted(digest.schools_with_news(on))
    for start in range(0, len(school_ids), BATCH_SIZE):
        for school in School.objects.filter(pk__in=school_ids[start:start + BATCH_SIZE]).order_by("pk"):
            yield Planned(Reminder.Kind.COORDINATOR_DIGEST, "school", school.pk, digest.step_for(on), None, school)


def planned(on: date):
    """What is due on ``on`` (a local date), as a stream: one query per batch of 1,000 subjects."""
    for source in (_plan_agreements, _plan_loans, _plan_before_long_closures, _plan_codes, _plan_surveys,
                   _plan_digests):
        yield from source(on)


def plan_reminders(*, on: date) -> list[Planned]:
    """The whole plan for ``on`` as a list (for the dry run and tests). Reads only."""
    return list(planned(on))


def channel_and_language(item: Planned) -> tuple[str, str]:
    if item.to_coordinator:
        return Reminder.Channel.COORDINATOR, settings.LANGUAGE_CODE
    return item.household.contact_channel, household_language(item.household)
