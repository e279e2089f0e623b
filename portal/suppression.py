"""Small-count suppression for figures about pupils and households.

A count from 1 to 4 shows as "<5". A column total is shown only when nobody can work a
hidden cell back out of it: knowing the total, the visible cells, and that every hidden
cell lies between 1 and 4, each hidden cell must still have more than one possible value.
"""
from dataclasses import dataclass

SMALLEST_SHOWN = 5
HIDDEN = "<5"
TOTAL_HIDDEN = "–"


@dataclass(frozen=True)
class Cell:
    value: int
    hidden: bool

    def __str__(self):
        return HIDDEN if self.hidden else str(self.value)


def cell(value: int) -> Cell:
    return Cell(value=value, hidden=0 < value < SMALLEST_SHOWN)


def total_is_safe(values: list[int]) -> bool:
    hidden = [v for v in values if 0 < v < SMALLEST_SHOWN]
    if not hidden:
        return True
    count, hidden_sum = len(hidden), sum(hidden)
    lowest_possible = max(1, hidden_sum - (SMALLEST_SHOWN - 1) * (count - 1))
    highest_possible = min(SMALLEST_SHOWN - 1, hidden_sum - (count - 1))
    return lowest_possible < highest_possible


def column_total(values: list[int]) -> Cell | str:
    total = sum(values)
    if not total_is_safe(values):
        return TOTAL_HIDDEN
    return cell(total)
