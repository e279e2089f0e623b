"""What a report's tables need from a group of schools, added up once.

Every table and total reads these summaries, never the schools one by one, so a group of 3,800
schools costs what a group of one costs. A summary is made from per-school roll-up rows, and the
roll-up also stores one per *part* (the schools of one LOP with the same province, level, type and
network, the unit the disclosure control protects): the Flanders view and the LOP report add up
those few hundred stored parts instead of reading every school (reports/rollup.py).

Summaries add up exactly (integers, and money and budget shares as decimals of fixed places), so a
report built from the stored parts equals one built from the schools' rows, cell for cell.
"""
import json
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter

from lending.models import Device

from .figures import DEVICE_FIGURES, PERSON_FIGURES

SUMMED = PERSON_FIGURES + DEVICE_FIGURES
_summed = itemgetter(*SUMMED)
# A school's share of its Digisprong budget, in fixed places: summed in any order, the same total.
SHARE_PLACES = Decimal("1e-12")
GOVERNMENT = Device.Funding.GOVERNMENT_2020


@dataclass
class Summary:
    schools: int = 0
    sums: dict = field(default_factory=lambda: dict.fromkeys(SUMMED, 0))
    # Figures whose total over any group containing these schools must not show (reports/suppression.py),
    # and those an LOP's own totals must not show as well.
    group_hidden: set = field(default_factory=set)
    lop_hidden: set = field(default_factory=set)
    equipped: int = 0  # schools with a device in use
    started_lending: int = 0
    # The schools that entered a staff head count: how many, the head count, their staff with a device,
    # and whether that staff total hides (group, LOP).
    counted: int = 0
    heads: int = 0
    counted_staff: int = 0
    counted_staff_hidden: tuple = (False, False)
    # Funding source -> [schools using it, devices, purchase value].
    funding: dict = field(default_factory=dict)
    # The November 2020 laptops: schools using them, laptops, value counted, schools among them with a
    # budget entered, and the sum of their shares of it.
    government: list = field(default_factory=lambda: [0, 0, Decimal(0), 0, Decimal(0)])

    @classmethod
    def of_rows(cls, rows) -> "Summary":
        """Schools' roll-up rows (reports.rollup.year_rows), added up in one pass per figure."""
        rows = list(rows)
        if not rows:
            return cls()
        columns = zip(*map(_summed, rows), strict=True)
        summary = cls(schools=len(rows), sums=dict(zip(SUMMED, map(sum, columns), strict=True)),
                      group_hidden=set().union(*(row["group_hidden"] for row in rows)),
                      lop_hidden=set().union(*(row["lop_total_hidden"] for row in rows)),
                      equipped=sum(1 for row in rows if row["devices"]),
                      started_lending=sum(1 for row in rows if row["started_lending"]))
        counted = [row for row in rows if row["staff_head_count"] is not None]
        summary.counted = len(counted)
        summary.heads = sum(row["staff_head_count"] for row in counted)
        summary.counted_staff = sum(row["staff"] for row in counted)
        summary.counted_staff_hidden = (any("staff" in row["group_hidden"] for row in counted),
                                        any("staff" in row["lop_total_hidden"] for row in counted))
        for row in rows:
            for source, (count, value) in row["funding"].items():
                mine = summary.funding.setdefault(source, [0, 0, Decimal(0)])
                mine[0] += bool(count)
                mine[1] += count
                mine[2] += Decimal(value)
            count, value = row["funding"].get(GOVERNMENT, (0, "0"))
            if count:
                counted_value = Decimal(value) * Device.GOVERNMENT_2020_SHARE
                budget = Decimal(row["digisprong_budget"] or 0)
                share = (counted_value / budget).quantize(SHARE_PLACES) if budget > 0 else Decimal(0)
                summary.government = [a + b for a, b in zip(summary.government,
                                                             [1, count, counted_value, int(budget > 0), share],
                                                             strict=True)]
        return summary

    @classmethod
    def total(cls, summaries) -> "Summary":
        result = cls()
        for summary in summaries:
            result.add(summary)
        return result

    def add(self, other: "Summary") -> None:
        self.schools += other.schools
        for figure, value in other.sums.items():
            self.sums[figure] += value
        self.group_hidden |= other.group_hidden
        self.lop_hidden |= other.lop_hidden
        self.equipped += other.equipped
        self.started_lending += other.started_lending
        self.counted += other.counted
        self.heads += other.heads
        self.counted_staff += other.counted_staff
        self.counted_staff_hidden = tuple(a or b for a, b in zip(self.counted_staff_hidden, other.counted_staff_hidden,
                                                                  strict=True))
        for source, values in other.funding.items():
            mine = self.funding.setdefault(source, [0, 0, Decimal(0)])
            for index, value in enumerate(values):
                mine[index] += value
        self.government = [a + b for a, b in zip(self.government, other.government, strict=True)]

    def hidden(self, scope_name) -> set:
        return self.group_hidden | self.lop_hidden if scope_name == "lop" else self.group_hidden

    def staff_of_counted_hidden(self, scope_name) -> bool:
        group, lop = self.counted_staff_hidden
        return group or (lop and scope_name == "lop")

    # Stored as compact JSON in reports.models.PartFigures.
    def dumps(self) -> str:
        return json.dumps([self.schools, [self.sums[f] for f in SUMMED], sorted(self.group_hidden),
                           sorted(self.lop_hidden), self.equipped, self.started_lending, self.counted, self.heads,
                           self.counted_staff, list(self.counted_staff_hidden),
                           {source: [a, b, str(c)] for source, (a, b, c) in self.funding.items()},
                           [str(value) for value in self.government]], separators=(",", ":"))

    @classmethod
    def loads(cls, text) -> "Summary":
        (schools, sums, group_hidden, lop_hidden, equipped, started, counted, heads, counted_staff,
         counted_staff_hidden, funding, government) = json.loads(text)
        return cls(schools=schools, sums=dict(zip(SUMMED, sums, strict=True)), group_hidden=set(group_hidden),
                   lop_hidden=set(lop_hidden), equipped=equipped, started_lending=started, counted=counted,
                   heads=heads, counted_staff=counted_staff, counted_staff_hidden=tuple(counted_staff_hidden),
                   funding={source: [a, b, Decimal(c)] for source, (a, b, c) in funding.items()},
                   government=[int(v) if i in (0, 1, 3) else Decimal(v) for i, v in enumerate(government)])
