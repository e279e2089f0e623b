"""Personal data retention and erasure: one code path for the nightly job and a director's erasure.

A family's personal data goes ``RETENTION_MONTHS`` after its last loan ended and all its pupils
left. Rows that the LOP and Flanders reports count (pupils, households, loans, agreements,
incidents, internet codes) stay, anonymised: names, class, pupil number, free text and files go,
the counted fields stay. Rows no report needs (guardians and their contact data) are deleted.

Signature evidence (typed name, IP address, browser, drawn signature, signed PDF, scan) has its
own clock: ``SIGNATURE_EVIDENCE_MONTHS`` after the agreement's loan ended (the legal period), so a
family's erasure request does not remove what the school may need for a legal claim.

Work goes in batches of ``BATCH_SIZE`` families with a fixed number of queries per batch; every
step only picks rows not done yet, so a run that stops half-way is finished by the next one.
Audit rows hold ids and counts only.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from households.models import Guardian, Household, InternetCode, Pupil, Referral, SurveyAnswer, SurveyInvite
from lending.models import Agreement, Incident, Loan, Repair, ReturnReceipt, Transfer
from portal.audit import events_about
from portal.batching import pk_batches
from portal.local_days import local_midnight
from portal.models import AuditEvent, FailingAddress, Job, Message

BATCH_SIZE = 200
ANONYMISED = AuditEvent.Action.HOUSEHOLD_ANONYMISED
EVIDENCE_REMOVED = AuditEvent.Action.AGREEMENT_EVIDENCE_REMOVED


class ErasureRefused(Exception):
    """The family still has a device on loan: erasing would lose track of it."""


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Limits:
    """Everything that ended before these moments is past its retention period on ``today``."""

    today: date

    @property
    def family_day(self) -> date:
        return months_before(self.today, settings.RETENTION_MONTHS)

    @property
    def family_moment(self) -> datetime:
        return local_midnight(self.family_day)

    @property
    def evidence_moment(self) -> datetime:
        return local_midnight(months_before(self.today, settings.SIGNATURE_EVIDENCE_MONTHS))


@dataclass
class RetentionResult:
    households: int = 0
    pupils: int = 0
    agreements: int = 0
    leavers_stamped: int = 0


# --- who is due ------------------------------------------------------------------------------------

def _loan_blocks(limits: Limits):
    """A loan still open, or ended inside the retention period, keeps its pupil's data."""
    return Q(status=Loan.Status.ACTIVE) | Q(returned_at__isnull=True) | Q(returned_at__gte=limits.family_moment)


def _pupil_stays(limits: Limits):
    return Q(active=True) | Q(left_on__isnull=True) | Q(left_on__gte=limits.family_day)


def households_due(limits: Limits):
    recent = limits.family_moment
    return (
        Household.objects.filter(anonymised_at__isnull=True, created_at__lt=recent)
        .exclude(Exists(Pupil.objects.filter(_pupil_stays(limits), household=OuterRef("pk"))))
        .exclude(Exists(Loan.objects.filter(_loan_blocks(limits), pupil__household=OuterRef("pk"))))
        .exclude(Exists(SurveyInvite.objects.filter(household=OuterRef("pk"), created_at__gte=recent)))
        .exclude(Exists(InternetCode.objects.filter(household=OuterRef("pk"), issued_at__gte=recent)))
        .exclude(Exists(Referral.objects.filter(household=OuterRef("pk"), updated_at__gte=recent)))
    )


def pupils_without_household_due(limits: Limits):
    return (
        Pupil.objects.filter(household__isnull=True, anonymised_at__isnull=True, active=False,
                             left_on__lt=limits.family_day)
        .exclude(Exists(Loan.objects.filter(_loan_blocks(limits), pupil=OuterRef("pk"))))
    )


def _has_evidence():
    return (~Q(signer_name="") | Q(signer_ip__isnull=False) | ~Q(signer_user_agent="")
            | ~Q(signature_image="") | ~Q(signed_pdf="") | ~Q(paper_scan=""))


def agreements_evidence_due(limits: Limits):
    return Agreement.objects.filter(_has_evidence(), loan__returned_at__lt=limits.evidence_moment)


# --- doing it --------------------------------------------------------------------------------------

