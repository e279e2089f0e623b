"""Bench data: one large school, bulk-inserted."""
import random
from datetime import timedelta
from decimal import Decimal

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

BENCH_SCHOOL = "990001"


def ensure_database(*, keep):
    db = settings.DATABASES["default"]
    admin = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                            password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
    if exists and not keep:
        admin.execute(f'DROP DATABASE "{db["NAME"]}" WITH (FORCE)')
        exists = False
    if not exists:
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()
    call_command("migrate", verbosity=0)


def fill_school(*, devices, pupils, keep):
    from households.models import Household, Pupil
    from lending.models import Device, Loan
    from portal.models import Lop, Role, School, User

    school = School.objects.filter(instellingsnummer=BENCH_SCHOOL).first()
    if school and keep:
        return _world(school)
    rng = random.Random(1)
    lop = Lop.objects.create(name="Bench LOP", level="both", area="Bench")
    school = School.objects.create(instellingsnummer=BENCH_SCHOOL, name="Benchschool", province="antwerpen",
                                   level="secondary", network="go", lop=lop)
    user = User.objects.create_user("bench@bench.test", "bench-password-123")
    Role.objects.create(user=user, kind="coordinator", school=school)
    households = Household.objects.bulk_create(
        [Household(school=school, name=f"Gezin {n}") for n in range(pupils * 3 // 4)], batch_size=5000
    )
    pupil_rows = Pupil.objects.bulk_create([
        Pupil(school=school, household=households[n % len(households)], first_name=f"Kind{n}", last_name="Bench",
              grade=1 + n % 6, class_name=f"{1 + n % 6}{'ABCD'[n % 4]}", internal_number=f"B{n:06d}",
              needs_device=n % 5 == 0)
        for n in range(pupils)
    ], batch_size=5000)
    kinds = ["laptop", "chromebook", "tablet"]
    device_rows = Device.objects.bulk_create([
        Device(school=school, asset_tag=f"BENCH-{n:06d}", kind=kinds[n % 3], funding_source="digisprong",
               purchase_value=Decimal("400"), status="available")
        for n in range(devices)
    ], batch_size=5000)
    # A third of the pupils have a device on loan.
    due = timezone.localdate() + timedelta(days=200)
    lent = min(len(device_rows) // 2, pupils // 3)
    Loan.objects.bulk_create([
        Loan(device=device_rows[n], pupil=pupil_rows[n], due_policy="school_year", due_on=due)
        for n in range(lent)
    ], batch_size=5000)
    Device.objects.filter(pk__in=[d.pk for d in device_rows[:lent]]).update(status="on_loan")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rng.random()
    return _world(school)


def _world(school):
    from portal.models import User

    return {"school": school, "user": User.objects.get(email="bench@bench.test")}
