"""Pupils who left the school (by the roster import or by hand) while a device is still out."""
from datetime import date

from django.db.models import QuerySet

from portal.school_calendar import calendar_for

from .models import Loan


def leaver_loans(*, school=None) -> QuerySet:
    loans = Loan.objects.filter(status=Loan.Status.ACTIVE, pupil__active=False)
    return loans.filter(device__school=school) if school is not None else loans


def leavers_worklist(school, today: date) -> list[Loan]:
    """The open loans of leavers, longest gone first, each with ``days_gone`` and ``school_days_gone``
    (None when the leaving date is unknown): two queries whatever their number."""
    loans = list(leaver_loans(school=school).select_related("pupil", "device")
                 .order_by("pupil__left_on", "pupil__last_name", "pk"))
    dated = [loan.pupil.left_on for loan in loans if loan.pupil.left_on]
    calendar = calendar_for(school, min(dated), today) if dated else None
    for loan in loans:
        left_on = loan.pupil.left_on
        loan.days_gone = (today - left_on).days if left_on else None
        loan.school_days_gone = calendar.school_days_between(left_on, today) if left_on else None
    return loans