def _delete_files(model, queryset, fields) -> None:
    storage = model._meta.get_field(fields[0]).storage
    for names in queryset.values_list(*fields):
        for name in names:
            if name:
                storage.delete(name)


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _clear_audit_snapshots(objects: dict[str, list[int]]) -> None:
    """Audit rows about these objects keep who and when, not the before/after values."""
    events_about(objects).filter(Q(before__isnull=False) | Q(after__isnull=False)).update(before=None, after=None)


def _anonymise(household_ids: list[int], pupil_ids: list[int], now) -> dict:
    """Remove the personal data of these households and pupils; a fixed number of queries."""
    loans = Loan.objects.filter(pupil__in=pupil_ids)
    agreements = Agreement.objects.filter(loan__pupil__in=pupil_ids)
    incidents = Incident.objects.filter(loan__pupil__in=pupil_ids)
    referrals = Referral.objects.filter(household__in=household_ids)
    guardians = Guardian.objects.filter(household__in=household_ids)
    invites = SurveyInvite.objects.filter(household__in=household_ids)
    _clear_audit_snapshots({
        "households.household": household_ids,
        "households.pupil": pupil_ids,
        "households.guardian": _ids(guardians),
        "households.referral": _ids(referrals),
        "households.surveyinvite": _ids(invites),
        "households.internetcode": _ids(InternetCode.objects.filter(household__in=household_ids)),
        "lending.loan": _ids(loans),
        "lending.agreement": _ids(agreements),
        "lending.incident": _ids(incidents),
    })
    guardian_count, _by_model = guardians.delete()
    # Where messages went and which addresses bounced: the addresses are the guardians' own.
    Message.objects.filter(household_id__in=household_ids).update(recipient="")
    FailingAddress.objects.filter(household_id__in=household_ids).delete()
    _delete_files(Loan, loans.exclude(return_photo=""), ["return_photo"])
    loans.update(note="", return_photo="")
    # The unsigned PDF names the pupil; the signed one is evidence and follows its own clock.
    _delete_files(Agreement, agreements.exclude(pdf=""), ["pdf"])
    agreements.update(pdf="", question="")
    incidents.update(description="")
    Repair.objects.filter(incident__in=incidents).update(note="")
    # The receipt names the pupil; a hand-over's note is the school's words and may too.
    receipts = ReturnReceipt.objects.filter(loan__pupil__in=pupil_ids)
    _delete_files(ReturnReceipt, receipts.exclude(pdf=""), ["pdf"])
    receipts.update(pdf="")
    Transfer.objects.filter(loan__pupil__in=pupil_ids).update(note="")
    referrals.update(note="")
    SurveyAnswer.objects.filter(invite__household__in=household_ids).update(language="")
    # The school's pupil number is unique per school and identifies the child: an opaque one instead.
    pupils = Pupil.objects.filter(pk__in=pupil_ids).update(
        first_name="", last_name="", class_name="", anonymised_at=now,
        internal_number=Concat(Value("erased-"), Cast("pk", output_field=CharField())),
    )
    Household.objects.filter(pk__in=household_ids).update(
        name="", pointed_to_social_tariff_at=None, preferred_language="nl", anonymised_at=now)
    # The PDF of everything kept, made for the family's access request (portal/jobs.py), goes too.
    exports = Job.objects.filter(kind=Job.Kind.HOUSEHOLD_EXPORT, params__household_id__in=household_ids)
    _delete_files(Job, exports.exclude(file=""), ["file"])
    exports.delete()
    return {"pupils": pupils, "guardians": guardian_count}


def anonymise_households(household_ids, *, reason: str, actor=None) -> int:
    """The one way a family's data is removed (nightly retention and a director's erasure).

    Households with a device still on loan are skipped, checked again under a row lock."""
    now = timezone.now()
    with transaction.atomic():
        households = list(Household.objects.select_for_update().filter(
            pk__in=list(household_ids), anonymised_at__isnull=True).values_list("pk", "school_id"))
        # The desk locks the pupil before it lends (lending/desk.py): a loan being made now is seen here.
        list(Pupil.objects.select_for_update().filter(household__in=[pk for pk, _s in households])
             .values_list("pk", flat=True))
        on_loan = set(Loan.objects.filter(pupil__household__in=[pk for pk, _s in households],
                                          status=Loan.Status.ACTIVE).values_list("pupil__household", flat=True))
        households = [(pk, school) for pk, school in households if pk not in on_loan]
        ids = [pk for pk, _school in households]
        if not ids:
            return 0
        pupils = list(Pupil.objects.filter(household__in=ids).values_list("pk", "household_id"))
        _anonymise(ids, [pk for pk, _h in pupils], now)
        per_household = {pk: 0 for pk in ids}
        for _pk, household in pupils:
            per_household[household] += 1
        AuditEvent.objects.bulk_create([
            AuditEvent(actor=actor if actor is not None and actor.is_authenticated else None, school_id=school,
                       action=ANONYMISED, object_type="households.household", object_id=str(pk),
                       after={"reason": reason, "pupils": per_household[pk]})
            for pk, school in households
        ])
    return len(ids)


