import itertools

import pytest

from portal.suppression import HIDDEN, TOTAL_HIDDEN, cell, column_total, total_is_safe


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
