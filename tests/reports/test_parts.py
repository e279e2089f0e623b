"""On screen the LOP report and the Flanders view add up the roll-up's stored parts (one per LOP and
stratum) and read one page of schools; a download reads every school's row. Both must say the same,
cell for cell: in a world where many cells hide, for every LOP, both years and a period across them,
after a school moves to another stratum, and whatever page or filter is on screen. A report never
computes the figures of many schools while someone waits: it says they are being prepared."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from config.celery import app as celery_app
from portal.models import School
from reports import rollup, tasks
from reports.figures import SchoolYear
from reports.models import PartFigures, SchoolYearFigures
from reports.report import PAGE_SIZE, Listing, Period, build

from ..concurrency import race
from ..factories import DeviceFactory, SchoolFactory
from .worlds import YEARS, random_world

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def world():
    with random_world() as built, time_machine.travel(NOW, tick=False):
        yield built


@pytest.fixture
def rows_forbidden(monkeypatch):
    """Fails a report that reads every school's row instead of the stored parts."""
    def refuse(*args, **kwargs):
        raise AssertionError("read every school's row")

    monkeypatch.setattr(rollup, "year_rows", refuse)


def _scopes(world):
    yield "flanders", School.objects.all(), None
    for lop in world["lops"]:
        yield "lop", School.objects.filter(lop=lop), lop.pk


def _assert_same(screen, download, *, page=1):
    assert screen["school_count"] == download["school_count"]
    assert screen["as_at"] == download["as_at"]
    downloaded = {table.key: table for table in download["tables"]}
    assert [table.key for table in screen["tables"]] == list(downloaded)
    for table in screen["tables"]:
        expected = downloaded[table.key]
        assert (table.header, table.total) == (expected.header, expected.total), table.key
        if table.per_school:
            assert table.rows == expected.rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], table.key
        else:
            assert table.rows == expected.rows, table.key
    assert [chart for chart in screen["charts"]] == [chart for chart in download["charts"]]


def test_the_stored_parts_say_what_every_school_row_says(world, monkeypatch):
    hidden_cells = sum(len(row.hidden) for row in SchoolYearFigures.objects.all())
    assert hidden_cells > 50  # the world hides plenty: the comparison covers the hidden totals too
    real_year_rows = rollup.year_rows
    for scope, schools, lop_id in _scopes(world):
        for start_year in YEARS:
            year = SchoolYear(start_year)
            period = Period.from_params("2025-09", "2026-11", year)
            monkeypatch.setattr(rollup, "year_rows", lambda *a, **k: pytest.fail("screen read every row"))
            screen = build(scope, schools, year, period=period, listing=Listing(), lop_id=lop_id)
            monkeypatch.setattr(rollup, "year_rows", real_year_rows)
            _assert_same(screen, build(scope, schools, year, period=period, lop_id=lop_id))


def test_a_page_and_a_filter_read_only_their_schools(world, rows_forbidden):
    year = SchoolYear(2026)
    page_two = build("flanders", School.objects.all(), year, listing=Listing(page=2))
    assert page_two["pages"] == 2  # 30 schools, 25 a page
    assert [row[0] for row in page_two["tables"][-1].rows] == [
        school.name + (f" ({school.municipality})" if school.municipality else "")
        for school in School.objects.order_by("name", "pk")[PAGE_SIZE:]]
    found = build("flanders", School.objects.all(), year, listing=Listing(query="school 1"))
    assert found["pages"] == 1
    assert [row[0].split(" (")[0] for row in found["tables"][-1].rows] == [f"School {n}" for n in range(10, 20)]
    # A page beyond the last shows the last.
    assert build("flanders", School.objects.all(), year, listing=Listing(page=9))["tables"][-1].rows == \
        page_two["tables"][-1].rows


