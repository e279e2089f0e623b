"""Disclosure control for counts about people: primary and complementary (secondary) cell suppression.

Method. We follow cell suppression as the statistical offices' handbook describes it: Hundepool et
al., *Handbook on Statistical Disclosure Control* (ESSnet SDC; 2nd edition online at
sdctools.github.io/HandbookSDC), chapter 5 "Frequency tables" for the threshold rule on counts and
chapter 4 "Magnitude tabular data" for primary and secondary (complementary) suppression in linked
tables, protection intervals, and respondents who know their own contribution; printed as Hundepool
et al., *Statistical Disclosure Control*, Wiley 2012. Our own choices within it:

1. Primary suppression (threshold rule). A school's count of 1 to 4 people shows as "<5". A count
   about a group of 1 to 4 people (``PART_OF``: the pupils who need a device of a school with 3
   pupils in scope) shows as "–" whatever its value, 0 included: there "some" or "none" would
   already say something about each of them.
2. Complementary suppression inside a stratum. Every table any report shows (per LOP, per province,
   per type, per network, per level, Flanders, each month) adds up whole *strata*: the schools of
   one LOP with the same province, level, mainstream/special needs and network. So the hidden
   cells of a stratum are protected in every table at once when they can trade values among
   themselves without changing the stratum's sum (another table with the same totals). We suppress
   extra cells of the stratum, smallest first, until that holds for a viewer who knows the stratum's
   sum *and* the exact figures of any one of its schools (a respondent who subtracts their own
   contribution): then every hidden cell keeps at least two feasible values. Bounds come from what a
   viewer sees of the figures' logic (covered <= need a device <= pupils in scope, ...). Where every
   hidden count sits at the bottom of "<5" (many schools with one incident), they show as "–", so
   a one may also be a zero.
3. Fallbacks. A stratum too small to protect itself (one or two schools) is protected together with
   the other LOPs' schools of the same province, level, type and network; the LOP totals of that
   figure then show "–" for the LOPs involved. Where even that is too small, every total containing
   the stratum shows "–" (its own cells keep only their primary suppression: no sum includes them).

Totals over strata are then exact: they cannot give a hidden cell away, which
``tests/reports/test_disclosure_lp.py`` checks with integer programs over everything a viewer sees.
"""
from dataclasses import dataclass

SMALLEST_SHOWN = 5
HIDDEN = "<5"
SUPPRESSED = "–"
TOTAL_HIDDEN = SUPPRESSED
RATE_HIDDEN = SUPPRESSED
UNBOUNDED = 10**9

# A figure about a part of the group another figure counts: a part can never exceed its whole.
PART_OF = {
    "flagged": ("in_scope",),
    "covered": ("flagged", "open_pupil"),
    "signed": ("open_pupil",),
    "paper": ("signed",),
    "activated": ("issued",),
    "no_internet": ("households",),
    "staff": ("staff_head_count",),
}
# Figures counted "as they are today": the same in every year, so hidden the same way in every year.
STATIC = ("in_scope", "flagged", "no_internet")


def primary_state(counts: dict, figure: str) -> str:
    """"" (shown), HIDDEN or SUPPRESSED for one school's figure, before complementary suppression."""
    wholes = [counts.get(whole) or 0 for whole in PART_OF.get(figure, ()) if whole != "staff_head_count"]
    if 0 in wholes:
        return ""  # a part of nothing is 0, which the whole's own 0 already says
    if any(whole < SMALLEST_SHOWN for whole in wholes):
        return SUPPRESSED
    return HIDDEN if 0 < counts[figure] < SMALLEST_SHOWN else ""


@dataclass
class Cell:
    """One school's figure as a viewer may reason about it."""

    school: int
    value: int
    low: int  # the least it could be, from the figures' logic (its parts)
    high: int  # the most it could be (its wholes)
    state: str = ""

    def bounds(self):
        if self.state == HIDDEN:
            return max(1, self.low), min(SMALLEST_SHOWN - 1, self.high)
        return self.low, self.high

    @property
    def movable(self):
        low, high = self.bounds()
        return low < high


def pinned(cells: list[Cell], insider=None) -> list[Cell]:
    """The hidden cells of ``cells`` (not the insider's own) that can take only one value for a viewer
    who knows the sum of all hidden cells and every figure of the insider's school.

    With one known sum and a range per cell, a cell can move up exactly when it is below its top and
    the others together can come down, and down when it is above its floor and the others can go up."""
    rest = [c for c in cells if c.state and c.school != insider]
    bounds = [c.bounds() for c in rest]
    down = sum(c.value - low for c, (low, _high) in zip(rest, bounds, strict=True))
    up = sum(high - c.value for c, (_low, high) in zip(rest, bounds, strict=True))
    stuck = []
    for cell, (low, high) in zip(rest, bounds, strict=True):
        others_down, others_up = down - (cell.value - low), up - (high - cell.value)
        if not ((high > cell.value and others_down > 0) or (cell.value > low and others_up > 0)):
            stuck.append(cell)
    return stuck


def _insiders(cells):
    # An insider at a school whose cell is shown knows nothing the page does not say.
    return [None, *sorted({c.school for c in cells if c.state})]


def is_protected(cells: list[Cell]) -> bool:
    return not any(pinned(cells, insider) for insider in _insiders(cells))


def protect(cells: list[Cell]) -> bool:
    """Suppress more cells of the group until no hidden cell can be pinned, by any insider: each time
    the smallest count that gives the stuck cells the room they lack. False when none is left."""
    while True:
        need_down = need_up = False  # partners that can come down / go up
        for insider in _insiders(cells):
            for cell in pinned(cells, insider):
                low, high = cell.bounds()
                if low == high:
                    return False  # the figures' logic fixes it: no partner can help
                need_down |= high > cell.value
                need_up |= cell.value > low
        if not (need_down or need_up):
            return True
        candidates = sorted((c for c in cells if not c.state and c.low < c.high), key=lambda c: (c.value, c.school))
        # A stuck cell that could go up needs a partner that can come down (a count above its floor);
        # one that could come down needs a partner that can go up (a zero is the cheapest to hide).
        downs = [c for c in candidates if c.value > c.low]
        ups = [c for c in candidates if c.high > c.value]
        if need_down and not downs and any(c.state == HIDDEN for c in cells):
            # Many schools with one incident each: "<5" says each has at least one, so their sum pins
            # them all. Shown as "–" a one may also be a zero, and the ones can trade with the zeros.
            for cell in cells:
                if cell.state == HIDDEN:
                    cell.state = SUPPRESSED
            continue
        pick = (ups[0] if need_up and ups else None) or (downs[0] if need_down and downs else None) or (
            ups[0] if ups else None) or (downs[0] if downs else None)
        if pick is None:
            return False
        pick.state = SUPPRESSED


# --- how a finished cell reads --------------------------------------------------------------------

def shown(value, state="") -> str:
    return state or str(value)


def is_visible(text) -> bool:
    return text not in (HIDDEN, SUPPRESSED)


def percent(numerator, denominator) -> str:
    """A whole percentage, halves rounded up (5/8 is 63%, not the 62% of round-half-even)."""
    if not denominator:
        return ""
    return f"{(200 * numerator + denominator) // (2 * denominator)}%"


def rate(numerator, denominator, numerator_text=None, denominator_text=None) -> str:
    """A percentage, hidden when either count it is built on is hidden; empty when nothing to divide."""
    if not denominator:
        return ""
    if any(text is not None and not is_visible(text) for text in (numerator_text, denominator_text)):
        return RATE_HIDDEN
    return percent(numerator, denominator)