def anonymise_pupils(pupil_ids, *, reason: str) -> int:
    """Pupils without a household (imported without family data), same rules as a family."""
    now = timezone.now()
    with transaction.atomic():
        locked = list(Pupil.objects.select_for_update().filter(pk__in=list(pupil_ids), anonymised_at__isnull=True)
                      .values_list("pk", "school_id"))
        on_loan = set(Loan.objects.filter(pupil__in=[pk for pk, _s in locked], status=Loan.Status.ACTIVE)
                      .values_list("pupil", flat=True))
        pupils = [(pk, school) for pk, school in locked if pk not in on_loan]
        if not pupils:
            return 0
        _anonymise([], [pk for pk, _school in pupils], now)
        AuditEvent.objects.bulk_create([
            AuditEvent(school_id=school, action=AuditEvent.Action.PUPIL_ANONYMISED, object_type="households.pupil",
                       object_id=str(pk), after={"reason": reason}) for pk, school in pupils
        ])
    return len(pupils)


def remove_evidence(agreement_ids) -> int:
    with transaction.atomic():
        agreements = Agreement.objects.select_for_update().filter(_has_evidence(), pk__in=list(agreement_ids))
        rows = list(agreements.values_list("pk", "loan__device__school_id"))
        if not rows:
            return 0
        agreements = Agreement.objects.filter(pk__in=[pk for pk, _school in rows])
        _delete_files(Agreement, agreements, ["signature_image", "signed_pdf", "paper_scan"])
        # Status, signing time and method stay: the reports count signed agreements.
        agreements.update(signer_name="", signer_ip=None, signer_user_agent="", signature_image="",
                          signed_pdf="", paper_scan="")
        AuditEvent.objects.bulk_create([
            AuditEvent(school_id=school, action=EVIDENCE_REMOVED, object_type="lending.agreement",
                       object_id=str(pk), after={"reason": "retention"}) for pk, school in rows
        ])
    return len(rows)


def erase_household(household: Household, *, actor) -> None:
    """A director's erasure on the family's request; refused while a device is on loan."""
    on_loan = Loan.objects.filter(pupil__household=household, status=Loan.Status.ACTIVE)
    if on_loan.exists():
        raise ErasureRefused
    # Nothing done and a loan now: a device was lent in between (the check runs again under a lock).
    if not anonymise_households([household.pk], reason="erasure", actor=actor) and on_loan.exists():
        raise ErasureRefused


# --- the nightly run -------------------------------------------------------------------------------

def _in_batches(queryset, step, batch_size) -> int:
    """Run ``step`` on the ids a batch at a time; rows a step skipped stay skipped in this run."""
    return sum(step(ids) for ids in pk_batches(queryset.values_list("pk", flat=True), batch_size))


def stamp_leavers(today: date) -> int:
    """Start the clock for pupils marked as left without a date (and stop it for those back)."""
    Pupil.objects.filter(active=True, left_on__isnull=False).update(left_on=None)
    return Pupil.objects.filter(active=False, left_on__isnull=True, anonymised_at__isnull=True).update(
        left_on=today)


def apply_retention(today: date | None = None, *, dry_run=False, batch_size=BATCH_SIZE) -> RetentionResult:
    today = today or timezone.localdate()
    limits = Limits(today)
    if dry_run:
        return RetentionResult(households=households_due(limits).count(),
                               pupils=pupils_without_household_due(limits).count(),
                               agreements=agreements_evidence_due(limits).count())
    result = RetentionResult(leavers_stamped=stamp_leavers(today))
    result.households = _in_batches(
        households_due(limits), lambda ids: anonymise_households(ids, reason="retention"), batch_size)
    result.pupils = _in_batches(
        pupils_without_household_due(limits), lambda ids: anonymise_pupils(ids, reason="retention"), batch_size)
    result.agreements = _in_batches(agreements_evidence_due(limits), remove_evidence, batch_size)
    return result
