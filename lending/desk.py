"""The lending desk: hand out, take back, damage, repairs, leavers and the new school year.

Every write runs here, in one transaction, with an audit row. The database has the last word
on the one-open-loan-per-device rule (``loan_one_open_loan_per_device``); the row lock on the
device only makes the friendly message the common case.
"""
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Pupil
from portal.after_response import delay_after_commit
from portal.audit import record, snapshot
from portal.models import AuditEvent

from . import tasks
from .agreements import agreement_open
from .due_dates import default_due, due_policy_for, renewal_due
from .models import Agreement, Device, Incident, Loan, Repair, SigningLink
from .receipts import receipt_open
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


class AlreadyHandedOut(DeskError):
    """The same confirm form was sent twice: the loan of the first submit, nothing new."""

    def __init__(self, loan: Loan):
        super().__init__(str(loan.pk))
        self.loan = loan


def _handed_out_with(checkout_key) -> Loan | None:
    if checkout_key is None:
        return None
    return Loan.objects.filter(checkout_key=checkout_key).select_related("device", "pupil", "staff_member").first()


def loan_checkout(*, device: Device, pupil=None, staff_member=None, by, due_on: date | None = None,
                  condition_out: str = Loan.Condition.GOOD, accessories=(), note: str = "",
                  checkout_key=None) -> Loan:
    """Hand a device to a pupil or a staff member; a pupil loan gets its agreement at once.

    The statements of its bare writes and no others (bench/checkout.py): the device is claimed with
    one conditional update (available -> on loan, the pupil's erasure lock inside it) instead of a
    lock and a save; the terms and the calendar for the due date come from memory under the school's
    rules stamp (portal/school_rules.py); a clash with another desk, an erasure or a second submit of
    the same form shows up as an IntegrityError or a lost claim, explained after the rollback.
    Raises AlreadyHandedOut with the first loan when ``checkout_key`` was used before."""
    if (pupil is None) == (staff_member is None):
        raise DeskError(_("Choose one borrower: a pupil or a staff member."))
    borrower = pupil or staff_member
    if borrower.school_id != device.school_id:
        raise DeskError(_("The borrower is not at this device's school."))
    if pupil is not None and not pupil.active:
        raise DeskError(_("This pupil is no longer at school."))
    school = device.school
    claim = Device.objects.filter(pk=device.pk, status=Device.Status.AVAILABLE)
    if pupil is not None:
        # The pupil's row is locked like the erasure locks it (privacy/retention.py), in the claim's
        # own statement: an erasure under way makes the claim wait, then miss. Never a loan to an
        # erased pupil, and no round trip of its own.
        claim = claim.filter(Exists(Pupil.objects.select_for_update().filter(pk=pupil.pk, anonymised_at__isnull=True)))
    try:
        with transaction.atomic():
            if claim.update(status=Device.Status.ON_LOAN) != 1:
                raise DeviceNotAvailable("")
            terms = current_terms(school)  # in memory: portal/school_rules.py
            due_policy = due_policy_for(return_policy=terms.return_policy, pupil=pupil)
            if due_on is None:
                due_on = default_due(school=school, return_policy=terms.return_policy, pupil=pupil)[1]
            loan = Loan.objects.create(
                device=device, pupil=pupil, staff_member=staff_member, due_policy=due_policy, due_on=due_on,
                condition_out=condition_out, accessories_out=list(accessories), note=note, handed_out_by=by,
                checkout_key=checkout_key,
            )
            device.status = Device.Status.ON_LOAN
            agreement_open(loan=loan, terms=terms)  # also queues the PDF render after commit
            record(actor=by, action=AuditEvent.Action.LOAN_CHECKED_OUT, instance=loan, school=school,
                   after=snapshot(loan, ["device", "pupil", "staff_member", "due_policy", "due_on",
                                         "condition_out", "accessories_out"]))
    except (DeviceNotAvailable, IntegrityError) as error:
        first = _handed_out_with(checkout_key)
        if first is not None:
            raise AlreadyHandedOut(first) from None
        if pupil is not None and Pupil.objects.filter(pk=pupil.pk, anonymised_at__isnull=False).exists():
            raise DeskError(_("This pupil's data was erased. Add the pupil again to lend a device.")) from None
        if isinstance(error, IntegrityError):
            if not Loan.objects.filter(device=device, status=Loan.Status.ACTIVE).exists():
                raise  # not a clash over the device: a real error
            raise DeviceNotAvailable(  # another desk handed the same device out a moment ago
                _("Device %(tag)s was just handed out at another desk.") % {"tag": device.asset_tag}) from None
        raise DeviceNotAvailable(not_available_message(Device.objects.get(pk=device.pk))) from None
    return loan


def _give_receipt(loan: Loan):
    receipt = receipt_open(loan=loan)
    if receipt is not None:
        delay_after_commit(tasks.send_return_receipt, receipt.pk)
    return receipt


def lock_open_loan(loan: Loan) -> Loan:
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
        loan = lock_open_loan(loan)
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
        end_unsigned_agreements(loan=loan, by=by)
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
        loan.recorded_incident, loan.receipt_made = incident, _give_receipt(loan)
    return loan


def end_unsigned_agreements(*, loan: Loan, by) -> int:
    """A loan that ended (returned, lost, handed over) ends its unsigned agreement: its links stop
    working (the family sees "this loan has ended") and no reminder asks to sign it. A signed
    agreement stays signed: it is the evidence of the loan."""
    open_ids = list(Agreement.objects.filter(loan=loan, status__in=Agreement.UNSIGNED_STATUSES)
                    .values_list("pk", "status"))
    if not open_ids:
        return 0
    ids = [pk for pk, _status in open_ids]
    Agreement.objects.filter(pk__in=ids).update(status=Agreement.Status.ENDED)
    SigningLink.objects.filter(agreement_id__in=ids, used_at__isnull=True).update(expires_at=timezone.now())
    for pk, status in open_ids:
        record(actor=by, action=AuditEvent.Action.AGREEMENT_ENDED, instance=Agreement(pk=pk),
               school=loan.device.school, before={"status": status}, after={"status": Agreement.Status.ENDED})
    return len(ids)


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
                end_unsigned_agreements(loan=loan, by=by)
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
        loan = lock_open_loan(loan)
        before = snapshot(loan, LOAN_FIELDS)
        device = loan.device
        loan.status = Loan.Status.TRANSFERRED if transfer else Loan.Status.RETURNED
        loan.returned_at = timezone.now()
        loan.received_by = None if transfer else by
        loan.save(update_fields=["status", "returned_at", "received_by"])
        device.status = Device.Status.RETIRED if transfer else Device.Status.AVAILABLE
        device.save(update_fields=["status"])
        end_unsigned_agreements(loan=loan, by=by)
        action = AuditEvent.Action.LOAN_TRANSFERRED if transfer else AuditEvent.Action.LOAN_RETURNED_BY_LEAVER
        record(actor=by, action=action, instance=loan, school=device.school, before=before, after=snapshot(loan, LOAN_FIELDS))
    return loan


def loans_year_end(*, school, loans, renew_ids, by, today: date | None = None) -> int:
    """For each open loan due at the end of this school year: renew it to next 31 August, or let it
    end on its due date. Every choice gets an audit row. Returns the number renewed."""
    new_due = renewal_due(school=school, today=today)
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
