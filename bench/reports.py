"""The LOP report and the Flanders view, each beside the bare SQL of its aggregate queries.

The gap between a page and its bare SQL is what Django, the roll-ups in Python and the template
cost. Uses the bench school's LOP; Flanders-scale data (hundreds of schools) is a later issue.
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


def _bare_sql(schools):
    from reports.figures import SchoolYear, aggregate_sql

    statements = aggregate_sql(schools, SchoolYear.current())

    def run_sql():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run_sql, len(statements)


def run(world, client, *, runs):
    from portal.models import School

    lop, staff, admin = _users(world)
    results = []
    for label, url, user, schools in [
        (f"LOP report GET /lop/{lop.pk}/", f"/lop/{lop.pk}/", staff, School.objects.filter(lop=lop)),
        ("Flanders view GET /reports/flanders/", "/reports/flanders/", admin, School.objects.all()),
    ]:
        results.append(measure(label, _get(_client(user), url), runs=runs))
        bare, statements = _bare_sql(schools)
        results.append(measure(f"  bare aggregate SQL ({statements} statements)", bare, runs=runs,
                               count_queries=False, note="the per-school GROUP BY queries via connection.cursor"))
    return results
