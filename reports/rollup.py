"""The figures roll-up: fill it from the live figures, protect it, and read it.

Filled three ways: nightly for every school (beat, ``refresh_all_figures``), for one school after a
write that changes its figures (reports/signals.py queues ``refresh_school_figures`` after commit),
and on demand when a report asks for a year nobody computed yet (or ``manage.py refresh_figures``).
A refresh always recomputes every school year of its schools, then the disclosure control of every
stratum they are in, so the roll-up never mixes figures of two moments for one school.
"""
import json
import zlib
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.utils import timezone

from portal.models import School

from .figures import BASE_FIGURES, DEVICE_FIGURES, MONTH_FIGURES, PERSON_FIGURES, SchoolYear, live_counts, live_months
from .models import PartFigures, SchoolMonthFigures, SchoolYearFigures
from .summary import Summary
from .suppression import HIDDEN, PART_OF, SMALLEST_SHOWN, STATIC, UNBOUNDED, Cell, primary_state, protect

STRATUM_FIELDS = ("province", "level", "special_needs", "network")
SCHOOL_FIELDS = ("id", "name", "municipality", "lop_id", *STRATUM_FIELDS)


def _no_jit():
    # PostgreSQL's JIT spent 250-600 ms compiling each report statement for a 50 ms query.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def refresh_all() -> int:
    """Every school, one stratum at a time: each is consistent in itself, and memory stays that of one
    stratum (all of Flanders at once held 370 MB)."""
    strata = _ids_by_stratum(School.objects.all())
    done = sum(refresh(ids) for ids in strata.values())
    # Rows of schools that no longer exist went with them (on_delete); parts of strata nobody is in
    # any more are what is left to clean.
    _drop_orphan_parts(strata)
    return done


def refresh_missing() -> int:
    """The schools that lack figures for some school year (new schools, a new year, a first deploy),
    one stratum at a time like the nightly run."""
    years = len(SchoolYear.all())
    complete = (SchoolYearFigures.objects.values("school").annotate(years=Count("id")).filter(years__gte=years)
                .values("school"))
    return sum(refresh(ids) for ids in _ids_by_stratum(School.objects.exclude(pk__in=complete)).values())


def resummarise() -> int:
    """Re-protect and re-sum every stratum from the stored school rows, one stratum at a time, without
    recomputing the figures: after a school changed stratum or went, its old stratum's parts still
    count it (a report sees that and reads the schools' rows meanwhile)."""
    strata = _ids_by_stratum(School.objects.all())
    for ids in strata.values():
        with transaction.atomic():
            protect_strata(School.objects.filter(pk__in=ids))
    _drop_orphan_parts(strata)
    return len(strata)


def _ids_by_stratum(schools) -> dict:
    """{stratum: [school ids]} of these schools, in id order."""
    strata = defaultdict(list)
    for school in schools.order_by("pk").values("pk", *STRATUM_FIELDS):
        strata[_stratum(school)].append(school["pk"])
    return strata


def _drop_orphan_parts(strata) -> None:
    orphans = [part["pk"] for part in PartFigures.objects.values("pk", *STRATUM_FIELDS).iterator()
               if _stratum(part) not in strata]
    PartFigures.objects.filter(pk__in=orphans).delete()


