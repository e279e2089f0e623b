"""Turn per-school figures into the tables a report shows and exports, cell for cell.

Every cell is a finished string ("12", "<5", "–", "40%") so the page, the CSV and the XLSX
cannot disagree: they all print these same tables.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lending.models import Device
from portal.models import EducationLevel, Network, Province

from . import charts
from .figures import PUPIL_FIGURES, monthly_trend, school_rows
from .suppression import group_cell, rate, subtotal_cell


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    of: tuple = ()  # a rate: (numerator, denominator)


@dataclass
class Table:
    key: str
    title: str
    header: list
    rows: list = field(default_factory=list)
    total: list | None = None

    @property
    def all_rows(self):
        return [self.header, *self.rows, *([self.total] if self.total else [])]

    def body_html(self):
        """The <tbody> rows as one string. The Flanders view has 3,800 schools in three tables:
        that many cells through the template engine took over a second; joined here they do not."""
        return mark_safe("\n".join(
            f'<tr><th scope="row" class="fw-normal">{escape(head)}</th>{"".join(f"<td>{escape(c)}</td>" for c in cells)}</tr>'
            for head, *cells in self.rows
        ))


PUPIL_COLUMNS = [
    Column("in_scope", gettext_lazy("Pupils in scope")),
    Column("flagged", gettext_lazy("Need a device")),
    Column("covered", gettext_lazy("Need a device and have one on loan")),
    Column("coverage", gettext_lazy("Coverage"), of=("covered", "flagged")),
    Column("open_pupil", gettext_lazy("Open loans to pupils")),
    Column("loans_started", gettext_lazy("Loans handed out in the school year")),
    Column("signed", gettext_lazy("Agreements signed")),
    Column("signed_share", gettext_lazy("Share of open loans signed"), of=("signed", "open_pupil")),
    Column("paper", gettext_lazy("Signed on paper")),
]
INTERNET_COLUMNS = [
    Column("no_internet", gettext_lazy("Households without internet")),
    Column("issued", gettext_lazy("Internet codes handed out")),
    Column("activated", gettext_lazy("Internet codes activated")),
    Column("activation", gettext_lazy("Activation rate"), of=("activated", "issued")),
]
DEVICE_COLUMNS = [
    Column("laptop", gettext_lazy("Laptops")),
    Column("tablet", gettext_lazy("Tablets")),
    Column("chromebook", gettext_lazy("Chromebooks")),
    Column("other", gettext_lazy("Other devices")),
    Column("devices", gettext_lazy("Devices in use")),
    Column("damage", gettext_lazy("Damage")),
    Column("loss", gettext_lazy("Loss")),
    Column("theft", gettext_lazy("Theft")),
    Column("staff", gettext_lazy("Devices on loan to staff")),
]
BREAKDOWN_COLUMNS = [
    column for column in PUPIL_COLUMNS + INTERNET_COLUMNS + DEVICE_COLUMNS
    if column.key not in {"loans_started", "paper", "other", "damage", "loss", "theft"}
]


def _shown(key, members, subtotal):
    values = [member[key] for member in members]
    if key not in PUPIL_FIGURES:
        return sum(values)
    return subtotal_cell(values) if subtotal else group_cell(values)


def group_cells(columns, members, *, subtotal=False):
    """Finished cells for one row, the grand total (all rows) or a breakdown group (subtotal=True)."""
    cells = []
    for column in columns:
        if column.of:
            numerator, denominator = column.of
            cells.append(rate(
                sum(m[numerator] for m in members), sum(m[denominator] for m in members),
                _shown(numerator, members, subtotal), _shown(denominator, members, subtotal),
            ))
        else:
            cells.append(str(_shown(column.key, members, subtotal)))
    return cells


def school_label(school):
    return f"{school['name']} ({school['municipality']})" if school["municipality"] else school["name"]


def per_school_table(key, title, columns, rows):
    table = Table(key, title, [_("School"), *[str(c.label) for c in columns]])
    table.rows = [[school_label(row["school"]), *group_cells(columns, [row])] for row in rows]
    if len(rows) > 1:
        table.total = [_("Total"), *group_cells(columns, rows)]
    return table


# Ways to group schools: a label for the grouping, and the group label of one school.
def _level(school):
    return str(dict(EducationLevel.choices).get(school["level"], school["level"]))


def _needs(school):
    return _("Special needs (buitengewoon)") if school["special_needs"] else _("Mainstream (gewoon)")


def _network(school):
    return str(dict(Network.choices).get(school["network"], _("Unknown")))


def _province(school):
    return str(dict(Province.choices).get(school["province"], school["province"]))


def _education_type(school):
    return f"{_level(school)} · {_needs(school)}"


DIMENSIONS = {
    "level": (gettext_lazy("By education level"), gettext_lazy("Education level"), _level),
    "needs": (gettext_lazy("Mainstream or special needs"), gettext_lazy("Type"), _needs),
    "type": (gettext_lazy("By type of education"), gettext_lazy("Type of education"), _education_type),
    "network": (gettext_lazy("By network"), gettext_lazy("Network"), _network),
    "province": (gettext_lazy("By province"), gettext_lazy("Province"), _province),
}


def _groups(rows, label_of):
    groups = {}
    for row in rows:
        groups.setdefault(label_of(row["school"]), []).append(row)
    return sorted(groups.items())


def breakdown_table(dimension, rows):
    title, heading, label_of = DIMENSIONS[dimension]
    table = Table(f"by-{dimension}", str(title),
                  [str(heading), _("Schools"), *[str(c.label) for c in BREAKDOWN_COLUMNS]])
    table.rows = [[label, str(len(members)), *group_cells(BREAKDOWN_COLUMNS, members, subtotal=True)]
                  for label, members in _groups(rows, label_of)]
    if len(table.rows) > 1:
        table.total = [_("Total"), str(len(rows)), *group_cells(BREAKDOWN_COLUMNS, rows)]
    return table


def kinds_table(rows):
    """Devices are not about pupils: no suppression."""
    total = sum(row["devices"] for row in rows)
    table = Table("devices-by-kind", _("Devices in use by kind"), [_("Kind"), _("Devices"), _("Share")])
    for kind, label in Device.Kind.choices:
        count = sum(row[kind] for row in rows)
        table.rows.append([str(label), str(count), rate(count, total)])
    table.total = [_("Total"), str(total), rate(total, total)]
    return table


def _euro(value):
    return str(int(Decimal(value).quantize(Decimal("1"))))


def funding_table(rows):
    table = Table("devices-by-funding", _("Devices in use by funding source"),
                  [_("Funding source"), _("Devices"), _("Purchase value (euro)"), _("Value counted (euro)")])
    totals = [0, Decimal(0), Decimal(0)]
    for source, label in Device.Funding.choices:
        count = sum(row["funding"].get(source, (0, 0))[0] for row in rows)
        value = sum((row["funding"].get(source, (0, 0))[1] for row in rows), Decimal(0))
        counted = value * Device.GOVERNMENT_2020_SHARE if source == Device.Funding.GOVERNMENT_2020 else value
        table.rows.append([str(label), str(count), _euro(value), _euro(counted)])
        totals = [totals[0] + count, totals[1] + value, totals[2] + counted]
    table.total = [_("Total"), str(totals[0]), _euro(totals[1]), _euro(totals[2])]
    return table


def without_devices_table(rows):
    """Share of schools without any device in use, per province and education level."""
    levels = EducationLevel.choices
    header = [_("Province")]
    for _value, label in levels:
        header += [f"{label}: {_('schools')}", f"{label}: {_('without devices')}", f"{label}: {_('share')}"]
    table = Table("schools-without-devices", _("Schools without devices"), header)

    def cells(members):
        out = []
        for value, _label in levels:
            at_level = [m for m in members if m["school"]["level"] == value]
            without = sum(1 for m in at_level if not m["devices"])
            out += [str(len(at_level)), str(without), rate(without, len(at_level))]
        return out

    table.rows = [[label, *cells(members)] for label, members in _groups(rows, _province)]
    table.total = [_("Total"), *cells(rows)]
    return table


def trend_table(trend, rows):
    """Whole-report counts per month: column totals over the schools' counts at that month end,
    hidden by the same rule as any total (the last month is the per-school table's total)."""
    columns = [PUPIL_COLUMNS[4], PUPIL_COLUMNS[6], PUPIL_COLUMNS[7]]
    table = Table("trend", _("At the end of each month"), [_("Month"), *[str(c.label) for c in columns]])
    nothing = {"open_pupil": 0, "signed": 0}
    for point in trend:
        members = [point["schools"].get(row["school"]["id"], nothing) for row in rows]
        table.rows.append([date_format(point["month"], "YEAR_MONTH_FORMAT"), *group_cells(columns, members)])
    return table


def chart_items(table, rate_column):
    """(label, percentage or None, text) for each row of a table, from its finished cells."""
    index = table.header.index(rate_column)
    items = []
    for row in table.rows:
        text = row[index]
        percent = int(text[:-1]) if text.endswith("%") else None
        items.append((row[0], percent, text or _("no figures")))
    return items


# What each report shows: per-school tables, then breakdowns by these dimensions.
BREAKDOWNS = {"lop": ["level", "needs", "network", "province"], "flanders": ["type", "province", "network"],
              "school": []}


def build(scope, schools, year):
    """Every table and chart of one report: 10 queries, whatever the number of schools."""
    rows = school_rows(schools, year)
    pupils = per_school_table("pupils", _("Pupils, loans and agreements"), PUPIL_COLUMNS, rows)
    tables = [
        pupils,
        per_school_table("internet", _("Internet at home and internet codes"), INTERNET_COLUMNS, rows),
        per_school_table("devices", _("Devices, incidents and staff devices"), DEVICE_COLUMNS, rows),
        *[breakdown_table(dimension, rows) for dimension in BREAKDOWNS[scope]],
        kinds_table(rows),
        funding_table(rows),
    ]
    if scope == "flanders":
        tables.append(without_devices_table(rows))
    tables.append(trend_table(monthly_trend(schools, year), rows))
    by_key = {table.key: table for table in tables}
    chart_list = []
    coverage = str(PUPIL_COLUMNS[3].label)
    activation = str(INTERNET_COLUMNS[3].label)
    if scope == "flanders":
        chart_list.append(charts.bar_chart(
            "chart-coverage", _("Coverage per type of education"),
            _("Share of pupils who need a device and have one on loan."),
            chart_items(by_key["by-type"], coverage), "by-type"))
    else:
        chart_list.append(charts.bar_chart(
            "chart-coverage", _("Coverage per school"),
            _("Share of pupils who need a device and have one on loan."),
            chart_items(pupils, coverage), "pupils"))
    if scope != "school":
        chart_list.append(charts.bar_chart(
            "chart-activation", _("Activation rate of internet codes per province"),
            _("Share of the internet codes handed out in the school year that were activated."),
            chart_items(by_key["by-province"], activation), "by-province"))
    # Only finished cells leave this module: the raw counts never reach a template.
    chart_list.append(charts.bar_chart(
        "chart-signed", _("Agreements signed at the end of each month"),
        _("Share of open loans to pupils with a signed agreement at each month end."),
        chart_items(by_key["trend"], str(PUPIL_COLUMNS[7].label)), "trend"))
    return {"tables": tables, "charts": chart_list}
