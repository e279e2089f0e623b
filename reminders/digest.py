"""The coordinator's daily digest: what is due, overdue, unsigned and in repair too long.

The mail carries counts and asset tags only, never a child's or a family's name: mail leaves the
portal's access control, and the coordinator finds the names one click away in the portal.
"""
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Min

from lending.leavers import leaver_loans
from lending.models import Agreement, Loan, Repair
from portal.local_days import local_midnight
from portal.models import FailingAddress, Role
from portal.school_calendar import calendars_for

DUE_SOON_DAYS = 14
UNSIGNED_AFTER_DAYS = 3
LISTED = 10  # asset tags per heading; the counts say how many more there are


def _open_loans(on: date):
    return Loan.objects.filter(status=Loan.Status.ACTIVE, due_on__lte=on + timedelta(days=DUE_SOON_DAYS))


def _unsigned(on: date):
    return Agreement.objects.filter(
        status__in=Agreement.UNSIGNED_STATUSES, loan__status=Loan.Status.ACTIVE,
        created_at__lt=local_midnight(on - timedelta(days=UNSIGNED_AFTER_DAYS - 1)),
    )


def _repairs_too_long(on: date, school_days: dict[int, int], oldest: dict[int, datetime]) -> set[int]:
    return {school_id for school_id, sent_at in oldest.items()
            if sent_at < local_midnight(on) - timedelta(days=school_days[school_id])}


def _failing_since_yesterday(on: date):
    """Addresses that bounced or were refused since the previous digest: those families' next
    messages go on paper or by SMS, and the coordinator should check their details."""
    return FailingAddress.objects.filter(at__gte=local_midnight(on - timedelta(days=1)), at__lt=local_midnight(on),
                                         school__isnull=False)



def leavers_past_grace(on: date, school=None) -> list[Loan]:
    """Open loans of pupils who left more than LEAVER_GRACE_SCHOOL_DAYS school days before ``on``
    (two queries: the loans, then the calendars of their schools)."""
    loans = leaver_loans(school=school).filter(pupil__left_on__lt=on)
    loans = list(loans.select_related("device", "pupil").only("id", "device__asset_tag", "device__school_id",
                                                              "pupil__left_on"))
    if not loans:
        return []
    calendars = calendars_for({loan.device.school_id for loan in loans}, min(loan.pupil.left_on for loan in loans), on)
    grace = settings.LEAVER_GRACE_SCHOOL_DAYS
    return [loan for loan in loans
            if calendars[loan.device.school_id].school_days_between(loan.pupil.left_on, on) > grace]


def schools_with_news(on: date) -> set[int]:
    """Ids of schools with a coordinator and something to tell; seven queries whatever the size."""
    with_news = set(_open_loans(on).values_list("device__school_id", flat=True).distinct().order_by())
    with_news |= {loan.device.school_id for loan in leavers_past_grace(on)}
    with_news |= set(_unsigned(on).values_list("loan__device__school_id", flat=True).distinct().order_by())
    repairs = (Repair.objects.filter(returned_at__isnull=True).order_by()
               .values_list("device__school_id", "device__school__repair_too_long_days")
               .annotate(oldest=Min("sent_at")))
    days = {school_id: limit for school_id, limit, _oldest in repairs}
    with_news |= _repairs_too_long(on, days, {school_id: oldest for school_id, _limit, oldest in repairs})
    with_news |= set(_failing_since_yesterday(on).values_list("school_id", flat=True).distinct().order_by())
    coordinated = set(Role.objects.filter(kind=Role.Kind.COORDINATOR, school_id__in=with_news)
                      .values_list("school_id", flat=True))
    return with_news & coordinated


def _heading(queryset, tag_path: str) -> dict:
    tags = list(queryset.order_by(tag_path).values_list(tag_path, flat=True)[:LISTED])
    count = queryset.count()
    return {"count": count, "tags": tags, "more": max(count - len(tags), 0)}


def _listed(loans: list) -> dict:
    tags = sorted(loan.device.asset_tag for loan in loans)
    return {"count": len(tags), "tags": tags[:LISTED], "more": max(len(tags) - LISTED, 0)}


def digest_for(school, on: date) -> dict:
    """Counts and the first asset tags per heading for one school (eleven queries)."""
    loans = _open_loans(on).filter(device__school=school)
    too_long_before = local_midnight(on) - timedelta(days=school.repair_too_long_days)
    return {
        "leavers": _listed(leavers_past_grace(on, school)),
        "leaver_grace": settings.LEAVER_GRACE_SCHOOL_DAYS,
        "on": on,
        "due_soon": _heading(loans.filter(due_on__gte=on), "device__asset_tag"),
        "overdue": _heading(loans.filter(due_on__lt=on), "device__asset_tag"),
        "unsigned": _heading(_unsigned(on).filter(loan__device__school=school), "loan__device__asset_tag"),
        "repairs_too_long": _heading(
            Repair.objects.filter(device__school=school, returned_at__isnull=True, sent_at__lt=too_long_before),
            "device__asset_tag"),
        "failing": {"count": _failing_since_yesterday(on).filter(school=school).values("household_id").distinct().count()},
    }


def has_news(digest: dict) -> bool:
    return any(digest[key]["count"] for key in ("due_soon", "overdue", "unsigned", "repairs_too_long", "failing",
                                                "leavers"))


def step_for(on: date) -> int:
    return int(on.strftime("%Y%m%d"))


def day_of(step: int) -> date:
    return datetime.strptime(str(step), "%Y%m%d").date()
