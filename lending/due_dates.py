"""When a loan is due back, from the school's policy.

A Flemish school year runs from 1 September to 31 August; loans run through the summer
holidays (the device may go home), so "end of the school year" is 31 August.

"End of the school career" is an estimate from the pupil's grade (leerjaar) at this school:
- primary (basisonderwijs): the pupil leaves after grade 6, so the loan is due on 31 August
  after the school year in which the pupil is in grade 6;
- secondary (secundair onderwijs): most pupils leave after grade 6; a pupil already in the
  optional 7th year leaves at the end of that year. So: 31 August after grade 6, or after this
  school year for a pupil in grade 7.
A pupil who stays down a year, changes school or takes a 7th year is handled at the desk:
the year-end page renews or ends loans, and a leaver's loan is ended or transferred.
"""
from datetime import date

from django.utils import timezone

from portal.models import EducationLevel, School

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


def default_due(*, school: School, return_policy: str, pupil=None, today: date | None = None) -> tuple[str, date]:
    """(due policy, due date) for a new loan; staff loans always run to the end of the school year."""
    if pupil is not None and return_policy == School.ReturnPolicy.END_OF_CAREER:
        return Loan.DuePolicy.END_OF_CAREER, career_end(grade=pupil.grade, level=school.level, today=today)
    return Loan.DuePolicy.END_OF_SCHOOL_YEAR, school_year_end(today)
