"""The one way the portal writes to a family: which channel, which addresses, which language, when,
and what became of it.

Every sender (agreement links, survey invitations, internet codes, reminders, digests) builds its
message here, so the rules hold everywhere alike:
- the channel is the household's choice unless the sender names one; when nobody can be reached
  on the household's own channel (no address, or every address bounced) it falls back along
  ``FALLBACK`` (Smartschool, then e-mail, then SMS), and to paper last; paper is never "sent";
- every guardian with an address for the channel gets it, each address once (two guardians who
  share a phone get one SMS; phone numbers are compared as E.164);
- the text is rendered in the household's language (portal.languages), whatever the staff member
  who clicked reads;
- a message leaves only after the transaction that made it commits, from a worker, so a rolled
  back action sends nothing and a slow provider never holds up a page;
- each address gets a ``portal.models.Message`` row with its status as the provider reports it
  (queued, accepted, delivered, bounced or failed), never the text: it may carry a token or a code.
"""
import base64
import logging
from dataclasses import asdict, dataclass, field
from typing import Iterable

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from celery import shared_task
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import audit, smartschool, sms
from .languages import household_language
from .models import AuditEvent, FailingAddress, School
from .models import Message as MessageRow
from .phones import to_e164

logger = logging.getLogger(__name__)

EMAIL, SMS, SMARTSCHOOL, PAPER = "email", "sms", "smartschool", "paper"
SENT_CHANNELS = (EMAIL, SMS, SMARTSCHOOL)
# Where a household's message goes when its own channel reaches nobody, in this order.
FALLBACK = {SMARTSCHOOL: (EMAIL, SMS), EMAIL: (SMS,), SMS: ()}
MAX_ATTEMPTS = 6


class NoAddress(Exception):
    """Nobody in the household can be reached on this channel (or the channel is paper)."""

    def __init__(self, channel: str):
        super().__init__(channel)
        self.channel = channel


class Refused(Exception):
    """The provider refused this message for good (a bad address, a message it will not take)."""


class Unconfirmed(Exception):
    """The provider took the request but never answered: it may have arrived; never resent."""


@dataclass(frozen=True)
class Contact:
    """A guardian's addresses, for senders that read them as values rather than model rows.
    ``smartschool`` is "<pupil's username or internal number>#<co-account>"."""

    email: str = ""
    phone: str = ""
    smartschool: str = ""


@dataclass
class Attachment:
    filename: str
    content_b64: str  # base64, so the task's JSON payload can carry it
    mimetype: str = "application/octet-stream"

    @classmethod
    def from_bytes(cls, filename: str, content: bytes, mimetype: str = "application/octet-stream"):
        return cls(filename=filename, content_b64=base64.b64encode(content).decode("ascii"), mimetype=mimetype)


@dataclass
class Message:
    channel: str
    to: list[str]
    subject: str
    body: str
    language: str
    # A stable Message-ID lets mail servers and clients recognise a copy sent again after a crash.
    headers: dict = field(default_factory=dict)
    purpose: str = ""  # the template, for the coordinator's view of what went where
    about: str = ""  # what it is about, e.g. "reminder:12"
    household_id: int | None = None
    school_id: int | None = None
    attachments: list = field(default_factory=list)  # Attachment, e-mail only


# --- addresses ----------------------------------------------------------------------------------

def contacts_of(household) -> list[Contact]:
    """The guardians' addresses, Smartschool included (the first active pupil's co-accounts).
    Reads ``household.guardians`` and ``household.pupils`` (prefetch both for a list)."""
    pupils = sorted((p for p in household.pupils.all() if p.active and p.internal_number), key=lambda p: p.pk)
    account = pupils[0].internal_number if pupils else ""
    return [Contact(email=g.email, phone=g.phone,
                    smartschool=f"{account}#{g.smartschool_coaccount}" if account and g.smartschool_coaccount else "")
            for g in household.guardians.all()]


