"""Flanders-scale data in PostgreSQL, loaded with COPY, and the report pages measured on it.

    make bench-flanders    (= python -m bench.flanders [--scale 1.0] [--runs 5] [--job-runs 3] [--keep])

At scale 1: 3,800 schools in 70 LOPs, 1.2 million pupils, 900,000 households (one guardian each),
700,000 devices, 300,000 loans (247,000 open, 100,000 of them due in a reminder window: coming
back within 14 days, due today or overdue) with their agreements, 50,000 internet codes, 6,000
incidents. Prints one table: each measurement's median beside its bare-SQL floor, the queries it
ran and, for jobs, their peak memory.
"""
import argparse
import os
import platform
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from .setup import start_django

PROVINCES = ["antwerpen"] * 9 + ["oost-vlaanderen"] * 8 + ["west-vlaanderen"] * 6 + ["limburg"] * 4 + \
    ["vlaams-brabant"] * 5 + ["brussel"] * 2
NETWORKS = ["go"] * 2 + ["ogo"] * 2 + ["vgo"] * 6


# Days from today to the due date of the loans that are due for a reminder: one of each window
# (return in 14 days, in a week, tomorrow, today, overdue 1, 2, 3 weeks, more than 3 weeks).
DUE_OFFSETS = [14, 7, 1, 0, -7, -14, -21, -35]
DUE_LOANS = 100_000