def test_a_school_that_changes_stratum_is_never_counted_twice(world, monkeypatch):
    year = SchoolYear(2026)
    before = build("flanders", School.objects.all(), year)
    school = world["schools"][1]
    school.province = "limburg" if school.province == "antwerpen" else "antwerpen"
    School.objects.filter(pk=school.pk).update(province=school.province)
    rollup.protect_strata(School.objects.filter(pk=school.pk))  # its new stratum only, as a refresh does
    # The old stratum's parts still count the school: the page notices, reads the rows, and has the
    # parts summed again (eager here; a worker in production).
    queued = []
    monkeypatch.setattr("reports.report.queue_resummarise", lambda: queued.append(1))
    screen = build("flanders", School.objects.all(), year, listing=Listing())
    assert queued == [1]
    download = build("flanders", School.objects.all(), year)
    _assert_same(screen, download)
    assert screen["school_count"] == before["school_count"] == 30
    # Summed again, the old stratum is also protected again without the school that left it.
    rollup.resummarise()
    download = build("flanders", School.objects.all(), year)
    monkeypatch.setattr(rollup, "year_rows", lambda *a, **k: pytest.fail("parts still stale"))
    _assert_same(build("flanders", School.objects.all(), year, listing=Listing()), download)
    assert sum(1 for _ in PartFigures.objects.filter(start_year=2026)) > 0


def test_missing_figures_are_prepared_on_a_worker_not_in_the_request(world, admin_user, client, monkeypatch,
                                                                     settings):
    """1 September before the nightly run, or right after a deploy: most schools have no row yet."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    SchoolYearFigures.objects.filter(start_year=2026).delete()
    queued = []
    monkeypatch.setattr(tasks.refresh_missing_figures, "delay", lambda: queued.append(1))
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    celery_app.conf.task_always_eager = False  # as in production: the task goes to a worker
    try:
        for _ in range(2):
            response = client.get("/reports/flanders/")
            assert response.status_code == 200
            assert b"The figures for this school year are being prepared." in response.content
            assert "tables" not in response.context
    finally:
        celery_app.conf.task_always_eager = True
    assert queued == [1]  # two requests (or twenty LOP staff at 08:00), one refresh
    assert not SchoolYearFigures.objects.filter(start_year=2026).exists()  # nothing computed in the request

    # The worker's task: every school that lacks a year gets all its years, stratum by stratum.
    SchoolFactory(lop=world["lops"][0])  # a new school without any row
    assert tasks.refresh_missing_figures.run() == 31
    assert SchoolYearFigures.objects.filter(start_year=2026).count() == 31
    response = client.get("/reports/flanders/")
    assert response.status_code == 200
    assert response.context["school_count"] == 31


def test_a_few_new_schools_are_computed_in_the_request(world, admin_user, client):
    for _ in range(rollup.ENSURE_IN_REQUEST):
        SchoolFactory(lop=world["lops"][0])
    client.force_login(admin_user)
    response = client.get("/reports/flanders/")
    assert response.status_code == 200
    assert response.context["school_count"] == 30 + rollup.ENSURE_IN_REQUEST


@pytest.mark.django_db(transaction=True)
def test_two_schools_of_one_stratum_refreshed_at_once_leave_parts_that_add_up(lop_a):
    """Each refresh rewrites its school's rows and then the whole stratum's protection and parts: two
    at once must neither deadlock nor leave parts made from the other's old rows."""
    schools = [SchoolFactory(lop=lop_a, province="limburg", level="primary", network="go") for _ in range(2)]
    rollup.refresh()
    for school in schools:
        DeviceFactory.create_batch(3, school=school)
    outcomes = race(*[lambda school=school: rollup.refresh([school.pk]) for school in schools],
                    own_transaction=False)
    assert outcomes == ["created", "created"]
    year = SchoolYear.current()
    parts = rollup.stored_parts(year, lop_a.pk)
    assert sum(summary.schools for _key, summary in parts) == 2
    assert sum(summary.sums["devices"] for _key, summary in parts) == 6
