"""Text messages through a pluggable backend.

``settings.SMS_BACKEND`` (optional) names a class with a ``send(to, text)`` method; without it
messages go to the log, which is what development and tests use. A real provider is one small
class elsewhere, e.g. ``SMS_BACKEND = "myproject.sms.ProviderBackend"``.
"""
import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)



class LogBackend:
    """Writes that a message would be sent; never the text, since it carries a signing token."""

    sent = []  # (to, text) of the messages this process "sent"; tests read it

    def send(self, to: str, text: str) -> None:
        LogBackend.sent.append((to, text))
        logger.info("SMS to ...%s (%d characters) written to the log backend", to[-3:], len(text))


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(to: str, text: str) -> None:
    get_backend().send(to, text)
