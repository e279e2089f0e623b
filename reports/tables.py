"""Turn roll-up rows into the tables a report shows and exports, cell for cell.

Every cell is a finished string ("12", "<5", "–", "40%") so the page, the CSV and the XLSX cannot
disagree: they all print these same tables. Per-school cells carry the disclosure control decided
in the roll-up (reports/suppression.py); a total is exact unless that control hid it.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from portal.models import EducationLevel, Network, Province

from .figures import PERSON_FIGURES
from .summary import Summary
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


KIND_FIELDS = ("level", "special_needs", "network", "province")


class Parts(list):
    """A report's schools as (key, Summary) parts: one per school, or one per stored part of the roll-up.
    A key holds what groups are formed on (KIND_FIELDS). Every grouping is a union of *kinds* (one
    value of each of those fields), so the parts are added up per kind once, and each grouping adds
    up those few kinds, once per report."""

    def __init__(self, parts=()):
        super().__init__(parts)
        self._groups = {}
        self._wheres = {}
        self._kinds = None
        self._total = None

    @classmethod
    def of_rows(cls, rows):
        """One part per kind of school: what every grouping is made of."""
        kinds = {}
        for row in rows:
            kinds.setdefault(tuple(row["school"][field] for field in KIND_FIELDS), []).append(row)
        return cls((dict(zip(KIND_FIELDS, kind, strict=True)), Summary.of_rows(members))
                   for kind, members in kinds.items())

    @property
    def kinds(self) -> list:
        """[(key, Summary)], one per kind of school present."""
        if self._kinds is None:
            kinds = {}
            for key, summary in self:
                kind = tuple(key[field] for field in KIND_FIELDS)
                if kind not in kinds:
                    kinds[kind] = ({field: key[field] for field in KIND_FIELDS}, Summary())
                kinds[kind][1].add(summary)
            self._kinds = list(kinds.values())
        return self._kinds

    @property
    def total(self) -> Summary:
        if self._total is None:
            self._total = Summary.total(summary for _key, summary in self.kinds)
        return self._total

    def groups(self, label_of, **fields):
        """(label, Summary, the kinds' keys) per group of the kinds that match ``fields``, sorted by label."""
        cache_key = (label_of, tuple(sorted(fields.items())))
        if cache_key not in self._groups:
            found = {}
            for key, summary in self.kinds:
                if all(key[f] == v for f, v in fields.items()):
                    group = found.setdefault(label_of(key), (Summary(), []))
                    group[0].add(summary)
                    group[1].append(key)
            self._groups[cache_key] = [(label, summary, keys) for label, (summary, keys) in sorted(found.items())]
        return self._groups[cache_key]

    def where(self, **fields) -> Summary:
        """The sum of the kinds that match ``fields`` (several tables ask for the same level)."""
        cache_key = tuple(sorted(fields.items()))
        if cache_key not in self._wheres:
            self._wheres[cache_key] = Summary.total(
                summary for key, summary in self.kinds if all(key[f] == v for f, v in fields.items()))
        return self._wheres[cache_key]


class Scope:
    """Which totals a report may show: an LOP report also hides totals its LOP must not show."""

    def __init__(self, name):
        self.name = name

    def hidden_totals(self, summary: Summary) -> set:
        """The figures whose total over these schools must not show."""
        return summary.hidden(self.name)

    def total_hidden(self, figure, summary: Summary):
        return figure in self.hidden_totals(summary)

    def total(self, figure, summary: Summary):
        if figure in PERSON_FIGURES and figure in summary.hidden(self.name):
            return TOTAL_HIDDEN
        if figure == "staff_head_count":
            return str(summary.heads) if summary.counted else ""
        return str(summary.sums[figure])


def school_cell(row, figure):
    if figure == "staff_head_count":
        return "" if row[figure] is None else str(row[figure])
    return row["hidden"].get(figure) or str(row[figure])


def _cells(columns, texts, summary):
    sums = summary.sums
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


def total_cells(columns, summary: Summary, scope):
    return _cells(columns, {key: scope.total(key, summary) for key in _keys(columns)}, summary)


def school_label(school):
    return f"{school['name']} ({school['municipality']})" if school["municipality"] else school["name"]


def per_school_table(key, title, columns, total: Summary, shown_rows, scope):
    """Every school's total; the rows themselves only for ``shown_rows`` (a page of them on screen)."""
    table = Table(key, title, [_("School"), *[str(c.label) for c in columns]], per_school=True)
    table.rows = [[school_label(row["school"]), *row_cells(columns, row)] for row in shown_rows]
    if total.schools > 1:
        table.total = [_("Total"), *total_cells(columns, total, scope)]
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


def breakdown_table(dimension, parts: Parts, scope):
    title, heading, label_of = DIMENSIONS[dimension]
    table = Table(f"by-{dimension}", str(title),
                  [str(heading), _("Schools"), *[str(c.label) for c in BREAKDOWN_COLUMNS]])
    table.rows = [[label, str(summary.schools), *total_cells(BREAKDOWN_COLUMNS, summary, scope)]
                  for label, summary, _group_keys in parts.groups(label_of)]
    if len(table.rows) > 1:
        table.total = [_("Total"), str(parts.total.schools), *total_cells(BREAKDOWN_COLUMNS, parts.total, scope)]
    return table


def euro(value):
    return str(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
