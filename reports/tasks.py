"""Thin tasks that keep the figures roll-up true; the work is in reports.rollup.

All are safe to run twice or at the same time: a refresh locks its schools (and their strata) and
recomputes them from the rows it reads after taking the locks.
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


def queue_once(task, key, *args) -> None:
    """``task.delay(*args)`` unless one is already waiting (``key`` in the cache, cleared by the task
    when it starts reading); an eager Celery runs it every time."""
    if task.app.conf.task_always_eager or cache.add(key, 1, timeout=PENDING_SECONDS):
        task.delay(*args)


# Queued after writes at the desk; nobody waits for its result (see lending.tasks.render_agreement_pdf).
@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True,
             ignore_result=True)
def refresh_school_figures(school_id: int) -> int:
    cache.delete(pending_key(school_id))  # before reading: a write from now on queues a new refresh
    return rollup.refresh([school_id])


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def refresh_all_figures() -> int:
    return rollup.refresh_all()


MISSING_KEY = "figures-missing-refresh-queued"
RESUMMARISE_KEY = "figures-resummarise-queued"


def queue_missing_figures() -> None:
    """Many report requests find the figures missing at once (1 September, after a deploy): one refresh."""
    queue_once(refresh_missing_figures, MISSING_KEY)


def queue_resummarise() -> None:
    queue_once(resummarise_figures, RESUMMARISE_KEY)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def refresh_missing_figures() -> int:
    try:
        return rollup.refresh_missing()
    finally:
        cache.delete(MISSING_KEY)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def resummarise_figures() -> int:
    cache.delete(RESUMMARISE_KEY)  # before reading: a change from now on queues another run
    return rollup.resummarise()
