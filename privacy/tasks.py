"""The nightly retention run (beat: ``retention-nightly``); the work is in privacy.retention.

Safe to run twice or to restart after a crash: each step only picks rows not done yet."""
from dataclasses import asdict
from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal import jobs

from . import export, retention

TRANSIENT = (OSError, OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def apply_retention(on: str | None = None) -> dict:
    return asdict(retention.apply_retention(date.fromisoformat(on) if on else None))


@shared_task(bind=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def make_household_export(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, export.export_make)
