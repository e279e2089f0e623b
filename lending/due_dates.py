"""When a loan is due back, from the school's policy.

A Flemish school year runs from 1 September to 31 August; loans run through the summer
holidays (the device may go home), so "end of the school year" is 31 August, moved to the first
day the school is open (portal/school_calendar.py): in practice the first school day after the
summer. A school that wants its devices back before the summer sets how many school days before
the summer holiday (``School.last_return_days_before_summer``). A due date never falls on a day
the school is closed, so nobody is asked to bring a device back to a closed school.

"End of the school career" is an estimate from the pupil's grade (leerjaar) at this school:
- primary (basisonderwijs): the pupil leaves after grade 6, so the loan is due on 31 August
  after the school year in which the pupil is in grade 6;
- secondary (secundair onderwijs): most pupils leave after grade 6; a pupil already in the
  optional 7th year leaves at the end of that year. So: 31 August after grade 6, or after this
  school year for a pupil in grade 7.
A pupil who stays down a year, changes school or takes a 7th year is handled at the desk:
the year-end page renews or ends loans, and a leaver's loan is ended or transferred.
"""
from datetime import date, timedelta
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.models import EducationLevel, School
from portal.school_calendar import Calendar, calendar_for

from .models import Loan

LAST_GRADE = {EducationLevel.PRIMARY: 6, EducationLevel.SECONDARY: 6}


def school_year_end(today: date | None = None) -> date:
    """31 August of the school year ``today`` falls in."""
    today = today or timezone.localdate()
    return date(today.year + 1 if today.month >= 9 else today.year, 8, 31)


def next_school_year_end(today: date | None = None) -> date:
    end = school_year_end(today)
    return end.replace(year=end.year + 1)


def career_end(*, grade: int, level: str, today: date | None = None) -> date:
    last_grade = max(LAST_GRADE.get(level, 6), grade)
    end = school_year_end(today)
    return end.replace(year=end.year + (last_grade - grade))


def year_end_due(*, school: School, calendar: Calendar, start_year: int) -> date:
    """The open day a loan "to the end of the school year" starting in ``start_year`` is due."""
    days_before = school.last_return_days_before_summer
    if days_before is None:
        return calendar.next_open(date(start_year + 1, 8, 31))
    last_school_day = calendar.previous_open(calendar.summer_start(start_year) - timedelta(days=1))
    return calendar.add_school_days(last_school_day, -days_before)


def due_for_year_end(*, school: School, end: date, today: date, calendar: Calendar | None = None) -> date:
    """The due date for a loan that runs to 31 August ``end``, on an open day and never before ``today``."""
    calendar = calendar or calendar_for(school, today, end.replace(month=12, day=31))
    due = year_end_due(school=school, calendar=calendar, start_year=end.year - 1)
    if due < today:  # handed out after this year's last return day: the next year's
        due = year_end_due(school=school, calendar=calendar, start_year=end.year)
    return due


def due_policy_for(*, return_policy: str, pupil=None) -> str:
    """Staff loans always run to the end of the school year."""
    if pupil is not None and return_policy == School.ReturnPolicy.END_OF_CAREER:
        return Loan.DuePolicy.END_OF_CAREER
    return Loan.DuePolicy.END_OF_SCHOOL_YEAR


def default_due(*, school: School, return_policy: str, pupil=None, today: date | None = None) -> tuple[str, date]:
    """(due policy, due date) for a new loan."""
    today = today or timezone.localdate()
    policy = due_policy_for(return_policy=return_policy, pupil=pupil)
    if policy == Loan.DuePolicy.END_OF_CAREER:
        end = career_end(grade=pupil.grade, level=school.level, today=today)
    else:
        end = school_year_end(today)
    return policy, due_for_year_end(school=school, end=end, today=today)


def renewal_due(*, school: School, today: date | None = None) -> date:
    """A loan renewed at the year's end runs to the end of the next school year."""
    today = today or timezone.localdate()
    return due_for_year_end(school=school, end=next_school_year_end(today), today=today)


def closed_day_message(school: School, day: date) -> str | None:
    """Why ``day`` cannot be a due date (the school is closed), or None."""
    calendar = calendar_for(school, day, day + timedelta(days=400))
    if calendar.is_open(day):
        return None
    reason = calendar.closure_on(day) or _("weekend")
    return _("The school is closed on %(day)s (%(reason)s). The first open day after it is %(next)s.") % {
        "day": date_format(day, "DATE_FORMAT"), "reason": reason,
        "next": date_format(calendar.next_open(day), "DATE_FORMAT")}


def due_date_ics(loan: Loan, *, language: str) -> bytes:
    """The due date as an all-day event (RFC 5545) for the family's calendar, in its language."""
    event = icalendar.Event()
    school = loan.device.school
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "uitleenportaal.local"
    with translation.override(language):
        event.add("summary", _("Bring the school device %(tag)s back to %(school)s") % {
            "tag": loan.device.asset_tag, "school": school.name})
        event.add("description", _("The school lends this device until this day. Bring it back during school hours."))
    event.add("uid", f"loan-{loan.pk}-due@{domain}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", loan.due_on)
    event.add("dtend", loan.due_on + timedelta(days=1))
    if school.address:
        event.add("location", f"{school.name}, {school.address}")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Uitleenportaal//due date//NL")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return calendar.to_ical()
