"""The disclosure-control rules on small groups of cells (the whole-report proof is test_disclosure_lp.py)."""
import itertools

import pytest

from reports.suppression import HIDDEN, SUPPRESSED, Cell, percent, pinned, primary_state, protect, rate


@pytest.mark.parametrize("value, state", [(0, ""), (1, HIDDEN), (4, HIDDEN), (5, ""), (120, "")])
def test_counts_from_one_to_four_are_hidden(value, state):
    assert primary_state({"in_scope": value}, "in_scope") == state


def test_a_count_about_fewer_than_five_people_hides_whatever_its_value():
    """One pupil in scope: "<5 need a device" would say that pupil needs one, and "0" that they do not."""
    assert primary_state({"in_scope": 1, "flagged": 1}, "flagged") == SUPPRESSED
    assert primary_state({"in_scope": 1, "flagged": 0}, "flagged") == SUPPRESSED
    assert primary_state({"in_scope": 0, "flagged": 0}, "flagged") == ""
    assert primary_state({"in_scope": 9, "flagged": 3}, "flagged") == HIDDEN


def _cells(values, high=10**9):
    return [Cell(n, value, 0, high, primary_state({"x": value}, "x")) for n, value in enumerate(values)]


def _brute_force_safe(cells, insider):
    """Every integer assignment of the hidden cells within their bounds with the same sum: each hidden
    cell (not the insider's) must take at least two values."""
    hidden = [c for c in cells if c.state and c.school != insider]
    if not hidden:
        return True
    total = sum(c.value for c in hidden)
    ranges = [range(c.bounds()[0], min(c.bounds()[1], total) + 1) for c in hidden]
    solutions = [s for s in itertools.product(*ranges) if sum(s) == total]
    return all(len({s[i] for s in solutions}) > 1 for i in range(len(hidden)))


@pytest.mark.parametrize("values", [
    [3, 20, 0, 7], [1, 1, 0, 0, 9, 12], [4, 4, 30, 5], [2, 0, 0, 0, 0, 6], [3, 8, 9, 10], [1, 2, 3, 40, 0],
])
def test_protection_holds_for_every_insider(values):
    cells = _cells(values)
    assert protect(cells)
    for insider in [None, *range(len(values))]:
        assert not pinned(cells, insider)
        assert _brute_force_safe(cells, insider), (values, insider, [c.state for c in cells])


def test_every_small_group_is_protected_or_refused():
    """All groups of four schools with counts 0-6: protect() either protects (checked by brute force)
    or says it cannot, never a pattern that leaves a hidden cell pinned."""
    for values in itertools.product(range(0, 7), repeat=4):
        cells = _cells(list(values))
        if protect(cells):
            for insider in [None, *range(4)]:
                assert _brute_force_safe(cells, insider), (values, insider)


def test_a_lone_small_count_cannot_be_protected_in_a_group_of_one_or_two():
    assert not protect(_cells([3]))
    assert not protect(_cells([3, 9]))  # the other school knows its 9 and so the 3


def test_the_issues_example_is_no_longer_possible():
    """Covered total 12, own school 7, the visible rest 0, two hidden schools share 5: with an insider at
    the school of 7, the two hidden cells (and the complements added) must each keep two values."""
    cells = _cells([7, 0, 2, 3, 0])
    assert protect(cells)
    assert not pinned(cells, insider=0)
    assert sum(1 for c in cells if c.state) >= 3


def test_rates_and_percentages():
    assert percent(5, 8) == "63%"  # 62.5 rounds up, not to even
    assert percent(1, 3) == "33%"
    assert rate(3, 10, HIDDEN, "10") == SUPPRESSED
    assert rate(10, 12, "10", "12") == "83%"
    assert rate(0, 0) == ""
