"""Thin tasks: load by primary key, return quietly when the row is gone, retry transient errors."""
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import pdf
from .models import Agreement

logger = logging.getLogger(__name__)

# Transient: the disk or a file system (OSError), the database connection. A template error is
# not transient and is not retried; the agreement row is never touched by a failed render.
TRANSIENT = (OSError, OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def send_text_message(to: str, text: str) -> None:
    from .sms import send_sms

    send_sms(to, text)

# The nightly reminder job lives in its own module; importing it here lets the worker find it.
from .tasks_reminders import plan_nightly_reminders, send_due_reminders  # noqa: E402,F401
