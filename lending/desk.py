"""The lending desk: hand out, take back, damage, repairs, leavers and the new school year.

Every write runs here, in one transaction, with an audit row. The database has the last word
on the one-open-loan-per-device rule (``loan_one_open_loan_per_device``); the row lock on the
device only makes the friendly message the common case.
"""
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Pupil
from portal.audit import record, snapshot
from portal.models import AuditEvent

from .agreements import agreement_open
from .due_dates import default_due, next_school_year_end
from .models import Agreement, Device, Incident, Loan, Repair
from .terms import current_terms

LOAN_FIELDS = ["status", "due_on", "returned_at", "condition_in", "accessories_in", "note"]


class DeskError(Exception):
    """A refusal to show the coordinator as it is: the message is translated."""


class DeviceNotAvailable(DeskError):
    pass


def not_available_message(device: Device) -> str:
    if device.status == Device.Status.ON_LOAN:
        loan = Loan.objects.filter(device=device, status=Loan.Status.ACTIVE).select_related("pupil").first()
        if loan is not None and loan.pupil is not None and loan.pupil.class_name:
            return _("Device %(tag)s is already on loan to a pupil of class %(class)s.") % {
                "tag": device.asset_tag, "class": loan.pupil.class_name}
        if loan is not None and loan.staff_member_id:
            return _("Device %(tag)s is already on loan to a staff member.") % {"tag": device.asset_tag}
        return _("Device %(tag)s is already on loan.") % {"tag": device.asset_tag}
    return _("Device %(tag)s cannot be handed out: its status is “%(status)s”.") % {
        "tag": device.asset_tag, "status": device.get_status_display()}


def _append(note: str, extra: str) -> str:
    return f"{note}\n{extra}".strip() if extra else note


def loan_checkout(*, device: Device, pupil=None, staff_member=None, by, due_on: date | None = None,
                  condition_out: str = Loan.Condition.GOOD, accessories=(), note: str = "") -> Loan:
    """Hand a device to a pupil or a staff member; a pupil loan gets its agreement at once."""
    if (pupil is None) == (staff_member is None):
        raise DeskError(_("Choose one borrower: a pupil or a staff member."))
    borrower = pupil or staff_member
    if borrower.school_id != device.school_id:
        raise DeskError(_("The borrower is not at this device's school."))
    if pupil is not None and not pupil.active:
        raise DeskError(_("This pupil is no longer at school."))
    with transaction.atomic():
        # Only the device row: locking the joined school too would make every insert that points at
        # the school (an audit row of an erasure, say) wait on this checkout, and deadlock with it.
        device = Device.objects.select_for_update(of=("self",)).select_related("school").get(pk=device.pk)
        if device.status != Device.Status.AVAILABLE:
            raise DeviceNotAvailable(not_available_message(device))
        # Locked like the erasure locks it (privacy/retention.py): never a loan to an erased pupil.
        if pupil is not None and Pupil.objects.select_for_update().filter(pk=pupil.pk).values_list(
                "anonymised_at", flat=True).get():
            raise DeskError(_("This pupil's data was erased. Add the pupil again to lend a device."))
        terms = current_terms(device.school)
        due_policy, default_on = default_due(school=device.school, return_policy=terms.return_policy, pupil=pupil)
        try:
            with transaction.atomic():
                loan = Loan.objects.create(
                    device=device, pupil=pupil, staff_member=staff_member, due_policy=due_policy,
                    due_on=due_on or default_on, condition_out=condition_out,
                    accessories_out=list(accessories), note=note, handed_out_by=by,
                )
        except IntegrityError:  # another desk handed the same device out a moment ago
            raise DeviceNotAvailable(
                _("Device %(tag)s was just handed out at another desk.") % {"tag": device.asset_tag}
            ) from None
        device.status = Device.Status.ON_LOAN
        device.save(update_fields=["status"])
        agreement_open(loan=loan)  # also queues the PDF render after commit
        record(actor=by, action=AuditEvent.Action.LOAN_CHECKED_OUT, instance=loan, school=device.school,
               after=snapshot(loan, ["device", "pupil", "staff_member", "due_policy", "due_on",
                                     "condition_out", "accessories_out"]))
    return loan


