"""Small-count suppression for figures about pupils and households.

A count from 1 to 4 shows as "<5". A column total is shown only when nobody can work a
hidden cell back out of it: knowing the total, the visible cells, and that every hidden
cell lies between 1 and 4, each hidden cell must still have more than one possible value.

That check holds for one total at a time. Several totals over crossing groups of the same
rows (by level, by network, ...) could be combined to pin a hidden cell down, so a page shows
at most one total that rests on hidden cells: the grand total. A subtotal over several rows
(a breakdown group) is shown only when none of its rows is hidden (``subtotal_cell``); then it
is a sum of visible numbers and tells nothing new.
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


# A rate built on a hidden count would give the count away: it shows as "–" too.
RATE_HIDDEN = TOTAL_HIDDEN


def group_cell(values: list[int]) -> Cell | str:
    """The figure for a group of rows whose own cells are on the same page.

    One row: its own cell. Several: a column total, shown only when it gives no hidden cell away.
    """
    return cell(values[0]) if len(values) == 1 else column_total(values)


def subtotal_cell(values: list[int]) -> Cell | str:
    """A breakdown group's figure: its one row's cell, or a sum only of rows that are all visible."""
    if len(values) == 1:
        return cell(values[0])
    if any(0 < v < SMALLEST_SHOWN for v in values):
        return TOTAL_HIDDEN
    return cell(sum(values))


def is_visible(shown) -> bool:
    return not (shown == TOTAL_HIDDEN or getattr(shown, "hidden", False))


def rate(numerator, denominator, numerator_shown=None, denominator_shown=None) -> str:
    """A percentage, hidden when either count it is built on is hidden; empty when nothing to divide."""
    if not denominator:
        return ""
    for shown in (numerator_shown, denominator_shown):
        if shown is not None and not is_visible(shown):
            return RATE_HIDDEN
    return f"{round(100 * numerator / denominator)}%"
