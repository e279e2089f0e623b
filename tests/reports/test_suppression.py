import itertools

import pytest

from reports.suppression import (
    HIDDEN,
    RATE_HIDDEN,
    TOTAL_HIDDEN,
    cell,
    column_total,
    group_cell,
    is_visible,
    rate,
    subtotal_cell,
    total_is_safe,
)


@pytest.mark.parametrize("value, shown", [(0, "0"), (1, HIDDEN), (4, HIDDEN), (5, "5"), (120, "120")])
def test_counts_from_one_to_four_are_hidden(value, shown):
    assert str(cell(value)) == shown


def test_total_with_one_hidden_cell_is_hidden():
    assert column_total([20, 3]) == TOTAL_HIDDEN


def test_total_with_two_hidden_cells_that_could_be_told_apart_is_hidden():
    assert column_total([20, 1, 1]) == TOTAL_HIDDEN  # sum 2 over two cells: both must be 1
    assert column_total([20, 4, 4]) == TOTAL_HIDDEN  # sum 8 over two cells: both must be 4


def test_total_is_shown_when_hidden_cells_stay_ambiguous():
    assert str(column_total([20, 2, 3])) == "25"
    assert str(column_total([20, 0, 7])) == "27"


def test_no_shown_total_ever_pins_down_a_hidden_cell():
    """Brute force: for every column of three small cells, a shown total leaves each cell ambiguous."""
    for values in itertools.product(range(0, 7), repeat=3):
        if not total_is_safe(list(values)):
            continue
        hidden = [v for v in values if 0 < v < 5]
        if not hidden:
            continue
        hidden_sum = sum(hidden)
        possible = [c for c in itertools.product(range(1, 5), repeat=len(hidden)) if sum(c) == hidden_sum]
        for position in range(len(hidden)):
            assert len({c[position] for c in possible}) > 1, values


def test_a_group_of_one_row_shows_that_rows_cell():
    assert str(group_cell([3])) == HIDDEN
    assert str(group_cell([7])) == "7"
    assert group_cell([7, 3]) == TOTAL_HIDDEN  # a group total follows the column-total rule
    assert str(group_cell([7, 2, 3])) == "12"


def test_rates_built_on_hidden_counts_are_hidden():
    assert rate(3, 10, cell(3), cell(10)) == RATE_HIDDEN
    assert rate(10, 12, cell(10), cell(12)) == "83%"
    assert rate(10, 13, cell(10), column_total([10, 3])) == RATE_HIDDEN  # the total it rests on is hidden
    assert rate(0, 0) == ""  # nothing to divide: an empty cell, not 0%


def test_is_visible():
    assert is_visible(cell(0)) and is_visible(cell(5)) and is_visible(12)
    assert not is_visible(cell(4)) and not is_visible(TOTAL_HIDDEN)


def test_a_breakdown_subtotal_never_rests_on_a_hidden_cell():
    """Crossing subtotals (by level, by network) could be combined; only the grand total may hide cells."""
    assert str(column_total([10, 2, 3])) == "15"
    assert subtotal_cell([10, 2, 3]) == TOTAL_HIDDEN
    assert str(subtotal_cell([10, 0, 7])) == "17"
    assert str(subtotal_cell([3])) == HIDDEN


def test_crossing_subtotals_could_pin_a_cell_down():
    """Why: a+b=5 (one level), a+c=5 (one network) and a+b+c=7 (the total) leave only a=3."""
    solutions = [(a, b, c) for a in range(1, 5) for b in range(1, 5) for c in range(1, 5)
                 if a + b == 5 and a + c == 5 and a + b + c == 7]
    assert solutions == [(3, 2, 2)]
    assert total_is_safe([3, 2]) and total_is_safe([3, 2, 2])  # each total alone looks safe
    assert subtotal_cell([3, 2]) == TOTAL_HIDDEN
