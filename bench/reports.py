"""The LOP report and the Flanders view, each beside its floor: reading the roll-up with hand-written
statements through a raw cursor (the year's stored parts, a page of schools and the month totals).

The gap between a page and its floor is what Django, the tables and disclosure cells in Python and
the template cost; the roll-up itself is filled nightly and after each write (reports/rollup.py).
"""
from django.db import connection
from django.test import Client

from .harness import measure


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _users(world):
    from portal.models import Role, User

    lop = world["school"].lop
    staff, _ = User.objects.get_or_create(email="bench-lop@bench.test")
    Role.objects.get_or_create(user=staff, kind=Role.Kind.LOP_STAFF, lop=lop)
    admin, _ = User.objects.get_or_create(email="bench-admin@bench.test",
                                          defaults={"is_staff": True, "is_superuser": True})
    return lop, staff, admin


def _get(client, url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


def rollup_floor(lop_id=None, every_row=False):
    """The report's data read bare: the year's stored parts, the count and first page of its schools'
    rows, and the month totals; for a download, every school's row instead of a page."""
    from reports.figures import SchoolYear

    year = SchoolYear.current()
    months = [first.date() for first in year.months()]
    where, params = ("AND s.lop_id = %s", [lop_id]) if lop_id else ("", [])
    part_where = "AND p.lop_id = %s" if lop_id else ""

    def run():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT p.summary, p.province, p.level, p.special_needs, p.network "
                           f"FROM reports_partfigures p WHERE p.start_year = %s {part_where}",
                           [year.start_year, *params])
            cursor.fetchall()
            cursor.execute(
                "SELECT count(*), min(f.computed_at) FROM reports_schoolyearfigures f "
                f"JOIN portal_school s ON s.id = f.school_id WHERE f.start_year = %s {where}",
                [year.start_year, *params])
            cursor.fetchall()
            cursor.execute(
                "SELECT f.packed, s.name, s.municipality, s.province, s.level, s.special_needs, s.network, s.lop_id "
                "FROM reports_schoolyearfigures f JOIN portal_school s ON s.id = f.school_id "
                f"WHERE f.start_year = %s {where} ORDER BY s.name, s.id {'' if every_row else 'LIMIT 25'}",
                [year.start_year, *params])
            cursor.fetchall()
            cursor.execute(
                "SELECT m.month, sum(m.open_pupil), sum(m.signed), sum(m.issued), sum(m.activations) "
                "FROM reports_schoolmonthfigures m JOIN portal_school s ON s.id = m.school_id "
                f"WHERE m.month = ANY(%s) {where} GROUP BY m.month", [months, *params])
            cursor.fetchall()

    return run


def live_sql(schools):
    """The live aggregate statements a report ran before the roll-up, for comparison (one year)."""
    from reports.figures import SchoolYear, aggregate_sql

    statements = aggregate_sql(schools, SchoolYear.current())

    def run_sql():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run_sql


def run(world, client, *, runs):
    from portal.models import School
    from reports import rollup

    lop, staff, admin = _users(world)
    rollup.refresh()
    results = []
    for label, url, user, lop_id in [
        (f"LOP report GET /lop/{lop.pk}/", f"/lop/{lop.pk}/", staff, lop.pk),
        ("Flanders view GET /reports/flanders/", "/reports/flanders/", admin, None),
    ]:
        results.append(measure(label, _get(_client(user), url), runs=runs, floor=rollup_floor(lop_id),
                               note="floor: the roll-up rows and month totals read bare"))
        schools = School.objects.filter(lop=lop) if lop_id else School.objects.all()
        results.append(measure("  its figures computed live (before the roll-up)", live_sql(schools), runs=runs,
                               count_queries=False, note="the per-school GROUP BY queries of one year, bare"))
    return results