def refresh(school_ids=None) -> int:
    """Recompute every year of these schools (all schools when None) and re-protect their strata."""
    years = SchoolYear.all()
    now = timezone.now()
    # READ COMMITTED on purpose: a refresh that waited for another one's lock must then see the rows
    # that one wrote (under REPEATABLE READ its snapshot would predate them). A write committing while
    # a refresh reads may show in some of its figures only; that write's own refresh comes after.
    with transaction.atomic():
        _no_jit()
        schools = School.objects.all() if school_ids is None else School.objects.filter(pk__in=school_ids)
        # One refresh per school at a time; it reads after taking the lock, so the last one sees
        # every write committed before it (a refresh that started earlier cannot overwrite it).
        ids = list(schools.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))
        if not ids:
            return 0
        schools = School.objects.filter(pk__in=ids)
        # Before a row is touched: two refreshes in one stratum would otherwise each wait for the rows
        # the other just rewrote while holding their own (a deadlock).
        _lock_strata({_stratum(school) for school in schools.values(*STRATUM_FIELDS)})
        counts = live_counts(schools, years)
        months = live_months(schools, years)
        if school_ids is None:
            SchoolYearFigures.objects.all().delete()
            SchoolMonthFigures.objects.all().delete()
        else:
            SchoolYearFigures.objects.filter(school__in=ids).delete()
            SchoolMonthFigures.objects.filter(school__in=ids).delete()
        SchoolYearFigures.objects.bulk_create(
            [SchoolYearFigures(school_id=school_id, start_year=year, counts=row, computed_at=now)
             for (school_id, year), row in counts.items()], batch_size=2000)
        SchoolMonthFigures.objects.bulk_create(
            [SchoolMonthFigures(school_id=school_id, month=month, **row) for (school_id, month), row in months.items()],
            batch_size=5000)
        protect_strata(schools)
    return len(ids)


def _stratum(school):
    return tuple(school[field] for field in STRATUM_FIELDS)


def protect_strata(schools) -> None:
    """Decide the hidden cells of every stratum (province, level, type, network) these schools are in."""
    keys = {_stratum(school) for school in schools.values(*STRATUM_FIELDS)}
    if not keys:
        return
    _lock_strata(keys)
    members = School.objects.none()
    for key in keys:
        members |= School.objects.filter(**dict(zip(STRATUM_FIELDS, key, strict=True)))
    attributes = {school["id"]: school for school in members.values(*SCHOOL_FIELDS)}
    rows = list(SchoolYearFigures.objects.filter(school__in=list(attributes)))
    by_stratum = defaultdict(lambda: defaultdict(list))
    for row in rows:
        row.hidden, row.lop_total_hidden, row.group_hidden = {}, [], []
        by_stratum[_stratum(attributes[row.school_id])][row.start_year].append(row)
    for years in by_stratum.values():
        for figure in PERSON_FIGURES:
            if figure in STATIC:
                _protect_static(figure, years, attributes)
            else:
                for year_rows in years.values():
                    _protect_figure(figure, year_rows, attributes)
    for row in rows:
        row.packed = pack(row)
    SchoolYearFigures.objects.bulk_update(rows, ["hidden", "lop_total_hidden", "group_hidden", "packed"],
                                          batch_size=2000)
    _write_parts(keys, rows, attributes)


def _lock_strata(keys) -> None:
    """One refresh or protection of a stratum at a time: two schools of one stratum refreshed at once
    would each read the other's rows as they were, and the later write would undo the earlier one.
    Taken after the schools' own locks and in one order, so two refreshes cannot wait for each other;
    taking it again in the same transaction is free."""
    if connection.vendor != "postgresql":
        return  # SQLite writes one transaction at a time anyway
    with connection.cursor() as cursor:
        for number in sorted({zlib.crc32(repr(key).encode()) for key in keys}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PARTS_LOCK, number - 2**31])


PARTS_LOCK = 14  # the advisory lock space of the figures' strata


def _write_parts(keys, rows, attributes) -> None:
    """Replace the stored parts (LOP x stratum x year) of these strata with the sums of their rows."""
    members = defaultdict(list)
    for row in rows:
        school = attributes[row.school_id]
        members[(row.start_year, school["lop_id"], *_stratum(school))].append(_row_dict(row, school))
    summaries = {key: Summary.of_rows(part) for key, part in members.items()}
    stale = Q(pk__in=[])
    for key in keys:
        stale |= Q(**dict(zip(STRATUM_FIELDS, key, strict=True)))
    PartFigures.objects.filter(stale).delete()
    now = timezone.now()
    PartFigures.objects.bulk_create(
        [PartFigures(start_year=year, lop_id=lop_id, **dict(zip(STRATUM_FIELDS, stratum, strict=True)),
                     summary=summary.dumps(), computed_at=now)
         for (year, lop_id, *stratum), summary in summaries.items()], batch_size=2000)


