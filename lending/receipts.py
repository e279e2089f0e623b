"""The return receipt: proof for the family that the device came back.

The desk creates the row with the return (same transaction); a task renders the one-page PDF in the
family's language (portal.documents) and, for a family reached by e-mail, sends it as an attachment
(portal.messages). The row says "sent" only after the mail server accepted the message; a family
without e-mail gets the PDF printed at the desk. Sending is claimed with a conditional update, so a
task run twice (a retry, a second worker) sends one mail.
"""
import logging
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from portal import audit, messages
from portal.documents import html_to_pdf
from portal.languages import household_language, text_direction
from portal.models import AuditEvent

from .models import Device, Loan, ReturnReceipt

logger = logging.getLogger(__name__)

SUBJECT = gettext_lazy("Receipt: the device is back at school")


def receipt_open(*, loan: Loan) -> ReturnReceipt | None:
    """Called by the desk inside the return's transaction (which queues its task); staff loans get none."""
    household = loan.pupil.household if loan.pupil_id and loan.pupil else None
    if household is None:
        return None
    guardians = list(household.guardians.all())
    channel = messages.reachable_channel(household, guardians, messages.EMAIL
                                         if household.contact_channel == messages.EMAIL else messages.PAPER)
    return ReturnReceipt.objects.create(loan=loan, language=household_language(household), channel=channel)


def receipt_context(receipt: ReturnReceipt) -> dict:
    loan = receipt.loan
    labels = dict(Device.Accessory.choices)
    cost = loan.incidents.aggregate(total=Sum("cost_to_family"))["total"] or Decimal("0")
    receiver = loan.received_by
    return {
        "receipt": receipt, "loan": loan, "device": loan.device, "school": loan.device.school,
        "pupil_name": loan.pupil.full_name if loan.pupil else "",
        "returned_on": timezone.localtime(loan.returned_at).date() if loan.returned_at else None,
        "back": [labels.get(item, item) for item in loan.accessories_in],
        "missing": [labels.get(item, item) for item in loan.accessories_out if item not in loan.accessories_in],
        "received_by": (receiver.get_full_name() if receiver else "") or "",
        "cost": cost, "language": receipt.language, "direction": text_direction(receipt.language),
    }


def render_receipt(receipt: ReturnReceipt) -> bytes:
    with translation.override(receipt.language):
        html = render_to_string("pdf/return_receipt.html", receipt_context(receipt))
    return html_to_pdf(html)


def store_pdf(receipt: ReturnReceipt) -> None:
    data = render_receipt(receipt)
    receipt.pdf.save(f"receipt-{receipt.loan_id}.pdf", ContentFile(data), save=False)
    receipt.save(update_fields=["pdf"])


def load(receipt_id: int) -> ReturnReceipt | None:
    return (ReturnReceipt.objects.select_related("loan__device__school", "loan__pupil__household", "loan__received_by")
            .filter(pk=receipt_id).first())


def receipt_deliver(receipt: ReturnReceipt) -> str:
    """Render the PDF if missing, then e-mail it once; returns the final status."""
    if not receipt.pdf:
        store_pdf(receipt)
    if receipt.channel != messages.EMAIL:
        ReturnReceipt.objects.filter(pk=receipt.pk, status=ReturnReceipt.Status.PENDING).update(
            status=ReturnReceipt.Status.PAPER)
        return ReturnReceipt.Status.PAPER
    if ReturnReceipt.objects.filter(pk=receipt.pk, status=ReturnReceipt.Status.PENDING).update(
            status=ReturnReceipt.Status.SENDING) != 1:
        return "claimed elsewhere"
    household = receipt.loan.pupil.household
    try:
        with receipt.pdf.open("rb") as handle:
            attached = messages.Attachment.from_bytes(f"receipt-{receipt.loan.device.asset_tag}.pdf", handle.read(),
                                                      "application/pdf")
        message = messages.compose(household=household, contacts=list(household.guardians.all()),
                                   channel=messages.EMAIL, template="emails/return_receipt.txt",
                                   context=receipt_context(receipt), subject=SUBJECT, language=receipt.language)
        message.attachments, message.about = [attached], f"receipt:{receipt.pk}"
        statuses = messages.send_now(message)
    except Exception:
        # Not sent: back to pending, so the retry (or the next run) tries again.
        ReturnReceipt.objects.filter(pk=receipt.pk).update(status=ReturnReceipt.Status.PENDING)
        raise
    if not messages.reached(statuses):
        # Refused or only logged: the family gets it on paper from the coordinator instead.
        ReturnReceipt.objects.filter(pk=receipt.pk).update(status=ReturnReceipt.Status.PAPER)
        return ReturnReceipt.Status.PAPER
    now = timezone.now()
    ReturnReceipt.objects.filter(pk=receipt.pk).update(status=ReturnReceipt.Status.SENT, sent_at=now)
    audit.record(actor=None, action=AuditEvent.Action.RETURN_RECEIPT_SENT, instance=receipt,
                 school=receipt.loan.device.school, after={"channel": "email", "to": len(message.to),
                                                           "language": receipt.language})
    return ReturnReceipt.Status.SENT