def _address(contact, channel: str) -> str | None:
    if channel == EMAIL:
        value = (contact.email or "").strip()
        return value or None
    if channel == SMS:
        return to_e164(contact.phone or "")
    return (getattr(contact, "smartschool", "") or "").strip() or None


def _key(channel: str, address: str) -> str:
    return address.casefold() if channel == EMAIL else address


def addresses(contacts: Iterable, channel: str, failing: Iterable = ()) -> list[str]:
    """Each guardian's address for ``channel``, once each, in the guardians' order; SMS numbers in
    E.164 (a number that is no valid phone number is left out). ``failing`` holds (channel, key)
    pairs of addresses known not to work (see ``failing_addresses``)."""
    if channel not in SENT_CHANNELS:
        return []
    failing = set(failing)
    found: dict[str, str] = {}
    for contact in contacts:
        value = _address(contact, channel)
        if value and (channel, _key(channel, value)) not in failing:
            found.setdefault(_key(channel, value), value)
    return list(found.values())


def failing_addresses(contacts: Iterable) -> set[tuple[str, str]]:
    """(channel, key) of the contacts' addresses that bounced or were refused: one query."""
    contacts = list(contacts)
    wanted = {(channel, _key(channel, value)) for channel in (EMAIL, SMS) for contact in contacts
              if (value := _address(contact, channel))}
    if not wanted:
        return set()
    rows = FailingAddress.objects.filter(address__in={address for _channel, address in wanted})
    return {(row.channel, row.address) for row in rows} & wanted


def smartschool_ready(household) -> bool:
    return smartschool.is_connected(household.school)


def channels_in_order(household, contacts: Iterable, failing: Iterable) -> list[str]:
    """The household's own channel and its fallbacks, those that reach somebody, in order."""
    contacts, first = list(contacts), household.contact_channel
    if first not in SENT_CHANNELS:
        return []
    return [channel for channel in (first, *FALLBACK[first])
            if (channel != SMARTSCHOOL or smartschool_ready(household)) and addresses(contacts, channel, failing)]


def reachable_channel(household, contacts: Iterable, wanted: str | None = None, failing: Iterable | None = None) -> str:
    """The channel a message to this household takes. A channel the sender names (``wanted``) is
    that channel or paper; the household's own falls back along FALLBACK, then to paper."""
    contacts = list(contacts)
    failing = failing_addresses(contacts) if failing is None else set(failing)
    if wanted:
        reachable = wanted in SENT_CHANNELS and (wanted != SMARTSCHOOL or smartschool_ready(household))
        return wanted if reachable and addresses(contacts, wanted, failing) else PAPER
    return next(iter(channels_in_order(household, contacts, failing)), PAPER)


# --- composing ----------------------------------------------------------------------------------

def compose(*, household, contacts: Iterable, channel: str, template: str, context: dict, subject=None,
            language: str | None = None, failing: Iterable = ()) -> Message:
    """Render ``template`` for the household in its language. Without ``subject`` (an e-mail), the
    template's first line is the subject. Raises NoAddress when nobody can receive it."""
    if channel not in SENT_CHANNELS:
        raise NoAddress(channel)
    to = addresses(contacts, channel, failing)
    if not to:
        raise NoAddress(channel)
    language = language or household_language(household)
    with translation.override(language):
        text = render_to_string(template, {**context, "language": language}).strip()
        if subject is None:
            first, _newline, rest = text.partition("\n")
            subject, text = first.strip(), rest.strip() + "\n"
        subject = str(subject)
    return Message(channel=channel, to=to, subject=subject if channel != SMS else "", body=text, language=language,
                   purpose=template, household_id=household.pk, school_id=household.school_id)


# --- sending ------------------------------------------------------------------------------------

def _rows(message: Message, status: str) -> list[MessageRow]:
    return MessageRow.objects.bulk_create([
        MessageRow(school_id=message.school_id, household_id=message.household_id, channel=message.channel,
                   recipient=address, purpose=message.purpose[:120], about=message.about[:64],
                   language=message.language, status=status, attempts=int(status == MessageRow.Status.SENDING))
        for address in message.to])