def _row_dict(row, school) -> dict:
    return {**row.counts, "school": school, "hidden": row.hidden, "lop_total_hidden": set(row.lop_total_hidden),
            "group_hidden": set(row.group_hidden)}


def _bounds(figure, counts, floors):
    """What a viewer can know bounds a figure by: a whole shown exactly (or "<5": at most 4) above it,
    a part shown exactly below it. A hidden part or whole moves with it, so it bounds nothing."""
    high = UNBOUNDED
    for whole in PART_OF.get(figure, ()):
        value = counts.get(whole)
        if value is None:
            continue
        state = "" if whole == "staff_head_count" else primary_state(counts, whole)
        high = min(high, value if not state else (SMALLEST_SHOWN - 1 if state == HIDDEN else UNBOUNDED))
    low = max([0, *[floors.get(part, 0) for part, wholes in PART_OF.items() if figure in wholes]])
    return low, high


def _floors(counts):
    """The parts a viewer sees exactly: each is a floor under its wholes."""
    return {part: counts[part] for part in PART_OF if part in counts and not primary_state(counts, part)}


def _protect_static(figure, years, attributes):
    """A figure counted as it is today is the same in every year: decide once, for all years, with
    bounds that hold in every year (a part's largest value over the years)."""
    latest = max(years)
    rows = years[latest]
    lows = defaultdict(dict)
    for year_rows in years.values():
        for row in year_rows:
            for part, value in _floors(row.counts).items():
                lows[row.school_id][part] = max(lows[row.school_id].get(part, 0), value)
    states = _protect_figure(figure, rows, attributes, lows=lows)
    for year, year_rows in years.items():
        if year == latest:
            continue
        for row in year_rows:
            _apply(row, figure, *states[row.school_id])


def _protect_figure(figure, rows, attributes, lows=None):
    """Primary and complementary suppression of one figure in one stratum and year: first inside each
    LOP's part of the stratum, then across LOPs (their LOP totals hide), else everything hides."""
    cells = {}
    for row in rows:
        low, high = _bounds(figure, row.counts, lows[row.school_id] if lows is not None else _floors(row.counts))
        value = row.counts[figure]
        cells[row.school_id] = Cell(row.school_id, value, min(low, value), max(high, value),
                                    primary_state(row.counts, figure))
    by_lop = defaultdict(list)
    for cell in cells.values():
        by_lop[attributes[cell.school]["lop_id"]].append(cell)
    failed = [lop for lop, lop_cells in by_lop.items() if not protect(lop_cells)]
    states = {school: [cell.state, False, False] for school, cell in cells.items()}
    if failed:
        everyone = list(cells.values())
        if protect(everyone):
            lops = {attributes[c.school]["lop_id"] for c in everyone if c.state}
            for cell in everyone:
                states[cell.school] = [cell.state, attributes[cell.school]["lop_id"] in lops, False]
        else:
            # No total containing these schools will show, so their hidden cells are free: only the
            # primary ones need to hide.
            for row in rows:
                states[row.school_id] = [primary_state(row.counts, figure), True, True]
    for row in rows:
        _apply(row, figure, *states[row.school_id])
    return states


def _apply(row, figure, state, lop_total_hidden, group_hidden):
    if state:
        row.hidden[figure] = state
    if lop_total_hidden:
        row.lop_total_hidden.append(figure)
    if group_hidden:
        row.group_hidden.append(figure)


# --- reading --------------------------------------------------------------------------------------

class FiguresPending(Exception):
    """Too many schools have no figures for the year yet (right after a deploy, or on 1 September before
    the nightly run): a worker computes them; the page says so instead of computing in the request."""


# How many schools without figures a request computes itself (a new school: well under a second each).
ENSURE_IN_REQUEST = 3


