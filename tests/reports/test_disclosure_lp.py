"""The proof the issue asks for: no viewer can pin down a hidden cell from everything they can see.

A viewer is LOP staff of one LOP who is also the coordinator of one of its schools (the issue's
example). They see the Flanders view and their LOP's report for two school years, as exported (the
exports hold every table the pages show, every school, the trends and the monthly code figures),
and they know every figure of their own school exactly. We write down every constraint they can
form: each shown cell, "<5" as 1..4, "–" as any count, every shown total over its schools, the
monthly totals, the figures' logic (covered <= need a device <= pupils in scope, signed <= open
loans, ...), figures counted "as today" being equal in both years, and their own school's values.
Then, for every hidden cell, an integer program (scipy.optimize.milp, HiGHS) finds its least and
its largest feasible value: they must differ.
"""
import csv
import io
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import time_machine
from django.utils import timezone
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from portal.models import Lop, Role
from reports import rollup
from reports.figures import PERSON_FIGURES
from reports.models import SchoolYearFigures
from reports.suppression import HIDDEN, PART_OF, STATIC, SUPPRESSED
from reports.tables import DIMENSIONS, school_label

from ..factories import SchoolFactory, UserFactory
from .worlds import YEARS, random_counts, random_world

pytestmark = pytest.mark.django_db
COLUMNS = {  # per-school table -> its figure columns, in order (rates and head counts are derived)
    "pupils": ["in_scope", "flagged", "covered", None, "open_pupil", "loans_started", "signed", None, "paper"],
    "internet": ["no_internet", "issued", "activated", None],
    "devices": [None, None, None, None, None, "damage", "loss", "theft", "staff", None],
}
BREAKDOWN = ["in_scope", "flagged", "covered", None, "open_pupil", "signed", None, "no_internet", "issued",
             "activated", None, None, None, None, None, "staff"]


@pytest.fixture
def world():
    with random_world() as built:
        yield built


def _export(client, url):
    body = client.get(url).content.decode("utf-8-sig")
    tables, current = {}, None
    for row in csv.reader(io.StringIO(body), delimiter=";"):
        if len(row) == 1 and row[0] and current is None:
            current = row[0]
        elif not row:
            current = None
        elif current is not None:
            tables.setdefault(current, []).append(row)
    return tables


class Viewer:
    """The integer program a viewer can write down."""

    def __init__(self, schools):
        self.schools = {s.pk: s for s in schools}
        self.index = {}
        for school in schools:
            for figure in PERSON_FIGURES:
                for year in YEARS:
                    key = (school.pk, figure, YEARS[0] if figure in STATIC else year)
                    self.index.setdefault(key, len(self.index))
        self.rows, self.low, self.high = [], [], []
        self.hidden = set()
        self._constraints = None

    def var(self, school_id, figure, year):
        return self.index[(school_id, figure, YEARS[0] if figure in STATIC else year)]

    def constrain(self, terms, low, high):
        row = {}
        for var, coefficient in terms:
            row[var] = row.get(var, 0) + coefficient
        self.rows.append(row)
        self.low.append(low)
        self.high.append(high)

    def matrix(self):
        data, rows, columns = [], [], []
        for number, row in enumerate(self.rows):
            for var, coefficient in row.items():
                rows.append(number)
                columns.append(var)
                data.append(coefficient)
        return csr_matrix((data, (rows, columns)), shape=(len(self.rows), len(self.index)))

    def cell(self, variables, text):
        terms = [(v, 1) for v in variables]
        if text == HIDDEN:
            self.constrain(terms, 1, 4)
        elif text == SUPPRESSED:
            self.constrain(terms, 0, np.inf)
        elif text != "":
            self.constrain(terms, int(text), int(text))
        return text in (HIDDEN, SUPPRESSED)

    def read(self, tables, year, scope_schools):
        by_label = {school_label({"name": s.name, "municipality": s.municipality}): s for s in scope_schools}
        for title, key in (("Pupils, loans and agreements", "pupils"), ("Internet at home and internet codes",
                                                                       "internet"), ("Devices, incidents and staff", "devices")):
            header, *rows = tables[title]
            for row in rows:
                members = scope_schools if row[0] == "Total" else [by_label[row[0]]]
                for figure, text in zip(COLUMNS[key], row[1:], strict=False):
                    if figure is None:
                        continue
                    if self.cell([self.var(s.pk, figure, year) for s in members], text) and len(members) == 1:
                        self.hidden.add(self.var(members[0].pk, figure, year))
        for title, _heading, label_of in DIMENSIONS.values():
            if str(title) not in tables:
                continue
            for row in tables[str(title)][1:]:
                members = [s for s in scope_schools if row[0] == "Total" or label_of(_attributes(s)) == row[0]]
                for figure, text in zip(BREAKDOWN, row[2:], strict=False):
                    if figure:
                        self.cell([self.var(s.pk, figure, year) for s in members], text)
        trend = tables["At the end of each month"][1:]
        if trend:
            self.cell([self.var(s.pk, "open_pupil", year) for s in scope_schools], trend[-1][1])
            self.cell([self.var(s.pk, "signed", year) for s in scope_schools], trend[-1][2])
        codes = tables["Internet codes per month"]
        self.cell([self.var(s.pk, "issued", year) for s in scope_schools], codes[-1][1])

    def logic(self):
        for school_id in self.schools:
            for year in YEARS:
                for part, wholes in PART_OF.items():
                    for whole in wholes:
                        if whole in PERSON_FIGURES:
                            self.constrain([(self.var(school_id, part, year), 1), (self.var(school_id, whole, year), -1)],
                                           -np.inf, 0)

    def knows(self, school_id):
        for year in YEARS:
            row = SchoolYearFigures.objects.get(school_id=school_id, start_year=year)
            for figure in PERSON_FIGURES:
                value = row.counts[figure]
                self.constrain([(self.var(school_id, figure, year), 1)], value, value)

    def range_of(self, var):
        if self._constraints is None:
            self._constraints = LinearConstraint(self.matrix(), self.low, self.high)
        constraints = self._constraints
        bounds = Bounds(0, 10_000)
        integrality = np.ones(len(self.index))
        values = []
        for sign in (1, -1):
            objective = np.zeros(len(self.index))
            objective[var] = sign
            result = milp(objective, constraints=constraints, bounds=bounds, integrality=integrality)
            assert result.success, result.message
            values.append(round(result.x[var]))
        return values