def _send_email(message: Message, row: MessageRow) -> tuple[str, str, str]:
    email = EmailMessage(message.subject, message.body, None, [row.recipient], headers=message.headers or None)
    for attachment in message.attachments:
        part = attachment if isinstance(attachment, Attachment) else Attachment(**attachment)
        email.attach(part.filename, base64.b64decode(part.content_b64), part.mimetype)
    # django-anymail tells which message id the provider gave it; SMTP and console give none.
    try:
        email.send()
    except AnymailRecipientsRefused:
        mark_failing(channel=EMAIL, address=row.recipient, reason=FailingAddress.Reason.REFUSED,
                     school_id=row.school_id, household_id=row.household_id)
        raise Refused("the e-mail provider refused the address") from None
    except AnymailAPIError as error:
        # A message the provider will not take (400, 422) is refused for good; a wrong API key
        # (401, 403) or an outage is retried once it is mended.
        if getattr(error, "status_code", None) in (400, 422):
            raise Refused(f"the e-mail provider refused the message: {error.status_code}") from None
        raise
    status = getattr(email, "anymail_status", None)
    provider_id = (status.message_id or "") if status is not None else ""
    return "email", str(provider_id), MessageRow.Status.ACCEPTED


def _send_sms(message: Message, row: MessageRow) -> tuple[str, str, str]:
    try:
        result = sms.send_sms(row.recipient, message.body, reference=f"message-{row.pk}")
    except sms.SmsRefused:
        mark_failing(channel=SMS, address=row.recipient, reason=FailingAddress.Reason.REFUSED,
                     school_id=row.school_id, household_id=row.household_id)
        raise
    except sms.SmsUnconfirmed as error:
        raise Unconfirmed(str(error)) from None
    return result.provider, result.provider_id, result.status


def _send_smartschool(message: Message, row: MessageRow) -> tuple[str, str, str]:
    account, _hash, coaccount = row.recipient.rpartition("#")
    school = School.objects.get(pk=row.school_id)
    try:
        smartschool.SmartschoolClient.for_school(school).send_message(
            user_identifier=account, coaccount=int(coaccount), title=message.subject, body=message.body)
    except smartschool.SmartschoolUnconfirmed as error:
        raise Unconfirmed(str(error)) from None
    return "smartschool", "", MessageRow.Status.ACCEPTED


SENDERS = {EMAIL: _send_email, SMS: _send_sms, SMARTSCHOOL: _send_smartschool}
# Errors that mean "refused for good": recorded as failed, never tried again.
REFUSALS = (Refused, sms.SmsRefused, smartschool.SmartschoolError, ValueError)


def _attempt(message: Message, row: MessageRow) -> str:
    """Send to one row's address and record what the provider said. Transient errors (OSError:
    SMTP, sockets, unreachable providers) propagate with the row back in "queued"."""
    try:
        provider, provider_id, status = SENDERS[message.channel](message, row)
    except REFUSALS as error:
        _update(row, status=MessageRow.Status.FAILED, error=str(error)[:300])
        return MessageRow.Status.FAILED
    except Unconfirmed as error:
        _update(row, status=MessageRow.Status.UNCONFIRMED, error=str(error)[:300])
        return MessageRow.Status.UNCONFIRMED
    except OSError as error:
        _update(row, status=MessageRow.Status.QUEUED, error=str(error)[:300])
        raise
    _update(row, status=status, provider=provider, provider_id=provider_id[:200], error="")
    return status


def _update(row: MessageRow, **fields) -> None:
    for name, value in fields.items():
        setattr(row, name, value)
    MessageRow.objects.filter(pk=row.pk).update(updated_at=timezone.now(), **fields)


def send_now(message: Message) -> list[str]:
    """Hand the message to the provider now, one row per address; returns each address's status.
    A provider that cannot be reached raises (OSError), after the rows were recorded."""
    if message.channel not in SENDERS:
        raise NoAddress(message.channel)
    rows = _rows(message, MessageRow.Status.SENDING)
    return [_attempt(message, row) for row in rows]