def _lock_open_loan(loan: Loan) -> Loan:
    locked = Loan.objects.select_for_update(of=("self", "device")).select_related("device", "device__school").get(pk=loan.pk)
    if not locked.is_open:
        raise DeskError(_("This loan has already ended."))
    return locked


def _open_repair(*, device: Device, by, supplier: str = "", note: str = "", incident=None) -> Repair:
    try:
        with transaction.atomic():
            repair = Repair.objects.create(device=device, incident=incident, supplier=supplier, note=note)
    except IntegrityError:
        raise DeskError(_("This device is already in repair.")) from None
    device.status = Device.Status.IN_REPAIR
    device.save(update_fields=["status"])
    record(actor=by, action=AuditEvent.Action.REPAIR_SENT, instance=repair, school=device.school,
           after=snapshot(repair, ["device", "supplier", "incident"]))
    return repair


def loan_checkin(*, loan: Loan, by, condition_in: str, accessories_in=(), return_photo=None, note: str = "",
                 send_to_repair: bool = False, supplier: str = "", incident_description: str | None = None,
                 cost_to_family: Decimal = Decimal("0")) -> Loan:
    """Take a device back; it becomes available, or goes to repair (optionally with a damage incident)."""
    with transaction.atomic():
        loan = _lock_open_loan(loan)
        before = snapshot(loan, LOAN_FIELDS)
        device = loan.device
        loan.status = Loan.Status.RETURNED
        loan.returned_at = timezone.now()
        loan.condition_in = condition_in
        loan.accessories_in = list(accessories_in)
        loan.received_by = by
        loan.note = _append(loan.note, note)
        fields = ["status", "returned_at", "condition_in", "accessories_in", "received_by", "note"]
        if return_photo:
            loan.return_photo = return_photo
            fields.append("return_photo")
        loan.save(update_fields=fields)
        missing = [item for item in loan.accessories_out if item not in loan.accessories_in]
        record(actor=by, action=AuditEvent.Action.LOAN_RETURNED, instance=loan, school=device.school, before=before,
               after={**snapshot(loan, LOAN_FIELDS), "accessories_missing": missing})
        incident = None
        if incident_description is not None:
            incident = _incident_create(device=device, loan=loan, kind=Incident.Kind.DAMAGE,
                                        description=incident_description, cost_to_family=cost_to_family, by=by)
        if send_to_repair:
            _open_repair(device=device, by=by, supplier=supplier, incident=incident)
        else:
            device.status = Device.Status.AVAILABLE
            device.save(update_fields=["status"])
    return loan


def cap_message(cap) -> str:
    return _("The family pays at most € %(cap)s (the school's agreement terms).") % {"cap": cap}


def _check_cap(*, school, cost: Decimal):
    cap = current_terms(school).damage_cap
    if cost < 0 or cost > cap:
        raise DeskError(cap_message(cap))


def _incident_create(*, device, loan, kind, description, cost_to_family, by) -> Incident:
    _check_cap(school=device.school, cost=cost_to_family)
    incident = Incident.objects.create(device=device, loan=loan, kind=kind, description=description,
                                       cost_to_family=cost_to_family, reported_by=by)
    record(actor=by, action=AuditEvent.Action.INCIDENT_RECORDED, instance=incident, school=device.school,
           after=snapshot(incident, ["device", "loan", "kind", "cost_to_family"]))
    return incident


def incident_record(*, device: Device, loan: Loan | None = None, kind: str, description: str = "",
                    cost_to_family: Decimal = Decimal("0"), by) -> Incident:
    """Damage, loss or theft. Loss or theft ends the open loan and marks the device lost."""
    with transaction.atomic():
        device = Device.objects.select_for_update(of=("self",)).select_related("school").get(pk=device.pk)
        if loan is None:
            loan = Loan.objects.filter(device=device, status=Loan.Status.ACTIVE).first()
        elif loan.device_id != device.pk:
            raise DeskError(_("This loan is not for this device."))
        incident = _incident_create(device=device, loan=loan, kind=kind, description=description,
                                    cost_to_family=cost_to_family, by=by)
        if kind in (Incident.Kind.LOSS, Incident.Kind.THEFT):
            if loan is not None and loan.is_open:
                before = snapshot(loan, LOAN_FIELDS)
                loan.status = Loan.Status.LOST
                loan.returned_at = timezone.now()
                loan.save(update_fields=["status", "returned_at"])
                record(actor=by, action=AuditEvent.Action.LOAN_LOST, instance=loan, school=device.school, before=before,
                       after=snapshot(loan, LOAN_FIELDS))
            device.status = Device.Status.LOST
            device.save(update_fields=["status"])
    return incident


