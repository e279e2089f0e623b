"""A school's calendar: the days it is open, from its holidays and closed days (SchoolClosure).

Flemish school holidays follow fixed rules (Besluit van de Vlaamse regering of 17 April 1991; see
onderwijs.vlaanderen.be): summer 1 July - 31 August; autumn the week of 1 November (from 2 November
when that is a Sunday); Christmas two weeks from the Monday of the week of 25 December (the Monday
after, when it is a Saturday or Sunday); carnival the week from the 7th Monday before Easter;
Easter two weeks from the first Monday of April (the Monday after Easter when Easter is in March;
the 2nd Monday before Easter, plus Easter Monday, when Easter is after 15 April); Ascension Day and
the day after; 11 November, 1 May and Whit Monday.

A school that has no rows of its own for a school year follows those rules; the director can fill
them in as rows and edit them. Weekends are always closed.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.easter import easter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .audit import json_safe, record
from .models import AuditEvent, SchoolClosure
from .school_rules import remembered, rules_changed

SUMMER = ((7, 1), (8, 31))


def school_year_start(day: date) -> int:
    """The calendar year a school year starts in: 2026 for every day from 1 September 2026 to 31 August 2027."""
    return day.year if day.month >= 9 else day.year - 1


def school_year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def flemish_holidays(start_year: int) -> list[tuple[str, date, date]]:
    """(name, first day, last day) of the Flemish school holidays of the school year starting in ``start_year``."""
    y, e = start_year, easter(start_year + 1)
    nov1 = date(y, 11, 1)
    autumn = date(y, 11, 2) if nov1.weekday() == 6 else _monday_of(nov1)
    xmas = date(y, 12, 25)
    christmas = xmas + timedelta(days=7 - xmas.weekday()) if xmas.weekday() >= 5 else _monday_of(xmas)
    carnival = e - timedelta(days=6 + 7 * 6)
    if e.month == 3:
        spring, spring_end = e + timedelta(days=1), e + timedelta(days=14)
    elif e > date(y + 1, 4, 15):
        spring, spring_end = e - timedelta(days=13), e + timedelta(days=1)
    else:
        april = date(y + 1, 4, 1)
        spring = april + timedelta(days=(7 - april.weekday()) % 7)
        spring_end = spring + timedelta(days=13)
    days = [
        (_("Autumn holiday"), autumn, autumn + timedelta(days=6)),
        (_("Armistice Day"), date(y, 11, 11), date(y, 11, 11)),
        (_("Christmas holiday"), christmas, christmas + timedelta(days=13)),
        (_("Carnival holiday"), carnival, carnival + timedelta(days=6)),
        (_("Easter holiday"), spring, spring_end),
        (_("Labour Day"), date(y + 1, 5, 1), date(y + 1, 5, 1)),
        (_("Ascension Day"), e + timedelta(days=39), e + timedelta(days=40)),
        (_("Whit Monday"), e + timedelta(days=50), e + timedelta(days=50)),
        (_("Summer holiday"), date(y + 1, *SUMMER[0]), date(y + 1, *SUMMER[1])),
    ]
    if not spring <= e + timedelta(days=1) <= spring_end:
        days.append((_("Easter Monday"), e + timedelta(days=1), e + timedelta(days=1)))
    return sorted(days, key=lambda item: item[1])


@dataclass
class Calendar:
    """The closed periods of one school over a span of dates: read once, asked many times."""

    periods: list[tuple[date, date, str]]

    def closure_on(self, day: date) -> str | None:
        """The name of the holiday or closed day on ``day``, or None (weekends are not named)."""
        return next((name for start, end, name in self.periods if start <= day <= end), None)

    def is_open(self, day: date) -> bool:
        return day.weekday() < 5 and self.closure_on(day) is None

    def next_open(self, day: date) -> date:
        """``day`` when the school is open then, else the first open day after it."""
        while not self.is_open(day):
            day += timedelta(days=1)
        return day

    def previous_open(self, day: date) -> date:
        while not self.is_open(day):
            day -= timedelta(days=1)
        return day

    def add_school_days(self, day: date, count: int) -> date:
        """The open day ``count`` school days after ``day`` (negative: before)."""
        step = 1 if count >= 0 else -1
        for _n in range(abs(count)):
            day += timedelta(days=step)
            while not self.is_open(day):
                day += timedelta(days=step)
        return day

    def school_days_between(self, earlier: date, later: date) -> int:
        """Open days after ``earlier`` up to and including ``later``."""
        return sum(1 for n in range(1, (later - earlier).days + 1) if self.is_open(earlier + timedelta(days=n)))

    def summer_start(self, start_year: int) -> date:
        """The first day of the summer holiday that ends the school year starting in ``start_year``."""
        first = date(start_year + 1, *SUMMER[0])
        candidates = [start for start, end, _name in self.periods
                      if start.year == start_year + 1 and start.month in (6, 7) and end >= first]
        return min(candidates, default=first)


def _years_between(first: date, last: date) -> range:
    return range(school_year_start(first), school_year_start(last) + 1)


def calendars_for(school_ids, first: date, last: date) -> dict[int, Calendar]:
    """The calendar of each school between two dates, in one query: a school's own rows for the
    school years where it has any, the Flemish rules for the others."""
    periods: dict[int, dict[int, list]] = {school_id: {} for school_id in school_ids}
    years = _years_between(first, last)
    span_start, span_end = school_year_bounds(years[0])[0], school_year_bounds(years[-1])[1]
    rows = (SchoolClosure.objects.filter(school_id__in=list(periods), starts_on__lte=span_end, ends_on__gte=span_start)
            .values_list("school_id", "starts_on", "ends_on", "name"))
    for school_id, start, end, name in rows:
        periods[school_id].setdefault(school_year_start(start), []).append((start, end, name))
    defaults = {year: [(start, end, name) for name, start, end in flemish_holidays(year)] for year in years}
    return {school_id: Calendar([period for year in years for period in own.get(year, defaults[year])])
            for school_id, own in periods.items()}


def calendar_for(school, first: date, last: date | None = None) -> Calendar:
    """One school's calendar from ``first`` to ``last`` (default: the end of the next school year),
    kept in memory under the school's rules stamp (the Flemish holidays' names are in the language
    of the request that asks)."""
    last = last or school_year_bounds(school_year_start(first) + 1)[1]
    return remembered(school, ("calendar", first, last, get_language()),
                      lambda: calendars_for([school.pk], first, last)[school.pk])


def closed_today(school_ids, day: date) -> set[int]:
    """The schools (of ``school_ids``) that are closed on ``day``: two queries whatever their number."""
    if day.weekday() >= 5:
        return set(school_ids)
    year = school_year_start(day)
    start, end = school_year_bounds(year)
    own = set(SchoolClosure.objects.filter(school_id__in=school_ids, starts_on__lte=end, ends_on__gte=start)
              .values_list("school_id", flat=True).distinct())
    closed = set(SchoolClosure.objects.filter(school_id__in=own, starts_on__lte=day, ends_on__gte=day)
                 .values_list("school_id", flat=True))
    if Calendar([(s, e, n) for n, s, e in flemish_holidays(year)]).closure_on(day):
        closed |= set(school_ids) - own
    return closed


def overlapping(school, start: date, end: date):
    return SchoolClosure.objects.filter(Q(school=school) & Q(starts_on__lte=end, ends_on__gte=start))


def year_overview(school, start_year: int) -> tuple[list, bool]:
    """The closed periods of one school year, and whether they are the school's own rows (else the
    Flemish rules, not saved): one query."""
    start, end = school_year_bounds(start_year)
    own = list(overlapping(school, start, end).order_by("starts_on"))
    if own:
        return own, True
    return [SchoolClosure(school=school, starts_on=s, ends_on=e, name=n, kind=SchoolClosure.Kind.HOLIDAY)
            for n, s, e in flemish_holidays(start_year)], False


# --- the director's edits (services) ---------------------------------------------------------------


def _changed(school, by, **after):
    record(actor=by, action=AuditEvent.Action.CALENDAR_CHANGED, instance=school, school=school, after=json_safe(after))


def closure_add(*, school, starts_on: date, ends_on: date, kind: str, name: str, by) -> SchoolClosure:
    if ends_on < starts_on:
        raise ValidationError(_("The last day is before the first day."))
    with transaction.atomic():
        closure, _created = SchoolClosure.objects.get_or_create(
            school=school, starts_on=starts_on, name=name.strip()[:120], defaults={"ends_on": ends_on, "kind": kind})
        _changed(school, by, added=name, starts_on=starts_on, ends_on=ends_on, kind=kind)
    return closure


def closure_delete(*, closure: SchoolClosure, by) -> None:
    with transaction.atomic():
        closure.delete()
        _changed(closure.school, by, removed=closure.name, starts_on=closure.starts_on, ends_on=closure.ends_on)


def flemish_holidays_fill(*, school, start_year: int, by) -> int:
    """Write the Flemish holidays of a school year as the school's own rows (to edit them); rows the
    school has already are kept. Returns how many were added."""
    with transaction.atomic():
        rows = [SchoolClosure(school=school, starts_on=start, ends_on=end, name=name, kind=SchoolClosure.Kind.HOLIDAY)
                for name, start, end in flemish_holidays(start_year)]
        before = SchoolClosure.objects.filter(school=school).count()
        SchoolClosure.objects.bulk_create(rows, ignore_conflicts=True)  # no save signals: the stamp by hand
        added = SchoolClosure.objects.filter(school=school).count() - before
        if added:
            rules_changed(school)
        _changed(school, by, filled_school_year=f"{start_year}-{start_year + 1}", added=added)
    return added


def summer_return_set(*, school, days_before: int | None, by) -> None:
    with transaction.atomic():
        before = school.last_return_days_before_summer
        school.last_return_days_before_summer = days_before
        school.save(update_fields=["last_return_days_before_summer"])
        _changed(school, by, last_return_days_before_summer=days_before, before=before)
