"""Jobs measured in a fresh subprocess each run, so their peak memory is their own.

    python -m bench.jobs JOB '{"arg": ...}'   (started by bench.flanders, which sets the environment)

Prints one JSON line: seconds, queries, the job's result, the resident memory just before the
job and the peak resident memory during it (Linux: the high-water mark is reset first through
/proc/self/clear_refs); the job's own peak is the difference. Counts C libraries too (WeasyPrint).
"""
import json
import os
import sys
import time


def _status_kib(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _reset_peak():
    """Start the high-water mark afresh, so imports and warm-up do not count as the job's peak."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass
    return _status_kib("VmRSS")


def reminder_plan(on, now):
    from datetime import date, datetime

    from reminders.services import create_due_reminders

    return create_due_reminders(on=date.fromisoformat(on), now=datetime.fromisoformat(now))


def reminder_send(now, limit):
    from datetime import datetime

    from reminders.services import send_pending

    return send_pending(now=datetime.fromisoformat(now), limit=limit)


def reminder_send_all(now, limit):
    """What beat does over a morning: batches of ``limit`` until nothing is pending. The locmem
    outbox is emptied after each batch, as an SMTP server keeps nothing in this process."""
    from datetime import datetime

    from django.core import mail

    from reminders.services import send_pending

    total = 0
    while True:
        handled = send_pending(now=datetime.fromisoformat(now), limit=limit)
        mail.outbox = []
        if not handled:
            return total
        total += handled


def roster_import(school_id, path):
    from households.roster_source import import_roster
    from portal.models import School

    with open(path, "rb") as handle:
        data = handle.read()
    # No columns given: the usual Flemish column names are found in the header, as for a first import.
    summary = import_roster(school=School.objects.get(pk=school_id), data=data, filename="bench.csv",
                            preset="generic")
    return summary.created


def pdf_render(agreement_id, language):
    from lending.pdf import load_for_render, render_document

    agreement = load_for_render(agreement_id)
    agreement.language = language
    return len(render_document(agreement))


def figures_refresh(school_id=None):
    from reports import rollup

    return rollup.refresh_all() if school_id is None else rollup.refresh([school_id])


JOBS = {f.__name__: f for f in (reminder_plan, reminder_send, reminder_send_all, roster_import, pdf_render,
                                figures_refresh)}


def main():
    name, kwargs = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    job = JOBS[name]
    if name == "pdf_render":  # WeasyPrint's first document loads fonts: not the job's cost
        job(**kwargs)
    if name == "reminder_send":  # a worker is warm after its first task: send one reminder first
        job(**{**kwargs, "limit": 1})
    queries = []
    import gc

    gc.collect()
    base = _reset_peak()
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        started = time.perf_counter()
        result = job(**kwargs)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "queries": len(queries), "result": result,
                      "rss_base_kib": base, "rss_peak_kib": _status_kib("VmHWM")}))


if __name__ == "__main__":
    main()