def repair_send(*, device: Device, by, supplier: str = "", note: str = "", incident=None) -> Repair:
    with transaction.atomic():
        device = Device.objects.select_for_update(of=("self",)).select_related("school").get(pk=device.pk)
        if device.status not in (Device.Status.AVAILABLE, Device.Status.IN_REPAIR):
            raise DeskError(_("Only a device that is at school can go to repair; take it back first."))
        return _open_repair(device=device, by=by, supplier=supplier, note=note, incident=incident)


def repair_back(*, repair: Repair, by, cost: Decimal = Decimal("0"), returned_at=None) -> Repair:
    """The device is back from repair and can be lent again."""
    with transaction.atomic():
        repair = Repair.objects.select_for_update(of=("self", "device")).select_related("device", "device__school").get(pk=repair.pk)
        if repair.returned_at is not None:
            raise DeskError(_("This repair is already closed."))
        repair.returned_at = returned_at or timezone.now()
        repair.cost = cost
        repair.save(update_fields=["returned_at", "cost"])
        device = repair.device
        if device.status == Device.Status.IN_REPAIR:
            device.status = Device.Status.AVAILABLE
            device.save(update_fields=["status"])
        record(actor=by, action=AuditEvent.Action.REPAIR_BACK, instance=repair, school=device.school,
               after=snapshot(repair, ["returned_at", "cost"]))
    return repair


def loan_end_for_leaver(*, loan: Loan, by, transfer: bool) -> Loan:
    """A pupil leaves the school: the device comes back, or goes with the pupil to the new school
    (then it leaves this school's stock: loan transferred, device retired, agreement ended)."""
    with transaction.atomic():
        loan = _lock_open_loan(loan)
        before = snapshot(loan, LOAN_FIELDS)
        device = loan.device
        loan.status = Loan.Status.TRANSFERRED if transfer else Loan.Status.RETURNED
        loan.returned_at = timezone.now()
        loan.received_by = None if transfer else by
        loan.save(update_fields=["status", "returned_at", "received_by"])
        device.status = Device.Status.RETIRED if transfer else Device.Status.AVAILABLE
        device.save(update_fields=["status"])
        if transfer:
            Agreement.objects.filter(loan=loan).exclude(status=Agreement.Status.ENDED).update(
                status=Agreement.Status.ENDED)
        action = AuditEvent.Action.LOAN_TRANSFERRED if transfer else AuditEvent.Action.LOAN_RETURNED_BY_LEAVER
        record(actor=by, action=action, instance=loan, school=device.school, before=before, after=snapshot(loan, LOAN_FIELDS))
    return loan


def loans_year_end(*, school, loans, renew_ids, by, today: date | None = None) -> int:
    """For each open loan due at the end of this school year: renew it to next 31 August, or let it
    end on its due date. Every choice gets an audit row. Returns the number renewed."""
    new_due = next_school_year_end(today)
    renewed = 0
    with transaction.atomic():
        for loan in loans:
            if loan.pk in renew_ids:
                before = snapshot(loan, ["due_on"])
                loan.due_on = new_due
                loan.save(update_fields=["due_on"])
                record(actor=by, action=AuditEvent.Action.LOAN_RENEWED, instance=loan, school=school, before=before,
                       after=snapshot(loan, ["due_on"]))
                renewed += 1
            else:
                record(actor=by, action=AuditEvent.Action.LOAN_YEAR_END_RECORDED, instance=loan, school=school,
                       after={"due_on": str(loan.due_on), "renewed": False})
    return renewed
