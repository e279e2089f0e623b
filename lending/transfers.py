"""Hand-overs between schools on the portal: a pupil moves, the device may go along.

The old school ends its loan ("transferred") and the device leaves its stock. The new school sees
the device (kind, model, serial number, tag and the old school's note), never the pupil or the
family: it takes the device into its own stock and lends it at its desk to the pupil from its own
roster, with its own agreement the family signs. Or it sends the device back to the old school.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import record, snapshot
from portal.models import AuditEvent, Role, School

from .desk import LOAN_FIELDS, DeskError, end_unsigned_agreements, lock_open_loan
from .inventory import device_create
from .models import Device, Loan, Transfer

COPIED_FIELDS = ["kind", "make_model", "serial_number", "funding_source", "purchase_value", "accessories"]


def school_on_portal(number: str, *, not_school: School) -> School:
    """The school with this school number, if someone works in it on the portal."""
    school = School.objects.filter(instellingsnummer=number.strip()).first()
    if school is None or school.pk == not_school.pk:
        raise ValidationError(_("No other school with number %(number)s.") % {"number": number})
    if not Role.objects.filter(school=school, kind=Role.Kind.COORDINATOR).exists():
        raise ValidationError(_("%(school)s does not use the portal yet: take the device back, or let it go "
                                "with the pupil outside the portal.") % {"school": school.name})
    return school


def loan_hand_over(*, loan: Loan, to_school: School, note: str = "", by) -> Transfer:
    with transaction.atomic():
        loan = lock_open_loan(loan)
        if loan.pupil_id is None:
            raise DeskError(_("Only a pupil's loan can be handed over to another school."))
        device = loan.device
        before = snapshot(loan, LOAN_FIELDS)
        loan.status, loan.returned_at, loan.received_by = Loan.Status.TRANSFERRED, timezone.now(), None
        loan.save(update_fields=["status", "returned_at", "received_by"])
        device.status = Device.Status.RETIRED
        device.save(update_fields=["status"])
        end_unsigned_agreements(loan=loan, by=by)
        transfer = Transfer.objects.create(loan=loan, device=device, from_school=device.school, to_school=to_school,
                                           note=note.strip()[:300], created_by=by)
        record(actor=by, action=AuditEvent.Action.LOAN_HANDED_OVER, instance=loan, school=device.school,
               before=before, after={**snapshot(loan, LOAN_FIELDS), "to_school": to_school.instellingsnummer,
                                     "transfer": transfer.pk})
    return transfer


def _claim(transfer: Transfer, status: str, by) -> Transfer:
    claimed = Transfer.objects.filter(pk=transfer.pk, status=Transfer.Status.WAITING).update(
        status=status, decided_at=timezone.now(), decided_by=by)
    if claimed != 1:
        raise DeskError(_("This hand-over was already handled."))
    return Transfer.objects.select_related("device", "from_school", "to_school").get(pk=transfer.pk)


def transfer_accept(*, transfer: Transfer, asset_tag: str, by) -> Device:
    """The new school takes the device into its stock, as a new device of its own."""
    with transaction.atomic():
        transfer = _claim(transfer, Transfer.Status.ACCEPTED, by)
        old = transfer.device
        new = device_create(school=transfer.to_school, by=by, asset_tag=asset_tag or old.asset_tag,
                            **{field: getattr(old, field) for field in COPIED_FIELDS})
        Transfer.objects.filter(pk=transfer.pk).update(new_device=new)
        for school in (transfer.to_school, transfer.from_school):
            record(actor=by, action=AuditEvent.Action.TRANSFER_ACCEPTED, instance=transfer, school=school,
                   after={"device": old.asset_tag, "new_tag": new.asset_tag, "to_school": transfer.to_school_id})
    return new


def transfer_decline(*, transfer: Transfer, by) -> Transfer:
    """The device goes back to the old school, which has it in stock again."""
    with transaction.atomic():
        transfer = _claim(transfer, Transfer.Status.DECLINED, by)
        Device.objects.filter(pk=transfer.device_id, status=Device.Status.RETIRED).update(
            status=Device.Status.AVAILABLE)
        for school in (transfer.to_school, transfer.from_school):
            record(actor=by, action=AuditEvent.Action.TRANSFER_DECLINED, instance=transfer, school=school,
                   after={"device": transfer.device.asset_tag, "back_to": transfer.from_school_id})
    return transfer


def transfers_of(school: School) -> QuerySet:
    """Hand-overs from and to ``school``: the only place both schools meet."""
    return (Transfer.objects.filter(Q(from_school=school) | Q(to_school=school))
            .select_related("device", "from_school", "to_school", "new_device").order_by("-created_at"))