def ensure(schools, year: SchoolYear) -> None:
    """Compute the schools that have no row for this year yet, when they are few; else FiguresPending."""
    missing = schools.exclude(Exists(SchoolYearFigures.objects.filter(school=OuterRef("pk"), start_year=year.start_year)))
    ids = list(missing.values_list("pk", flat=True)[:ENSURE_IN_REQUEST + 1])
    if not ids:
        return
    if len(ids) > ENSURE_IN_REQUEST:
        raise FiguresPending
    refresh(ids)


PACKED_FIGURES = (*PERSON_FIGURES, *DEVICE_FIGURES, *BASE_FIGURES, "staff_head_count", "digisprong_budget",
                  "started_lending", "funding")


def pack(row) -> str:
    return json.dumps([[row.counts.get(figure) for figure in PACKED_FIGURES], row.hidden, sorted(row.lop_total_hidden),
                       sorted(row.group_hidden)], separators=(",", ":"))


def _year_figures(schools, year: SchoolYear):
    return SchoolYearFigures.objects.filter(start_year=year.start_year, school__in=schools)


def year_rows(schools, year: SchoolYear) -> list[dict]:
    """One dict per school: its attributes, counts and hidden cells, by school name. One query."""
    return _decode(_year_figures(schools, year))


def page_rows(schools, year: SchoolYear, query: str, first: int, count: int, matching=None) -> tuple[list[dict], int]:
    """The rows of one page of schools, by name, whose name or municipality holds ``query``; and how
    many schools match in all (counted unless given). At most two queries, whatever the number of schools."""
    figures = _year_figures(schools, year)
    if query:
        figures = figures.filter(Q(school__name__icontains=query) | Q(school__municipality__icontains=query))
    if matching is None:
        matching = figures.count()
    first = min(first, max(0, (matching - 1) // count * count))
    return _decode(figures, first, first + count), matching


def year_state(schools, year: SchoolYear) -> dict:
    """How many of these schools have figures for the year, and since when (the page's "as at")."""
    return _year_figures(schools, year).aggregate(rows=Count("id"), oldest=Min("computed_at"))


def stored_parts(year: SchoolYear, lop_id=None) -> list[tuple[dict, Summary]]:
    """The year's stored parts (of one LOP, or all): (key, Summary) pairs. One query."""
    parts = PartFigures.objects.filter(start_year=year.start_year)
    if lop_id is not None:
        parts = parts.filter(lop_id=lop_id)
    return [(dict(zip(STRATUM_FIELDS, key, strict=True)), Summary.loads(summary))
            for summary, *key in parts.values_list("summary", *STRATUM_FIELDS)]


def _decode(figures, start=None, stop=None) -> list[dict]:
    rows = (figures.order_by("school__name", "school_id")
            .values_list("packed", *[f"school__{field}" for field in SCHOOL_FIELDS]))[start:stop]
    result = []
    for packed, *attributes in rows:
        values, hidden, lop_total_hidden, group_hidden = json.loads(packed)
        row = dict(zip(PACKED_FIGURES, values, strict=True))
        row.update(school=dict(zip(SCHOOL_FIELDS, attributes, strict=True)), hidden=hidden,
                   lop_total_hidden=set(lop_total_hidden), group_hidden=set(group_hidden))
        result.append(row)
    return result


def regroup(totals, width, keep) -> dict:
    """Month totals keyed (g0, g1, ..., month) summed into (g[i] for i in keep..., month)."""
    result = {}
    for key, figures in totals.items():
        target = (*[key[i] for i in keep], key[width])
        into = result.setdefault(target, dict.fromkeys(MONTH_FIGURES, 0))
        for figure, value in figures.items():
            into[figure] += value
    return result


def month_totals(schools, months, group_by=()) -> dict:
    """{(group values..., month): {figure: total}} over the schools, summed by the database."""
    fields = [f"school__{field}" for field in group_by]
    rows = (SchoolMonthFigures.objects.filter(school__in=schools, month__in=months)
            .values(*fields, "month").annotate(**{figure: Sum(figure) for figure in MONTH_FIGURES}).order_by())
    return {(*[row[field] for field in fields], row["month"]): {f: row[f] or 0 for f in MONTH_FIGURES}
            for row in rows}