def _attributes(school):
    return {"level": school.level, "special_needs": school.special_needs, "network": school.network,
            "province": school.province}


@pytest.mark.parametrize("insider_index", [None, 0, 4])
def test_no_viewer_can_pin_down_a_hidden_cell(world, insider_index, client):
    lop = world["lops"][0]
    lop_schools = [s for s in world["schools"] if s.lop_id == lop.pk]
    viewer_user = UserFactory(email="lop-en-school@x.test", is_superuser=True)  # sees the Flanders view too
    Role.objects.create(user=viewer_user, kind=Role.Kind.LOP_STAFF, lop=lop)
    client.force_login(viewer_user)
    client.cookies["django_language"] = "en"
    viewer = Viewer(world["schools"])
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Europe/Brussels")), tick=False):
        for year in YEARS:
            viewer.read(_export(client, f"/reports/flanders/?year={year}&format=csv"), year, world["schools"])
            viewer.read(_export(client, f"/lop/{lop.pk}/?year={year}&format=csv"), year, lop_schools)
    viewer.logic()
    insider = None if insider_index is None else lop_schools[insider_index]
    if insider is not None:
        viewer.knows(insider.pk)
    own = {viewer.var(insider.pk, f, y) for f in PERSON_FIGURES for y in YEARS} if insider else set()
    hidden = sorted(viewer.hidden - own)
    assert len(hidden) > 30  # a proof over real hidden cells, not over none
    pinned = []
    for var in hidden:
        least, most = viewer.range_of(var)
        if least == most:
            pinned.append((next(k for k, v in viewer.index.items() if v == var), least))
    assert pinned == [], "\n".join(map(str, pinned))


def test_every_group_shows_when_strata_are_large_enough(client, admin_user):
    """Requirement (a): with strata of ten schools or so (3,800 schools in Flanders make strata of
    12 or more), no province, type, network or level total hides, although one school in two has a
    hidden cell; LOP totals may hide where an LOP's part of a stratum is too small."""
    rng = random.Random(2026)
    now = timezone.now()
    lops = [Lop.objects.create(name=f"LOP {n}", level="both", area="x") for n in range(6)]
    for n in range(144):
        # Twelve strata (two provinces, two levels, three networks) of twelve schools; three LOPs per province.
        school = SchoolFactory(name=f"School {n:03d}", lop=lops[3 * (n % 2) + (n // 48)],
                               province=["antwerpen", "limburg"][n % 2], level=["primary", "secondary"][(n // 2) % 2],
                               network=["go", "ogo", "vgo"][(n // 4) % 3])
        SchoolYearFigures.objects.create(school=school, start_year=2026, counts=random_counts(rng, rng.random() < 0.5),
                                         computed_at=now)
    rollup.protect_strata(type(school).objects.all())
    hidden_cells = sum(len(row.hidden) for row in SchoolYearFigures.objects.all())
    assert hidden_cells > 300
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Europe/Brussels")), tick=False):
        tables = _export(client, "/reports/flanders/?year=2026&format=csv")
    for title in ("By province", "By type of education", "By network", "By education level"):
        assert [row for row in tables[title][1:] if "–" in row[2:]] == [], title
