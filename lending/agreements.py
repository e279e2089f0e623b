"""Services for loan agreements: send, sign, ask a question, paper, regenerate, and terms versions."""
import base64
import binascii
import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, messages, tokens, uploads
from portal.after_response import delay_after_commit
from portal.languages import family_language
from portal.models import AuditEvent, Role
from portal.tasks import send_email

from . import tasks
from .due_dates import due_date_ics
from .models import Agreement, AgreementTerms, SigningLink
from .terms import agreement_open_for_loan, current_terms

logger = logging.getLogger(__name__)

# A family may download its signed copy with the same link for this long after signing.
SIGNED_DOWNLOAD_DAYS = 30


class AlreadySigned(Exception):
    """The link was used or the agreement is signed already; nothing was changed."""


def _school(agreement):
    return agreement.loan.device.school


def queue_render(agreement: Agreement, *, signed=False) -> None:
    task = tasks.render_signed_agreement_pdf if signed else tasks.render_agreement_pdf
    delay_after_commit(task, agreement.pk)


def sign_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("public_sign", kwargs={"token": token})


def agreement_open(*, loan, terms=None) -> Agreement | None:
    """Open the agreement for a new pupil loan and render its PDF after commit."""
    agreement = agreement_open_for_loan(loan=loan, terms=terms)
    if agreement is not None:
        queue_render(agreement)
    return agreement


# --- links --------------------------------------------------------------------------------------

def link_create(*, agreement: Agreement, channel: str) -> tuple[SigningLink, str]:
    """A new link; returns the row and the token (the only moment the token exists in clear)."""
    terms = agreement.terms or current_terms(_school(agreement))
    token = tokens.new_token()
    link = SigningLink.objects.create(
        agreement=agreement, token_hash=tokens.hash_token(token), channel=channel,
        expires_at=timezone.now() + timedelta(days=terms.link_valid_days),
    )
    return link, token


def _mark_sent(agreement, by, channel):
    before = {"status": agreement.status}
    if agreement.status == Agreement.Status.DRAFT:
        agreement.status = Agreement.Status.SENT
        agreement.save(update_fields=["status"])
    audit.record(actor=by, action=AuditEvent.Action.AGREEMENT_SENT, instance=agreement, school=_school(agreement),
                 before=before, after={"status": agreement.status, "channel": channel})


def check_signable(agreement: Agreement) -> None:
    if agreement.status == Agreement.Status.ENDED:
        raise ValidationError(_("This loan has ended, so its agreement can no longer be signed."))
    if agreement.status not in Agreement.UNSIGNED_STATUSES:
        raise ValidationError(_("This agreement is already signed."))


@transaction.atomic
def agreement_send(*, agreement: Agreement, by, base_url: str, channel: str | None = None) -> SigningLink:
    """Send a signing link by e-mail or SMS, after commit, to every guardian with an address."""
    check_signable(agreement)
    household = agreement.loan.pupil.household if agreement.loan.pupil else None
    if household is None:
        raise ValidationError(_("The pupil has no household, so there is nobody to send the link to."))
    contacts = messages.contacts_of(household)
    channel = channel or messages.reachable_channel(household, contacts)
    if channel not in messages.SENT_CHANNELS:
        raise ValidationError(_("This family gets letters on paper: print the letter instead."))
    if not messages.addresses(contacts, channel, messages.failing_addresses(contacts)):
        raise ValidationError(_("No guardian has an address for this channel."))
    link, token = link_create(agreement=agreement, channel=channel)
    language = signing_language(agreement)
    # The due date goes along as a calendar file, so it lands in the family's phone calendar.
    ics = messages.Attachment.from_bytes("due-date.ics", due_date_ics(agreement.loan, language=language), "text/calendar")
    messages.notify_household(
        household=household, contacts=contacts, channel=channel, about=f"agreement:{agreement.pk}",
        subject=gettext_lazy("Please sign: loan agreement for a school device"),
        email_template="emails/agreement_link.txt", template="emails/agreement_link_sms.txt",
        context={"url": sign_url(base_url, token), "school": _school(agreement), "link": link, "agreement": agreement},
        language=language, attachments=[ics])
    _mark_sent(agreement, by, channel)
    return link


@transaction.atomic
def agreement_paper_link(*, agreement: Agreement, by) -> tuple[SigningLink, str]:
    """The link printed as a QR code on the paper letter."""
    check_signable(agreement)
    link, token = link_create(agreement=agreement, channel="paper")
    _mark_sent(agreement, by, "paper")
    return link, token


def signing_language(agreement):
    return family_language(agreement.language)


# --- signing ------------------------------------------------------------------------------------

