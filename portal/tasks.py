import logging

from celery import shared_task
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from . import jobs

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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def send_password_reset(*, email: str, domain: str, use_https: bool, language: str) -> int:
    """Django's reset mail to each active account with this address, none for an unknown one; the
    lookup happens here so the request takes as long for either (portal/password_reset.py)."""
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    with translation.override(language):
        form.save(domain_override=domain, use_https=use_https,
                  subject_template_name="registration/password_reset_subject.txt",
                  email_template_name="registration/password_reset_email.html")
    return len(users)


@shared_task(acks_late=True)
def jobs_housekeeping() -> dict:
    """Beat, every ten minutes: delete documents past their keep date, queue lost jobs again."""
    return {"removed": jobs.remove_expired(), "requeued": jobs.requeue_lost()}


# Messages to families are sent by portal.messages, invitations by portal.invitations; importing their
# tasks here lets the worker find them.
from .invitations import send_invitation  # noqa: E402,F401
from .messages import deliver_message  # noqa: E402,F401
