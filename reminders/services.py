"""Nightly reminders: friendly, in the family's language, never sent twice.

Two steps, both safe to rerun:

* ``create_due_reminders`` plans what is due on a date (``plan``) and inserts one
  ``Reminder`` row per (kind, subject, step) with ``bulk_create(ignore_conflicts=True)``: the unique
  constraint is the idempotency record, so a second run (or beat firing twice) creates nothing new.
* ``send_pending`` (``sending``) claims due rows a batch at a time and sends them.

Quiet hours: household messages never leave at night. A reminder planned at 02:00 gets
``due_at`` = 08:00 Europe/Brussels (``REMINDERS_SEND_FROM_HOUR``), and ``send_pending`` sends
nothing outside ``REMINDERS_SEND_FROM_HOUR``..``REMINDERS_SEND_UNTIL_HOUR`` local time.

Reminders carry no signing link or code: only hashes of tokens are stored, and a reminder should
never be a second copy of a secret.
"""
from datetime import date, datetime

from . import plan
from .models import Reminder
from .plan import Planned, channel_and_language, plan_reminders  # noqa: F401
from .sending import is_daytime, next_send_time, release_stuck, send_pending  # noqa: F401


def create_due_reminders(*, on: date, now: datetime) -> int:
    """Insert the reminders due on ``on``; existing ones are left alone. Returns rows planned."""
    due_at = next_send_time(now)
    rows, planned = [], 0
    # Written per batch while planning, so memory stays one batch whatever the number of loans
    # (a list of all 100,000 due loans took 272 MiB, see bench/RESULTS.md).
    for item in plan.planned(on):
        channel, language = channel_and_language(item)
        rows.append(Reminder(
            kind=item.kind, subject_type=item.subject_type, subject_id=item.subject_id, step=item.step,
            school=item.school, household=item.household, channel=channel, language=language, due_at=due_at,
        ))
        planned += 1
        if len(rows) == plan.BATCH_SIZE:
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    if rows:
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return planned
