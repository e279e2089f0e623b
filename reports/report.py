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
    Parts,
    Scope,
    breakdown_table,
    per_school_table,
)
from .tasks import queue_missing_figures, queue_resummarise

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


class YearSource:
    """Where a report reads a school year: the stored parts and one page of schools on screen, or every
    school's row (a download, a school's own report, or parts that no longer match the schools: a
    school changed stratum or went, and the parts are being summed again)."""

    def __init__(self, scope_name, schools, lop_id, *, whole):
        self.scope_name, self.schools, self.lop_id = scope_name, schools, lop_id
        self.whole = whole or scope_name == "school"
        self.as_at = None

    def read(self, year: SchoolYear, listing: "Listing | None"):
        """(Parts, the rows shown, pages). The first year read is the page's: its "as at" is kept."""
        state = rollup.year_state(self.schools, year)
        if state["rows"] < self.schools.count():  # a school has no figures for the year yet
            try:
                rollup.ensure(self.schools, year)
            except rollup.FiguresPending:
                queue_missing_figures()
                rollup.ensure(self.schools, year)  # done by now under an eager Celery (make run); else pending
            state = rollup.year_state(self.schools, year)
        if self.as_at is None:
            self.as_at = state["oldest"]
        parts = None if self.whole else Parts(rollup.stored_parts(year, self.lop_id))
        if parts is not None and parts.total.schools != state["rows"]:
            queue_resummarise()
            parts = None
        if parts is None:
            rows = rollup.year_rows(self.schools, year)
            shown, pages = (listing or Listing(everything=True)).select(rows)
            return Parts.of_rows(rows), shown, pages
        if listing is None:
            return parts, [], 1
        shown, matching = rollup.page_rows(self.schools, year, listing.query, (max(1, listing.page) - 1) * PAGE_SIZE,
                                           PAGE_SIZE, matching=None if listing.query else state["rows"])
        return parts, shown, max(1, -(-matching // PAGE_SIZE))


def build(scope_name, schools, year: SchoolYear, *, period: Period | None = None, listing: Listing | None = None,
          lop_id=None):
    """The report's tables. On screen the summaries come from the roll-up's stored parts and the per-school
    tables show one page read on its own; a download (no listing) reads every school's row."""
    scope = Scope(scope_name)
    source = YearSource(scope_name, schools, lop_id, whole=listing is None)
    parts, shown, pages = source.read(year, listing)
    total = parts.total
    # What a person reads first: the summaries; the per-school tables (a page of them) come last.
    tables = [
        *[breakdown_table(dimension, parts, scope) for dimension in BREAKDOWNS[scope_name]],
        questions.kinds_table(total),
        questions.funding_table(total),
    ]
    if scope_name != "school":
        tables += [questions.government_laptops_table(parts), questions.without_devices_table(parts),
                   questions.started_lending_table(parts), questions.teachers_table(parts, scope)]
    months = [m.date() for m in year.months()]
    period = period or Period.from_params(None, None, year)
    # One query for every month either table needs, grouped as finely as the code tables want.
    fields = ("province", "level", "special_needs") if scope_name == "flanders" else ()
    by_group = rollup.month_totals(schools, sorted({*months, *period.months()}), group_by=fields)
    totals = rollup.regroup(by_group, len(fields), ())
    tables.append(questions.trend_table(totals, months, total, scope))
    tables += _code_tables(scope, source, year, parts, period, by_group, totals)
    tables += [
        per_school_table("pupils", _("Pupils, loans and agreements"), PUPIL_COLUMNS, total, shown, scope),
        per_school_table("internet", _("Internet at home and internet codes"), INTERNET_COLUMNS, total, shown, scope),
        per_school_table("devices", _("Devices, incidents and staff"), DEVICE_COLUMNS, total, shown, scope),
    ]
    return {"tables": tables, "charts": _charts(scope_name, tables), "pages": pages, "period": period,
            "as_at": source.as_at, "school_count": total.schools}


def _code_tables(scope, source, year, parts, period, by_group, totals):
    """Internet codes month by month over the chosen period (which may span school years)."""
    by_year = {year.start_year: parts}
    for other in period.years:
        if other.start_year not in by_year:
            by_year[other.start_year] = source.read(other, None)[0]

    def hidden_in(month, label_of=None, label=None):
        """Whether the code totals of the report (or of one group of it) hide in the month's year."""
        year_parts = by_year[month.year if month.month >= 9 else month.year - 1]
        summary = year_parts.total if label_of is None else dict(
            (group, summary) for group, summary, _keys in year_parts.groups(label_of)).get(label)
        if summary is None:
            return False
        hidden = scope.hidden_totals(summary)
        return "issued" in hidden or "activated" in hidden

    months = period.months()
    tables = [questions.codes_by_month_table(totals, months, hidden_in)]
    if scope.name == "flanders":
        for dimension, (label_of, keep) in questions.CODE_GROUPS.items():
            group_totals = rollup.regroup(by_group, 3, keep)
            title = _("Internet codes in the period by province") if dimension == "province" else _(
                "Internet codes in the period by type of education")
            heading = _("Province") if dimension == "province" else _("Type of education")
            tables.append(questions.codes_by_group_table(f"codes-by-{dimension}", title, heading, group_totals,
                                                         months, parts, label_of, hidden_in))
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

