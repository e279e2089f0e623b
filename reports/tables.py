"""Turn roll-up rows into the tables a report shows and exports, cell for cell.

Every cell is a finished string ("12", "<5", "–", "40%") so the page, the CSV and the XLSX cannot
disagree: they all print these same tables. Per-school cells carry the disclosure control decided
in the roll-up (reports/suppression.py); a total is exact unless that control hid it.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from operator import itemgetter

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from portal.models import EducationLevel, Network, Province

from .figures import DEVICE_FIGURES, PERSON_FIGURES
from .suppression import TOTAL_HIDDEN, rate


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
    per_school: bool = False

    @property
    def all_rows(self):
        return [self.header, *self.rows, *([self.total] if self.total else [])]

    def head_html(self):
        return mark_safe("".join(f'<th scope="col">{escape(label)}</th>' for label in self.header))

    def foot_html(self):
        if not self.total:
            return ""
        head, *cells = self.total
        return mark_safe(f'<th scope="row">{escape(head)}</th>' + "".join(f"<td>{escape(c)}</td>" for c in cells))

    def body_html(self):
        """The <tbody> rows as one string: cheaper than a template loop per cell."""
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
    Column("activated", gettext_lazy("Of those, activated (so far)")),
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
    Column("staff", gettext_lazy("Staff with a device on loan")),
    Column("staff_head_count", gettext_lazy("Staff head count")),
]
BREAKDOWN_COLUMNS = [
    column for column in PUPIL_COLUMNS + INTERNET_COLUMNS + DEVICE_COLUMNS
    if column.key not in {"loans_started", "paper", "other", "damage", "loss", "theft", "staff_head_count"}
]
PER_SCHOOL = ("pupils", "internet", "devices")


class Members(list):
    """The schools (roll-up rows) of one group, with their sums and hidden totals worked out once:
    3,800 schools in five groupings and twenty columns must not be summed column by column."""

    def sums(self):
        if not hasattr(self, "_sums"):
            columns = zip(*map(_summed_values, self), strict=True) if self else [(0,)] * len(SUMMED)
            self._sums = dict(zip(SUMMED, map(sum, columns), strict=True))
        return self._sums

    def hidden(self, scope_name):
        if not hasattr(self, "_hidden"):
            hidden = set()
            for member in self:
                hidden |= member["group_hidden"]
                if scope_name == "lop":
                    hidden |= member["lop_total_hidden"]
            self._hidden = hidden
        return self._hidden


SUMMED = PERSON_FIGURES + DEVICE_FIGURES
_summed_values = itemgetter(*SUMMED)


def members_of(rows):
    return rows if isinstance(rows, Members) else Members(rows)


class Scope:
    """Which totals a report may show: an LOP report also hides totals its LOP must not show."""

    def __init__(self, name):
        self.name = name

    def hidden_totals(self, members) -> set:
        """The figures whose total over these schools must not show."""
        return members_of(members).hidden(self.name)

    def total_hidden(self, figure, members):
        return figure in self.hidden_totals(members)

    def total(self, figure, members):
        members = members_of(members)
        if figure in PERSON_FIGURES and figure in members.hidden(self.name):
            return TOTAL_HIDDEN
        if figure == "staff_head_count":
            known = [m[figure] for m in members if m[figure] is not None]
            return str(sum(known)) if known else ""
        return str(members.sums()[figure])


def school_cell(row, figure):
    if figure == "staff_head_count":
        return "" if row[figure] is None else str(row[figure])
    return row["hidden"].get(figure) or str(row[figure])


def _cells(columns, texts, members):
    sums = members_of(members).sums()
    cells = []
    for column in columns:
        if column.of:
            numerator, denominator = column.of
            cells.append(rate(sums[numerator], sums[denominator], texts[numerator], texts[denominator]))
        else:
            cells.append(texts[column.key])
    return cells


def _keys(columns):
    return {c.key for c in columns if not c.of} | {key for c in columns for key in c.of}


def row_cells(columns, row):
    texts = {key: school_cell(row, key) for key in _keys(columns)}
    return [rate(row[c.of[0]], row[c.of[1]], texts[c.of[0]], texts[c.of[1]]) if c.of else texts[c.key]
            for c in columns]


def total_cells(columns, members, scope):
    members = members_of(members)
    return _cells(columns, {key: scope.total(key, members) for key in _keys(columns)}, members)


def school_label(school):
    return f"{school['name']} ({school['municipality']})" if school["municipality"] else school["name"]


def per_school_table(key, title, columns, rows, shown_rows, scope):
    """All rows' total; the rows themselves only for ``shown_rows`` (a page of them on screen)."""
    table = Table(key, title, [_("School"), *[str(c.label) for c in columns]], per_school=True)
    table.rows = [[school_label(row["school"]), *row_cells(columns, row)] for row in shown_rows]
    if len(rows) > 1:
        table.total = [_("Total"), *total_cells(columns, rows, scope)]
    return table


# Ways to group schools: a label for the grouping, and the group label of one school.
@lru_cache(maxsize=64)
def _labels(choices, language):
    """A choices class's labels in one language (3,800 schools ask for the same few)."""
    return {value: str(label) for value, label in choices.choices}


def _label(choices, value, default):
    return _labels(choices, get_language()).get(value, default)


def level_label(school):
    return _label(EducationLevel, school["level"], school["level"])


def _needs(school):
    return _("Special needs (buitengewoon)") if school["special_needs"] else _("Mainstream (gewoon)")


def _network(school):
    return _label(Network, school["network"], _("Unknown"))


def province_label(school):
    return _label(Province, school["province"], school["province"])


def type_label(school):
    return f"{level_label(school)} · {_needs(school)}"


DIMENSIONS = {
    "level": (gettext_lazy("By education level"), gettext_lazy("Education level"), level_label),
    "needs": (gettext_lazy("Mainstream or special needs"), gettext_lazy("Type"), _needs),
    "type": (gettext_lazy("By type of education"), gettext_lazy("Type of education"), type_label),
    "network": (gettext_lazy("By network"), gettext_lazy("Network"), _network),
    "province": (gettext_lazy("By province"), gettext_lazy("Province"), province_label),
}


def groups(rows, label_of):
    """(label, Members) per group, sorted by label; each distinct kind of school is labelled once, and
    a report's rows are split once per grouping (several tables group by province)."""
    cache = rows.__dict__.setdefault("_groups", {}) if isinstance(rows, Members) else {}
    if label_of not in cache:
        cache[label_of] = _split(rows, label_of)
    return cache[label_of]


def _split(rows, label_of):
    found, labels = {}, {}
    for row in rows:
        school = row["school"]
        key = (school["level"], school["special_needs"], school["network"], school["province"])
        if key not in labels:
            labels[key] = label_of(school)
        found.setdefault(labels[key], Members()).append(row)
    return sorted(found.items())


def breakdown_table(dimension, rows, scope):
    title, heading, label_of = DIMENSIONS[dimension]
    table = Table(f"by-{dimension}", str(title),
                  [str(heading), _("Schools"), *[str(c.label) for c in BREAKDOWN_COLUMNS]])
    table.rows = [[label, str(len(members)), *total_cells(BREAKDOWN_COLUMNS, members, scope)]
                  for label, members in groups(rows, label_of)]
    if len(table.rows) > 1:
        table.total = [_("Total"), str(len(rows)), *total_cells(BREAKDOWN_COLUMNS, rows, scope)]
    return table


def euro(value):
    return str(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
