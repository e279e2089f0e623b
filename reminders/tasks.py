"""Thin tasks for the nightly reminders; the work is in reminders.services.

Both are safe to run twice: planning inserts with ignore_conflicts on a unique key, and sending
claims each row with a conditional update. ``on``/``now`` (ISO strings) exist for tests and manual
catch-up; beat calls them without arguments.
"""
from datetime import date, datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from portal import jobs

from . import letters
from . import services as reminders

TRANSIENT = (OSError, OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def plan_nightly_reminders(on: str | None = None, now: str | None = None) -> int:
    moment = datetime.fromisoformat(now) if now else timezone.now()
    day = date.fromisoformat(on) if on else timezone.localdate(moment)
    return reminders.create_due_reminders(on=day, now=moment)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def send_due_reminders(now: str | None = None, limit: int = 5000) -> int:
    moment = datetime.fromisoformat(now) if now else timezone.now()
    return reminders.send_pending(now=moment, limit=limit)


@shared_task(bind=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def make_reminder_letters(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, letters.letters_make)