def reached(statuses: Iterable[str]) -> bool:
    """True when a provider accepted at least one of them: only then is a message "sent"."""
    return any(status in MessageRow.REACHED for status in statuses)


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1)
def deliver_message(self, row_id: int, payload: dict) -> str:
    """Send one queued row. It is claimed (queued -> sending) first, so a task delivered twice by
    the broker sends once; an unreachable provider is retried with growing pauses."""
    if MessageRow.objects.filter(pk=row_id, status=MessageRow.Status.QUEUED).update(
            status=MessageRow.Status.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()) != 1:
        return "taken"
    row = MessageRow.objects.get(pk=row_id)
    message = Message(**payload)
    try:
        return _attempt(message, row)
    except OSError as error:
        if self.request.retries >= self.max_retries:
            _update(row, status=MessageRow.Status.FAILED, error=f"gave up: {error}"[:300])
            return MessageRow.Status.FAILED
        raise self.retry(exc=error, countdown=min(2 ** self.request.retries * 30, 3600)) from None


def queue(message: Message) -> list[MessageRow]:
    """Record one queued row per address and send each after commit, from a worker: one task per
    address, so a retry after a failed address never sends the others again."""
    rows = _rows(message, MessageRow.Status.QUEUED)
    for row in rows:
        payload = asdict(message) | {"to": [row.recipient]}
        transaction.on_commit(lambda row_id=row.pk, payload=payload: deliver_message.delay(row_id, payload))
    return rows


def notify_household(*, household, template: str, context: dict, subject=None, email_template: str | None = None,
                     channel: str | None = None, contacts: Iterable | None = None,
                     language: str | None = None, about: str = "", attachments: Iterable = ()) -> Message:
    """Compose and queue a message to the household's guardians on ``channel`` (default: the
    household's own, with its fallbacks). ``template`` is the SMS text, ``email_template`` the
    e-mail and Smartschool body (the SMS template serves all when it is missing); ``language``
    overrides the household's (an agreement keeps the language it was written in); ``attachments``
    (Attachment) go with an e-mail. Raises NoAddress before anything is queued."""
    contacts = contacts_of(household) if contacts is None else list(contacts)
    failing = failing_addresses(contacts)
    chosen = channel or reachable_channel(household, contacts, failing=failing)
    if chosen == SMARTSCHOOL and not smartschool_ready(household):
        raise NoAddress(chosen)
    message = compose(household=household, contacts=contacts, channel=chosen, subject=subject,
                      template=(email_template or template) if chosen != SMS else template, context=context,
                      language=language, failing=failing)
    message.about = about
    if chosen == EMAIL:
        message.attachments = list(attachments)
    queue(message)
    return message


# --- what providers tell us afterwards ----------------------------------------------------------

def record_status(*, provider: str, provider_id: str, status: str, error: str = "") -> int:
    """A delivery receipt or webhook: move the rows forward (never back: a late "sent" does not
    undo "delivered"). Returns how many rows changed."""
    changed = 0
    rank = MessageRow.RANK.get(status)
    if not provider_id or rank is None:
        return 0
    for row in MessageRow.objects.filter(provider=provider, provider_id=provider_id):
        if MessageRow.RANK.get(row.status, 0) < rank:
            _update(row, status=status, error=error[:300])
            changed += 1
    return changed


def mark_failing(*, channel: str, address: str, reason: str, school_id=None, household_id=None) -> bool:
    """Remember that an address does not work; the next message falls back. True when new."""
    key = _key(channel, to_e164(address) or address if channel == SMS else address)
    row, created = FailingAddress.objects.get_or_create(
        channel=channel, address=key, defaults={"reason": reason, "school_id": school_id, "household_id": household_id})
    if created:
        audit.record(actor=None, action=AuditEvent.Action.ADDRESS_FAILING, instance=row, school=row.school,
                     after={"channel": channel, "reason": reason, "household_id": household_id})
    return created