def decode_signature(data_url: str) -> bytes | None:
    """A drawn signature arrives as a PNG data URL; anything else is ignored."""
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        return None
    try:
        data = base64.b64decode(data_url[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        uploads.check_bytes(data, uploads.SIGNATURE)
    except ValidationError:
        return None
    return data


@transaction.atomic
def agreement_sign(*, agreement: Agreement, method: str, signer_name: str, language: str, text_sha256: str,
                   ip: str | None, user_agent: str, signature_png: bytes | None = None,
                   link: SigningLink | None = None, by=None) -> Agreement:
    """Sign once. The link and the agreement are each claimed with a conditional update, so a
    double submit or two open tabs sign exactly once; the loser raises AlreadySigned."""
    now = timezone.now()
    if link is not None:
        claimed = SigningLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if claimed != 1:
            raise AlreadySigned
    claimed = Agreement.objects.filter(pk=agreement.pk, status__in=Agreement.UNSIGNED_STATUSES).update(
        status=Agreement.Status.SIGNED, signed_method=method, signed_at=now,
        signer_name=signer_name.strip()[:200], signer_ip=ip or None, signer_user_agent=(user_agent or "")[:400],
        language=language, text_sha256=text_sha256,
    )
    if claimed != 1:
        raise AlreadySigned
    agreement.refresh_from_db()
    if signature_png:
        agreement.signature_image.save(f"signature-{agreement.pk}.png", ContentFile(signature_png), save=False)
        agreement.save(update_fields=["signature_image"])
    audit.record(actor=by, action=AuditEvent.Action.AGREEMENT_SIGNED, instance=agreement, school=_school(agreement),
                 after={"method": method, "language": language, "text_sha256": text_sha256,
                        "link_id": link.pk if link else None})
    queue_render(agreement, signed=True)
    return agreement


def signed_download_open(agreement: Agreement) -> bool:
    return (agreement.status == Agreement.Status.SIGNED and agreement.signed_at is not None
            and timezone.now() < agreement.signed_at + timedelta(days=SIGNED_DOWNLOAD_DAYS))


# --- a question instead of a signature ----------------------------------------------------------

@transaction.atomic
def agreement_ask_question(*, agreement: Agreement, question: str, base_url: str) -> Agreement:
    if agreement.status not in Agreement.UNSIGNED_STATUSES:
        raise AlreadySigned
    before = {"status": agreement.status}
    agreement.question = question.strip()[:2000]
    agreement.status = Agreement.Status.QUESTION
    agreement.save(update_fields=["question", "status"])
    audit.record(actor=None, action=AuditEvent.Action.AGREEMENT_QUESTION_ASKED, instance=agreement, school=_school(agreement),
                 before=before, after={"status": agreement.status})
    school = _school(agreement)
    recipients = list(
        Role.objects.filter(school=school, kind=Role.Kind.COORDINATOR).values_list("user__email", flat=True)
    )
    if recipients:
        url = base_url.rstrip("/") + reverse("agreement_detail", kwargs={"agreement_id": agreement.pk})
        with translation.override("nl"):
            subject = _("A family has a question about a loan agreement")
            body = render_to_string("emails/agreement_question.txt", {"agreement": agreement, "url": url})
        transaction.on_commit(lambda: send_email.delay(subject=subject, body=body, to=recipients))
    return agreement


# --- paper and regeneration ---------------------------------------------------------------------

@transaction.atomic
def agreement_mark_paper_signed(*, agreement: Agreement, scan, by) -> Agreement:
    """The family signed the printed letter; the scan is kept as the evidence."""
    claimed = Agreement.objects.filter(pk=agreement.pk, status__in=Agreement.UNSIGNED_STATUSES).update(
        status=Agreement.Status.SIGNED, signed_method=Agreement.Method.PAPER, signed_at=timezone.now(),
    )
    if claimed != 1:
        raise AlreadySigned
    agreement.refresh_from_db()
    agreement.paper_scan.save(f"paper-{agreement.pk}-{scan.name}", scan, save=False)
    agreement.save(update_fields=["paper_scan"])
    SigningLink.objects.filter(agreement=agreement, used_at__isnull=True).update(used_at=timezone.now())
    audit.record(actor=by, action=AuditEvent.Action.AGREEMENT_PAPER_SIGNED, instance=agreement, school=_school(agreement),
                 after={"method": "paper", "scan": agreement.paper_scan.name})
    return agreement


@transaction.atomic
def agreement_regenerate(*, agreement: Agreement, by) -> None:
    audit.record(actor=by, action=AuditEvent.Action.AGREEMENT_PDF_REGENERATED, instance=agreement, school=_school(agreement))
    queue_render(agreement)
    # The signed copy carries the evidence and its hash is stored: rebuilt only when its file is gone.
    if (agreement.status == Agreement.Status.SIGNED and agreement.signed_method != Agreement.Method.PAPER
            and not (agreement.signed_pdf and agreement.signed_pdf.storage.exists(agreement.signed_pdf.name))):
        queue_render(agreement, signed=True)


# --- terms --------------------------------------------------------------------------------------

TERMS_FIELDS = ["deposit", "damage_cap", "return_policy", "contact_name", "contact_phone", "contact_email",
                "support_organisation", "support_contact", "extra_text", "link_valid_days"]


@transaction.atomic
def terms_save(*, school, data: dict, by, acknowledged: bool = False) -> AgreementTerms:
    """Every save is a new version; agreements keep the version they were made with."""
    terms = AgreementTerms(school=school, created_by=by, **{key: data[key] for key in TERMS_FIELDS if key in data})
    if terms.needs_warning and not acknowledged:
        raise ValidationError(_("Confirm the deposit and damage amounts after reading the warning."))
    previous = current_terms(school)
    last = AgreementTerms.objects.select_for_update().filter(school=school).aggregate(m=Max("version"))["m"] or 0
    terms.version = last + 1
    terms.high_amounts_acknowledged = bool(terms.needs_warning and acknowledged)
    terms.save()
    audit.record(actor=by, action=AuditEvent.Action.TERMS_CHANGED, instance=terms, school=school,
                 before=audit.snapshot(previous, TERMS_FIELDS + ["version"]),
                 after=audit.snapshot(terms, TERMS_FIELDS + ["version", "high_amounts_acknowledged"]))
    return terms