def load(scale: float):
    from households.models import Guardian, Household, InternetCode, Pupil
    from lending.models import Agreement, Device, Incident, Loan
    from portal.models import Lop, Role, School, SchoolYearFacts, User

    from .copyload import copy_rows, reset_sequences

    rng = random.Random(2026)
    n_schools, n_lops = int(3800 * scale), max(2, int(70 * scale))
    pupils_per_school, devices_per_school = 316, 184
    loans_per_school, codes_per_school = 79, 13
    now = datetime.now(dt_timezone.utc)
    today = date.today()
    started = time.perf_counter()

    copy_rows(Lop, ({"id": i + 1, "name": f"LOP {i + 1}", "level": "both", "area": f"Regio {i + 1}"}
                    for i in range(n_lops)))
    schools = []
    for i in range(n_schools):
        level = "primary" if i % 5 < 3 else "secondary"
        schools.append({"id": i + 1, "instellingsnummer": str(100000 + i), "name": f"School {i + 1}",
                        "province": PROVINCES[i % len(PROVINCES)], "level": level, "special_needs": i % 9 == 0,
                        "network": NETWORKS[i % len(NETWORKS)], "lop_id": 1 + i % n_lops,
                        "municipality": f"Gemeente {i % 300}"})
    # LOPs are regional and per level, as in Flanders: each takes consecutive schools of one province
    # and level (a few straddle two), about 54 each.
    order = sorted(range(n_schools), key=lambda i: (schools[i]["province"], schools[i]["level"], i))
    for rank, i in enumerate(order):
        schools[i]["lop_id"] = 1 + rank * n_lops // n_schools
    copy_rows(School, schools)

    # One coordinator per school: the overdue step-4 note goes to them.
    copy_rows(User, ({"id": i + 1, "email": f"coordinator{i + 1}@school.test", "password": "!", "date_joined": now}
                     for i in range(n_schools)))
    copy_rows(Role, ({"id": i + 1, "user_id": i + 1, "kind": "coordinator", "school_id": i + 1}
                     for i in range(n_schools)))

    def households():
        for s in range(n_schools):
            for h in range(pupils_per_school * 3 // 4):
                yield {"id": s * 1000 + h + 1, "school_id": s + 1, "name": f"Gezin {h}",
                       "internet_at_home": "none" if h % 11 == 0 else "yes", "created_at": now}
    copy_rows(Household, households())
    copy_rows(Guardian, ({"id": row["id"], "household_id": row["id"], "name": f"Ouder {row['id']}",
                          "email": f"ouder{row['id']}@example.org"} for row in households()))

    def pupils():
        for s in range(n_schools):
            primary = schools[s]["level"] == "primary"
            for p in range(pupils_per_school):
                yield {"id": s * 1000 + p + 1, "school_id": s + 1,
                       "household_id": s * 1000 + (p % (pupils_per_school * 3 // 4)) + 1,
                       "first_name": f"Kind{p}", "last_name": "Bench", "grade": 1 + p % 6,
                       "class_name": f"{1 + p % 6}A", "internal_number": str(p), "active": True,
                       "needs_device": p % 4 == 0 and (not primary or p % 6 >= 4)}
    copy_rows(Pupil, pupils())

    kinds = ["laptop", "laptop", "chromebook", "tablet"]
    funding = ["digisprong", "digisprong", "government_2020", "school_budget", "donation"]

    def devices():
        for s in range(n_schools):
            for d in range(devices_per_school):
                yield {"id": s * 1000 + d + 1, "school_id": s + 1, "asset_tag": f"T{d:05d}",
                       "kind": kinds[d % 4], "funding_source": funding[d % 5],
                       "purchase_value": Decimal("450.00"),
                       "status": "on_loan" if d < loans_per_school * 5 // 6 else "available", "created_at": now,
                       # Schools got their devices over the years: the "without devices" answer moves with them.
                       "in_use_since": date(2020 + (s * 7 + d) % 6, 1 + d % 12, 1)}
    copy_rows(Device, devices())

    due_loans = int(DUE_LOANS * scale)

    def loans():
        due = 0
        for s in range(n_schools):
            for k in range(loans_per_school):
                open_loan = k < loans_per_school * 5 // 6
                start = now - timedelta(days=rng.randint(10, 300))
                due_in = 200
                if open_loan and due < due_loans:
                    due_in = DUE_OFFSETS[due % len(DUE_OFFSETS)]
                    due += 1
                yield {"id": s * 1000 + k + 1, "device_id": s * 1000 + k + 1, "pupil_id": s * 1000 + k * 3 + 1,
                       "status": "active" if open_loan else "returned", "started_at": start,
                       "due_policy": "school_year", "due_on": today + timedelta(days=due_in),
                       "returned_at": None if open_loan else start + timedelta(days=60)}
    copy_rows(Loan, loans())

    def agreements():
        for s in range(n_schools):
            for k in range(loans_per_school):
                signed = k % 3 != 0
                yield {"id": s * 1000 + k + 1, "loan_id": s * 1000 + k + 1, "text_version": "2026-1",
                       "status": "signed" if signed else "sent", "signed_method": ("online" if k % 4 else "paper")
                       if signed else "", "signed_at": now - timedelta(days=5) if signed else None,
                       "created_at": now}
    copy_rows(Agreement, agreements())

    def codes():
        for s in range(n_schools):
            for c in range(codes_per_school):
                issued = c < 9
                yield {"id": s * 100 + c + 1, "school_id": s + 1, "provider": "Telenet", "code": f"C{s}-{c}",
                       "valid_until": today + timedelta(days=180), "household_id": s * 1000 + c + 1 if issued else None,
                       # Issued two months ago: out of the "not activated" window, so the reminder
                       # plan is about the due loans only.
                       "issued_at": now - timedelta(days=60) if issued else None,
                       "activated_at": now - timedelta(days=20) if c < 5 else None, "imported_at": now}
    copy_rows(InternetCode, codes())

    copy_rows(Incident, ({"id": i + 1, "device_id": (i % n_schools) * 1000 + 1, "kind": ["damage", "loss", "theft"][i % 3],
                          "reported_at": now - timedelta(days=i % 200)} for i in range(int(6000 * scale))))
    # Staff head counts for four schools in five, for the teachers table.
    copy_rows(SchoolYearFacts, ({"id": i + 1, "school_id": i + 1, "start_year": date.today().year - (
        date.today().month < 9), "staff_head_count": 20 + i % 60, "digisprong_budget": Decimal(40000 + 37 * i),
        "updated_at": now} for i in range(n_schools) if i % 5))
    reset_sequences(Lop, School, User, Role, Household, Guardian, Pupil, Device, Loan, Agreement, InternetCode, Incident,
                    SchoolYearFacts)
    with __import__("django.db").db.connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user = User.objects.create_user("bench@bench.test", "bench-password-123")
    Role.objects.create(user=user, kind="coordinator", school_id=1)
    return time.perf_counter() - started


def machine() -> str:
    from django.db import connection

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    ram = next((int(line.split()[1]) // 1024 // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (f"{cpu}, {os.cpu_count()} cores, {ram} GiB RAM, Python {platform.python_version()}, "
            f"PostgreSQL {pg}, {datetime.now(dt_timezone.utc):%Y-%m-%d %H:%M} UTC")


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.flanders")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5, help="runs per page (after warm-up)")
    parser.add_argument("--job-runs", type=int, default=3, help="subprocess runs per job")
    parser.add_argument("--keep", action="store_true", help="reuse a filled database")
    parser.add_argument("--only", choices=["pages", "pdf", "reminders", "roster", "reminders-full", "figures"],
                        action="append",
                        help="reminders-full (not in the default set): plan and send ALL due reminders once")
    args = parser.parse_args()
    start_django("flanders")
    from households.models import Pupil
    from lending.models import Device, Loan
    from portal.models import School

    from . import flanders_measure as m
    from .data import ensure_database
    from .harness import print_table

    filled = args.keep and _has_data()
    if not filled:
        ensure_database(keep=False)
        seconds = load(args.scale)
        print(f"Loaded with COPY in {seconds:.1f} s")
    from reports import rollup
    from reports.models import SchoolYearFigures

    if not SchoolYearFigures.objects.exists():
        started = time.perf_counter()
        rollup.refresh()
        print(f"Figures roll-up filled in {time.perf_counter() - started:.1f} s")
    from reports.models import PartFigures

    if not PartFigures.objects.exists():  # a database loaded before the parts were stored
        started = time.perf_counter()
        rollup.resummarise()
        print(f"Figures parts summed in {time.perf_counter() - started:.1f} s")
    school = School.objects.get(pk=1)
    due = Loan.objects.filter(status="active", due_on__lte=date.today() + timedelta(days=14)).count()
    groups = args.only or ["pages", "figures", "pdf", "reminders", "roster"]
    results = []
    if "pages" in groups:
        results += m.pages(school, args.runs)
    if "figures" in groups:
        results += m.figures_refresh(args.job_runs)
    if "pdf" in groups:
        results += m.pdf(school, args.job_runs)
    if "reminders" in groups:
        results += m.reminders(args.job_runs, due)
    if "roster" in groups:
        results += m.roster(args.job_runs)
    if "reminders-full" in groups:
        results += m.reminders_full(due)
    print(f"\nFlanders-scale bench: {machine()}")
    print(f"{School.objects.count():,} schools, {Pupil.objects.count():,} pupils, {Device.objects.count():,} "
          f"devices, {Loan.objects.count():,} loans ({Loan.objects.filter(status='active').count():,} open, "
          f"{due:,} due for a reminder). Pages: median of {args.runs} runs after 2 warm-ups; jobs: median of "
          f"{args.job_runs} fresh processes, peak KiB = the job's own peak RSS.\n")
    print_table(results, sys.stdout)


def _has_data():
    try:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM portal_school")
            return cursor.fetchone()[0] > 0
    except Exception:
        return False


if __name__ == "__main__":
    main()
