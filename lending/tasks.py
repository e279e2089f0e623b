"""Thin tasks: load by primary key, return quietly when the row is gone, retry transient errors."""
import logging
from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from portal import jobs

from . import import_jobs, labels, pdf, receipts
from .models import Agreement

logger = logging.getLogger(__name__)

# Transient: the disk or a file system (OSError), the database connection. A template error is
# not transient and is not retried; the agreement row is never touched by a failed render.
TRANSIENT = (OSError, OperationalError, InterfaceError)


# Queued by every checkout and nobody waits for its result: without ignore_result the Redis result
# backend subscribes to each task's result channel as it is sent, two more round trips per hand-out
# (bench/checkout.py). Its outcome is the agreement's PDF (render_missing_pdfs catches a lost one).
@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True,
             ignore_result=True)
def render_agreement_pdf(agreement_id: int) -> str:
    agreement = pdf.load_for_render(agreement_id)
    if agreement is None:
        return "gone"
    pdf.store_agreement_pdf(agreement)
    return "rendered"


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def render_signed_agreement_pdf(agreement_id: int) -> str:
    agreement = pdf.load_for_render(agreement_id)
    if agreement is None or agreement.status != Agreement.Status.SIGNED:
        return "skipped"
    pdf.store_signed_pdf(agreement)
    return "rendered"


@shared_task(acks_late=True)
def render_missing_pdfs(older_than_minutes: int = 10, limit: int = 500) -> int:
    """Queue the PDFs that should exist and do not. A render task can be lost: the Redis broker
    loses a message a worker had just taken when that worker is SIGKILLed before noting it as
    unacknowledged, and a web process can die between its commit and the queueing. Beat runs
    this sweep, so such an agreement gets its PDF a few minutes late instead of never."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    unsigned = list(Agreement.objects.filter(
        pdf="", status__in=Agreement.UNSIGNED_STATUSES, created_at__lt=cutoff,
    ).order_by("pk").values_list("pk", flat=True)[:limit])
    signed = list(Agreement.objects.filter(
        signed_pdf="", status=Agreement.Status.SIGNED, signed_at__lt=cutoff,
    ).exclude(signed_method=Agreement.Method.PAPER).order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in unsigned:
        render_agreement_pdf.delay(pk)
    for pk in signed:
        render_signed_agreement_pdf.delay(pk)
    return len(unsigned) + len(signed)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def send_return_receipt(receipt_id: int) -> str:
    receipt = receipts.load(receipt_id)
    if receipt is None:
        return "gone"
    return receipts.receipt_deliver(receipt)


@shared_task(bind=True, autoretry_for=jobs.TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def make_labels(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, labels.labels_make)


@shared_task(bind=True, autoretry_for=jobs.TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def import_devices(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, import_jobs.devices_work)
