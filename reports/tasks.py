"""Thin tasks that keep the figures roll-up true; the work is in reports.rollup.

Both are safe to run twice or at the same time: a refresh locks its schools and recomputes them
from the rows it reads after taking the lock.
"""
from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from . import rollup

TRANSIENT = (OSError, OperationalError, InterfaceError)
# How long a queued refresh keeps others for its school from queueing; longer than a queue can be
# backed up is not needed: after it, a write simply queues another refresh.
PENDING_SECONDS = 600


def pending_key(school_id):
    return f"figures-refresh-pending-{school_id}"


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def refresh_school_figures(school_id: int) -> int:
    cache.delete(pending_key(school_id))  # before reading: a write from now on queues a new refresh
    return rollup.refresh([school_id])


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def refresh_all_figures() -> int:
    return rollup.refresh_all()
