"""Every table and chart of one report, read from the roll-up: a fixed number of queries whatever the
number of schools (the year's rows, the month totals, and those of any other year the period spans)."""
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from . import charts, questions, rollup
from .figures import FIRST_SCHOOL_YEAR, SchoolYear
from .tables import (
    DEVICE_COLUMNS,
    INTERNET_COLUMNS,
    PUPIL_COLUMNS,
    Members,
    Scope,
    breakdown_table,
    per_school_table,
)

# What each report shows beside its per-school tables.
BREAKDOWNS = {"lop": ["level", "needs", "network", "province"],
              "flanders": ["type", "province", "network", "level"], "school": []}
PAGE_SIZE = 25  # schools per page of the per-school tables; the downloads hold them all


@dataclass(frozen=True)
class Period:
    """Whole months, first to last (both included), from September 2019 on."""

    first: date
    last: date

    @classmethod
    def from_params(cls, start, end, year: SchoolYear):
        def month(text):
            try:
                year_, month_ = (int(part) for part in (text or "").split("-"))
                return date(year_, month_, 1)
            except ValueError:
                return None

        first, last = month(start), month(end)
        earliest, latest = date(FIRST_SCHOOL_YEAR, 9, 1), SchoolYear.current().months()[-1].date()
        if not first or not last or first > last:
            first, last = year.start.date(), year.months()[-1].date() if year.months() else year.start.date()
        return cls(max(first, earliest), min(last, latest))

    def months(self):
        months, current = [], self.first
        while current <= self.last:
            months.append(current)
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        return months

    @property
    def years(self):
        return sorted({SchoolYear(m.year if m.month >= 9 else m.year - 1) for m in self.months()},
                      key=lambda y: y.start_year)


@dataclass
class Listing:
    """Which schools' rows the per-school tables show on screen: a page, after a name filter."""

    query: str = ""
    page: int = 1
    everything: bool = False  # exports: every row

    def select(self, rows):
        if self.everything:
            return rows, 1
        if self.query:
            needle = self.query.lower()
            rows = [r for r in rows if needle in r["school"]["name"].lower() or needle in r["school"]["municipality"].lower()]
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        page = min(max(1, self.page), pages)
        return rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], pages


def build(scope_name, schools, year: SchoolYear, *, period: Period | None = None, listing: Listing | None = None):
    scope = Scope(scope_name)
    listing = listing or Listing(everything=True)
    rows = Members(rollup.year_rows(schools, year))  # its sums and hidden totals are worked out once
    shown, pages = listing.select(rows)
    # What a person reads first: the summaries; the per-school tables (a page of them) come last.
    tables = [
        *[breakdown_table(dimension, rows, scope) for dimension in BREAKDOWNS[scope_name]],
        questions.kinds_table(rows),
        questions.funding_table(rows),
    ]
    if scope_name != "school":
        tables += [questions.government_laptops_table(rows), questions.without_devices_table(rows),
                   questions.started_lending_table(rows), questions.teachers_table(rows, scope)]
    months = [m.date() for m in year.months()]
    period = period or Period.from_params(None, None, year)
    # One query for every month either table needs, grouped as finely as the code tables want.
    fields = ("province", "level", "special_needs") if scope_name == "flanders" else ()
    by_group = rollup.month_totals(schools, sorted({*months, *period.months()}), group_by=fields)
    totals = rollup.regroup(by_group, len(fields), ())
    tables.append(questions.trend_table(totals, months, rows, scope))
    tables += _code_tables(scope, schools, year, rows, period, by_group, totals)
    tables += [
        per_school_table("pupils", _("Pupils, loans and agreements"), PUPIL_COLUMNS, rows, shown, scope),
        per_school_table("internet", _("Internet at home and internet codes"), INTERNET_COLUMNS, rows, shown, scope),
        per_school_table("devices", _("Devices, incidents and staff"), DEVICE_COLUMNS, rows, shown, scope),
    ]
    return {"tables": tables, "charts": _charts(scope_name, tables), "pages": pages, "period": period,
            "as_at": rollup.as_at(schools, year), "school_count": len(rows)}


def _code_tables(scope, schools, year, rows, period, by_group, totals):
    """Internet codes month by month over the chosen period (which may span school years)."""
    by_year = {year.start_year: rows}
    for other in period.years:
        if other.start_year not in by_year:
            by_year[other.start_year] = rollup.year_rows(schools, other)

    known = {}

    def hidden_in(month, members=None):
        """Whether the code totals of these schools (all of them when None) hide in the month's year."""
        start_year = month.year if month.month >= 9 else month.year - 1
        key = (start_year, id(members))
        if key not in known:
            year_members = by_year[start_year]
            if members is not None and start_year != year.start_year:
                ids = {m["school"]["id"] for m in members}
                year_members = [m for m in year_members if m["school"]["id"] in ids]
            elif members is not None:
                year_members = members
            hidden = scope.hidden_totals(year_members)
            known[key] = "issued" in hidden or "activated" in hidden
        return known[key]

    months = period.months()
    tables = [questions.codes_by_month_table(totals, months, hidden_in)]
    if scope.name == "flanders":
        for dimension, (label_of, keep) in questions.CODE_GROUPS.items():
            group_totals = rollup.regroup(by_group, 3, keep)
            title = _("Internet codes in the period by province") if dimension == "province" else _(
                "Internet codes in the period by type of education")
            heading = _("Province") if dimension == "province" else _("Type of education")
            tables.append(questions.codes_by_group_table(f"codes-by-{dimension}", title, heading, group_totals,
                                                         months, rows, label_of, hidden_in))
    return tables


def chart_items(table, rate_column):
    """(label, percentage or None, text) for each row of a table, from its finished cells."""
    index = table.header.index(rate_column)
    items = []
    for row in table.rows:
        text = row[index]
        percent = int(text[:-1]) if text.endswith("%") else None
        items.append((row[0], percent, text or _("no figures")))
    return items


def _charts(scope_name, tables):
    by_key = {table.key: table for table in tables}
    coverage, activation = str(PUPIL_COLUMNS[3].label), str(INTERNET_COLUMNS[3].label)
    chart_list = []
    if scope_name == "flanders":
        chart_list.append(charts.bar_chart(
            "chart-coverage", _("Coverage per type of education"),
            _("Share of pupils who need a device and have one on loan."),
            chart_items(by_key["by-type"], coverage), "by-type"))
    else:
        chart_list.append(charts.bar_chart(
            "chart-coverage", _("Coverage per school"), _("Share of pupils who need a device and have one on loan."),
            chart_items(by_key["pupils"], coverage), "pupils"))
    if scope_name != "school":
        chart_list.append(charts.bar_chart(
            "chart-activation", _("Activation rate of internet codes per province"),
            _("Share of the internet codes handed out in the school year that were activated."),
            chart_items(by_key["by-province"], activation), "by-province"))
    chart_list.append(charts.bar_chart(
        "chart-signed", _("Agreements signed at the end of each month"),
        _("Share of open loans to pupils with a signed agreement at each month end."),
        chart_items(by_key["trend"], str(PUPIL_COLUMNS[7].label)), "trend"))
    return chart_list

