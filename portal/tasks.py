import logging

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True
)
def send_email(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> int:
    """Send one message. Runs on a worker so a slow mail server never holds up a page."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()


# Messages to families are sent by portal.messages, invitations by portal.invitations; importing their
# tasks here lets the worker find them.
from .invitations import send_invitation  # noqa: E402,F401
from .messages import deliver_message  # noqa: E402,F401
