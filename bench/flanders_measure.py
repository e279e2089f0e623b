"""What the Flanders-scale bench measures, each beside its bare-SQL floor (bench/floors.py).

Pages go through Django's test client in this process. Jobs (reminder plan and send, roster
import, PDF render) run in a fresh subprocess per run (bench/jobs.py), so the peak memory printed
is the job's own: peak RSS after the job minus peak RSS before it.
"""
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import Client
from django.utils import timezone

from . import floors
from .extra import _checkout_action
from .harness import Result, measure, median_of
from .reports import _get, _users, rollup_floor

ROOT = Path(__file__).resolve().parent.parent


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def run_job(name, runs, before=None, **kwargs):
    """Median seconds of ``runs`` fresh subprocesses; peak memory is the largest of them."""
    env = {**os.environ, "EMAIL_URL": "memorymail://"}  # mail to Django's locmem outbox
    outputs = []
    for _ in range(runs):
        if before:
            before()
        done = subprocess.run([sys.executable, "-m", "bench.jobs", name, json.dumps(kwargs)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"bench job {name} failed:\n{done.stderr}")
        outputs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    timings = sorted(o["seconds"] * 1000 for o in outputs)
    return outputs, statistics.median(timings), timings[math.ceil(len(timings) * 0.9) - 1]


def _job_result(label, name, runs, *, floor=None, before=None, note="", **kwargs):
    outputs, median, p90 = run_job(name, runs, before=before, **kwargs)
    peak = max(o["rss_peak_kib"] - o["rss_base_kib"] for o in outputs)
    floor_ms = median_of(floor, runs=runs) if floor else None
    results = {o["result"] for o in outputs}
    return Result(label, median, p90, runs, outputs[-1]["queries"], peak,
                  f"{note} (job result: {', '.join(map(str, sorted(results)))})".strip(), floor_ms)


def pages(school, runs):
    from portal.models import School, User

    coordinator = User.objects.get(email="bench@bench.test")
    client = _client(coordinator)
    lop, staff, admin = _users({"school": school})
    results = [
        measure("coordinator dashboard GET /school/", _get(client, "/school/"), runs=runs,
                floor=floors.dashboard(school.pk)),
        measure("device list GET /devices/ (page 1 of 4)", _get(client, "/devices/"), runs=runs,
                floor=floors.device_list(school.pk)),
    ]
    checkout = _checkout_action({"school": school}, client)
    other = School.objects.get(pk=2)
    # The floor writes in another school, so the page and its floor never pick the same device.
    results.append(measure("checkout POST /desk/ (loan + agreement, PDF queued)", checkout, runs=runs,
                           floor=floors.checkout(*_spare_ids(other))))
    for label, url, user, lop_id in [
        (f"LOP report GET /lop/{lop.pk}/ ({School.objects.filter(lop=lop).count()} schools)", f"/lop/{lop.pk}/",
         staff, lop.pk),
        (f"Flanders view GET /reports/flanders/ ({School.objects.count():,} schools)", "/reports/flanders/",
         admin, None),
    ]:
        results.append(measure(label, _get(_client(user), url), runs=runs, floor=rollup_floor(lop_id),
                               note="floor: the year's stored parts, a page of schools and the month totals, bare"))
    results.append(measure("Flanders view CSV export (every school, every table)",
                           _get(_client(admin), "/reports/flanders/?format=csv"), runs=runs,
                           floor=rollup_floor(every_row=True)))
    return results


def figures_refresh(runs):
    """The nightly roll-up of every school and year, and the refresh of one school after a write."""
    nightly = _job_result("figures roll-up, every school and year (nightly)", "figures_refresh", 1,
                          note="reports.rollup.refresh(): live figures of 8 school years, months, disclosure control")
    one = _job_result("figures refresh of one school after a write", "figures_refresh", runs, school_id=1,
                      note="the task a write queues: its 8 years, then its stratum's disclosure control")
    return [nightly, one]


def _spare_ids(school):
    from django.db.models import Exists, OuterRef

    from households.models import Pupil
    from lending.models import Device, Loan

    devices = list(Device.objects.filter(school=school, status="available").order_by("-pk")
                   .values_list("pk", flat=True)[:100])
    has_loan = Loan.objects.filter(pupil=OuterRef("pk"), status="active")
    pupils = list(Pupil.objects.filter(school=school).exclude(Exists(has_loan)).order_by("-pk")
                  .values_list("pk", flat=True)[:100])
    return devices, pupils


def pdf(school, runs):
    from lending.models import Agreement

    agreement = Agreement.objects.filter(loan__device__school=school).order_by("pk").first()
    return [_job_result(f"agreement PDF render ({language}, WeasyPrint)", "pdf_render", runs,
                        agreement_id=agreement.pk, language=language) for language in ("nl", "fr")]


def reminders(runs, due_loans):
    from reminders.models import Reminder

    today = timezone.localdate()
    morning = datetime.combine(today, time(10), tzinfo=ZoneInfo("Europe/Brussels")).isoformat()

    def empty():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE lending_reminder")

    plan = _job_result(f"nightly reminder plan, {due_loans:,} open loans due", "reminder_plan", runs,
                       before=empty, floor=floors.reminder_plan(today), on=today.isoformat(), now=morning,
                       note="create_due_reminders: one Reminder row per loan in a reminder window")
    send = _job_result("reminder send, one beat batch of 500 mails", "reminder_send", runs,
                       floor=floors.reminder_send(500), now=morning, limit=500,
                       note="send_pending(limit=500) to locmem mail, after one warm-up reminder; each run sends new ones")
    from django.db.models import Count

    statuses = dict(Reminder.objects.values_list("status").annotate(n=Count("id")).order_by())
    send.note += f"; statuses after the runs: {statuses}"
    empty()
    return [plan, send]


def reminders_full(due_loans):
    """Once: plan for every due loan, then send them all in beat batches of 500, in one process."""
    from reminders.models import Reminder

    today = timezone.localdate()
    morning = datetime.combine(today, time(10), tzinfo=ZoneInfo("Europe/Brussels")).isoformat()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE lending_reminder")
    plan = _job_result(f"nightly reminder plan, {due_loans:,} open loans due", "reminder_plan", 1,
                       on=today.isoformat(), now=morning)
    send = _job_result(f"send all {Reminder.objects.count():,} reminders, batches of 500", "reminder_send_all", 1,
                       now=morning, limit=500, note="send_pending(limit=500) until none is left; locmem mail")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE lending_reminder")
    return [plan, send]


def roster(runs, pupils=2000):
    from portal.models import School

    rows = ["voornaam;naam;klas;leerjaar;leerlingnummer;gezin;ouder;e-mail ouder;gsm ouder;taal"]
    for n in range(pupils):
        family = n * 3 // 4
        rows.append(f"Kind{n};Roster{family};{1 + n % 6}{'ABC'[n % 3]};{1 + n % 6};R{n:05d};G{family};"
                    f"Ouder {family};ouder{family}@example.org;;{'nl' if n % 5 else 'fr'}")
    path = Path(tempfile.mkdtemp()) / "roster.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    made = []
    School.objects.filter(name__startswith="Roster bench ").delete()  # left by an interrupted run

    def fresh_school():
        school = School.objects.create(instellingsnummer=f"9{len(made):05d}", name=f"Roster bench {len(made)}",
                                       province="antwerpen", level="secondary", network="go", lop_id=1)
        made.append(school)

    from households.models import Household

    target = School.objects.get(pk=1)
    household = Household.objects.filter(school=target).first()

    # Each run imports into a new, empty school: 2,000 new pupils every time.
    outputs = []
    for _ in range(runs):
        fresh_school()
        out, _m, _p = run_job("roster_import", 1, school_id=made[-1].pk, path=str(path))
        outputs.extend(out)
    timings = sorted(o["seconds"] * 1000 for o in outputs)
    result = Result(f"roster import, {pupils:,} pupils (CSV)", statistics.median(timings),
                    timings[math.ceil(len(timings) * 0.9) - 1], runs, outputs[-1]["queries"],
                    max(o["rss_peak_kib"] - o["rss_base_kib"] for o in outputs),
                    f"households/roster_source.py import_roster into an empty school (created {outputs[-1]['result']})",
                    median_of(floors.roster_insert(target.pk, household.pk, pupils), runs=runs))
    for school in made:
        school.delete()
    return [result]
