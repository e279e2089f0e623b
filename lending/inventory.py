"""The school's device inventory: adding and editing devices (services) and the reads behind its pages."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portal.audit import record, snapshot
from portal.models import AuditEvent, School

from .models import Device, Incident, Loan, Repair, normalize_asset_tag

# The fields a person edits; status changes that belong to the desk (on loan and back) are not among them.
EDITABLE_FIELDS = [
    "asset_tag", "kind", "funding_source", "make_model", "serial_number", "purchase_value", "accessories", "status",
]
# Statuses the inventory pages may set; "on loan" is set and cleared only by the desk's checkout and return.
MANUAL_STATUSES = [Device.Status.AVAILABLE, Device.Status.IN_REPAIR, Device.Status.LOST, Device.Status.RETIRED]
AUDITED_FIELDS = EDITABLE_FIELDS


def duplicate_tag_message(tag: str) -> str:
    return _("This school already has a device with asset tag %(tag)s.") % {"tag": tag}


def duplicate_tag_error(tag: str) -> ValidationError:
    return ValidationError({"asset_tag": ValidationError(duplicate_tag_message(tag), code="duplicate")})


def tag_in_use(*, school_id: int, asset_tag: str, exclude_pk: int | None = None) -> bool:
    devices = Device.objects.filter(school_id=school_id, asset_tag=normalize_asset_tag(asset_tag))
    if exclude_pk is not None:
        devices = devices.exclude(pk=exclude_pk)
    return devices.exists()


def _save_checked(device: Device, **save_kwargs) -> None:
    """Save inside a savepoint, so a concurrent duplicate tag becomes a form error rather than a 500."""
    try:
        with transaction.atomic():
            device.save(**save_kwargs)
    except IntegrityError as error:
        if "device_asset_tag_unique_per_school" in str(error) or "asset_tag" in str(error):
            raise duplicate_tag_error(device.asset_tag) from None
        raise


def device_create(*, school: School, by, **fields) -> Device:
    """Add one device to `school`. Raises ValidationError for a bad value or a tag the school already uses."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"device_create() got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        device = Device(school=school, **fields)
        device.asset_tag = normalize_asset_tag(device.asset_tag)
        if device.status == Device.Status.ON_LOAN:
            raise ValidationError({"status": _("A device is put on loan at the desk, not here.")})
        device.full_clean(exclude=["school"], validate_constraints=False)
        if tag_in_use(school_id=school.pk, asset_tag=device.asset_tag):
            raise duplicate_tag_error(device.asset_tag)
        _save_checked(device)
        record(actor=by, action=AuditEvent.Action.DEVICE_CREATED, instance=device, school=school,
               after=snapshot(device, AUDITED_FIELDS))
    return device


def device_update(*, device: Device, by, **changes) -> Device:
    """Change fields of one device; writes an audit row with the fields as they were and are, if any changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"device_update() got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        before = snapshot(device, AUDITED_FIELDS)
        if "asset_tag" in changes:
            changes["asset_tag"] = normalize_asset_tag(changes["asset_tag"])
        changed = [field for field, value in changes.items() if getattr(device, field) != value]
        if "status" in changed and Device.Status.ON_LOAN in (device.status, changes["status"]):
            raise ValidationError({"status": _("A device goes on loan and comes back at the desk, not here.")})
        if not changed:
            return device
        for field in changed:
            setattr(device, field, changes[field])
        device.full_clean(exclude=["school"], validate_constraints=False)
        if "asset_tag" in changed and tag_in_use(school_id=device.school_id, asset_tag=device.asset_tag,
                                                 exclude_pk=device.pk):
            raise duplicate_tag_error(device.asset_tag)
        _save_checked(device, update_fields=changed)
        after = snapshot(device, AUDITED_FIELDS)
        record(actor=by, action=AuditEvent.Action.DEVICE_UPDATED, instance=device, school=device.school,
               before={field: before[field] for field in changed}, after={field: after[field] for field in changed})
    return device


# --- reads ------------------------------------------------------------------------------------------


def devices_with_borrower(devices: QuerySet) -> QuerySet:
    """Devices with their open loan (and its borrower) in one extra query, so a list has no N+1."""
    open_loans = Loan.objects.filter(status=Loan.Status.ACTIVE).select_related("pupil", "staff_member")
    return devices.prefetch_related(Prefetch("loans", queryset=open_loans, to_attr="open_loans"))


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # "loan", "repair", "incident", "change" (audit row of the device), "desk" (of its loans etc.)
    obj: object


def _describe_changes(event: AuditEvent) -> list[dict]:
    """Field-by-field before/after of an audit row, with labels and display values."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for field in [name for name in AUDITED_FIELDS if name in before or name in after]:
        old, new = before.get(field), after.get(field)
        if old == new and event.before is not None:
            continue
        rows.append({
            "field": field,
            "label": Device._meta.get_field(field).verbose_name,
            "before": display_value(field, old),
            "after": display_value(field, new),
        })
    return rows


def display_value(field: str, value) -> str:
    if value is None:
        return ""
    model_field = Device._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if field == "accessories":
        labels = dict(Device.Accessory.choices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if field == "purchase_value":
        return number_format(Decimal(str(value)), 2, use_l10n=True)  # 649,00 in Dutch
    return str(value)


# The device status a desk action (lending/desk.py) on a device's loans and repairs leaves behind, when
# that is certain; the history names every action by its audit label.
STATUS_AFTER = {
    AuditEvent.Action.LOAN_CHECKED_OUT: Device.Status.ON_LOAN,
    AuditEvent.Action.LOAN_LOST: Device.Status.LOST,
    AuditEvent.Action.REPAIR_SENT: Device.Status.IN_REPAIR,
    AuditEvent.Action.REPAIR_BACK: Device.Status.AVAILABLE,
}


def device_history(device: Device) -> list[HistoryEntry]:
    """Every loan, repair, incident and audit row of a device, newest first, in four queries.

    Audit rows count both the device's own (added, edited, imported) and those the desk writes on its loans,
    repairs and incidents, which is where the desk's status changes are recorded, with who and when.
    """
    loans = list(device.loans.select_related("pupil", "staff_member", "handed_out_by", "received_by"))
    repairs = list(device.repairs.all())
    incidents = list(device.incidents.select_related("reported_by"))
    about = Q(object_type=Device._meta.label_lower, object_id=str(device.pk))
    for model, rows in ((Loan, loans), (Repair, repairs), (Incident, incidents)):
        if rows:
            about |= Q(object_type=model._meta.label_lower, object_id__in=[str(row.pk) for row in rows])
    events = AuditEvent.objects.filter(about).select_related("actor")

    entries = [HistoryEntry(loan.started_at, "loan", loan) for loan in loans]
    entries += [HistoryEntry(repair.sent_at, "repair", repair) for repair in repairs]
    entries += [HistoryEntry(incident.reported_at, "incident", incident) for incident in incidents]
    for event in events:
        if event.object_type == Device._meta.label_lower:
            event.changes = _describe_changes(event)
            event.status_changed = any(change["field"] == "status" for change in event.changes)
            entries.append(HistoryEntry(event.at, "change", event))
        else:
            status = STATUS_AFTER.get(event.action)
            event.label, event.new_status = event.get_action_display(), Device.Status(status).label if status else ""
            entries.append(HistoryEntry(event.at, "desk", event))
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
