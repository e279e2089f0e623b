"""The one way the portal writes to a family: which channel, which addresses, which language, when.

Every sender (agreement links, survey invitations, internet codes, reminders) builds its message
here, so the rules hold everywhere alike:
- the channel is the household's choice unless the sender names one; paper is never "sent";
- every guardian with an address for the channel gets it, each address once (two guardians who
  share a phone get one SMS);
- the text is rendered in the household's language (portal.languages), whatever the staff member
  who clicked reads;
- a message leaves only after the transaction that made it commits, from a worker, so a rolled
  back action sends nothing and a slow provider never holds up a page.
"""
import base64
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Iterable

from celery import shared_task
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .languages import household_language
from .sms import send_sms

logger = logging.getLogger(__name__)

EMAIL, SMS, PAPER = "email", "sms", "paper"
SENT_CHANNELS = (EMAIL, SMS)


class NoAddress(Exception):
    """Nobody in the household can be reached on this channel (or the channel is paper)."""

    def __init__(self, channel: str):
        super().__init__(channel)
        self.channel = channel


@dataclass(frozen=True)
class Contact:
    """A guardian's addresses, for senders that read them as values rather than model rows."""

    email: str = ""
    phone: str = ""


@dataclass
class Message:
    channel: str
    to: list[str]
    subject: str
    body: str
    language: str
    # A stable Message-ID lets mail servers and clients recognise a copy sent again after a crash.
    headers: dict = field(default_factory=dict)
    # E-mail only: [{"filename", "content" (base64, so a queued message stays JSON), "mimetype"}].
    attachments: list = field(default_factory=list)


def attachment(filename: str, data: bytes, mimetype: str) -> dict:
    return {"filename": filename, "content": base64.b64encode(data).decode("ascii"), "mimetype": mimetype}


def _phone_key(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "32" + digits[1:]  # a Belgian number written the national way
    return digits


def addresses(contacts: Iterable, channel: str) -> list[str]:
    """Each guardian's address for ``channel``, once each, in the guardians' order."""
    found: dict[str, str] = {}
    if channel not in SENT_CHANNELS:
        return []
    for contact in contacts:
        value = ((contact.email if channel == EMAIL else contact.phone) or "").strip()
        if value:
            found.setdefault(value.casefold() if channel == EMAIL else _phone_key(value), value)
    return list(found.values())


def reachable_channel(household, contacts: Iterable, wanted: str | None = None) -> str:
    """The household's channel (or ``wanted``), or paper when nobody has an address for it."""
    channel = wanted or household.contact_channel
    if channel in SENT_CHANNELS and not addresses(contacts, channel):
        return PAPER
    return channel


def compose(*, household, contacts: Iterable, channel: str, template: str, context: dict, subject=None,
            language: str | None = None, attachments: list | None = None) -> Message:
    """Render ``template`` for the household in its language. Without ``subject`` (an e-mail), the
    template's first line is the subject. Raises NoAddress when nobody can receive it."""
    if channel not in SENT_CHANNELS:
        raise NoAddress(channel)
    to = addresses(contacts, channel)
    if not to:
        raise NoAddress(channel)
    language = language or household_language(household)
    with translation.override(language):
        text = render_to_string(template, {**context, "language": language}).strip()
        if subject is None:
            first, _newline, rest = text.partition("\n")
            subject, text = first.strip(), rest.strip() + "\n"
        subject = str(subject)
    return Message(channel=channel, to=to, subject=subject if channel == EMAIL else "", body=text, language=language,
                   attachments=list(attachments or []) if channel == EMAIL else [])


def send_now(message: Message) -> None:
    """Hand the message to the mail server or SMS gateway; an error propagates to the caller."""
    if message.channel == EMAIL:
        email = EmailMessage(message.subject, message.body, None, message.to, headers=message.headers or None)
        for item in message.attachments:
            email.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
        email.send()
    elif message.channel == SMS:
        for number in message.to:
            send_sms(number, message.body)
    else:
        raise NoAddress(message.channel)


# Transient: the mail server or the SMS gateway did not answer (OSError covers sockets and SMTP).
@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def deliver_message(payload: dict) -> None:
    send_now(Message(**payload))


def queue(message: Message) -> None:
    """Send after commit, from a worker: one task per e-mail, one per SMS number (so a retry
    after a failed number never sends the others again)."""
    parts = [message] if message.channel == EMAIL else [
        Message(**{**asdict(message), "to": [number]}) for number in message.to]
    for part in parts:
        payload = asdict(part)
        transaction.on_commit(lambda payload=payload: deliver_message.delay(payload))


def notify_household(*, household, template: str, context: dict, subject=None, email_template: str | None = None,
                     channel: str | None = None, contacts: Iterable | None = None,
                     language: str | None = None, attachments: list | None = None) -> Message:
    """Compose and queue a message to the household's guardians on ``channel`` (default: the
    household's own). ``template`` is the SMS text, ``email_template`` the e-mail body (the SMS
    template serves both when it is missing); ``language`` overrides the household's (an agreement
    keeps the language it was written in). Raises NoAddress before anything is queued."""
    channel = channel or household.contact_channel
    contacts = list(household.guardians.all()) if contacts is None else list(contacts)
    message = compose(household=household, contacts=contacts, channel=channel, subject=subject,
                      template=(email_template or template) if channel == EMAIL else template, context=context,
                      language=language, attachments=attachments)
    queue(message)
    return message
