"""Import a school's devices from a CSV file: the school's own list, or a Google Admin or Intune export.

All or nothing, like the school list: every line is checked first and any bad line rejects the file with
every problem listed. A device is found by its serial number within the school, else by its normalised
asset tag, so re-importing the same file, or an export with more columns filled in, changes the devices
instead of adding them twice. A row without an asset tag takes its serial number as the tag. An empty
cell keeps what the device already has (Excel drops trailing empty cells, and a file with only tags and
serial numbers must not wipe the other fields); a new device without a funding source or kind gets the
defaults chosen once for the whole import.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from portal.audit import snapshot
from portal.csvfiles import CsvFile, ImportRejected, Row, RowError, read_csv
from portal.models import AuditEvent, School
from portal.school_import import ImportSummary
from portal.signals import school_data_changed

from . import device_presets
from .inventory import AUDITED_FIELDS, display_value
from .models import Device, DeviceImportSettings, normalize_asset_tag

BATCH_SIZE = 500


_key = device_presets.key

KINDS = {
    **{_key(value): value for value in Device.Kind.values},
    "notebook": Device.Kind.LAPTOP, "ipad": Device.Kind.TABLET,
    "ander": Device.Kind.OTHER, "andere": Device.Kind.OTHER, "overig": Device.Kind.OTHER,
    "overige": Device.Kind.OTHER,
}
def _labels_in_every_language(choices) -> dict:
    """The portal's own labels (as its menus and exports show them), in every staff language."""
    found = {}
    for language in ("nl", "en", "fr"):
        with translation.override(language):
            found.update({_key(str(label)): value for value, label in choices})
    return found


FUNDING = {
    **{_key(value): value for value in Device.Funding.values},
    "government": Device.Funding.GOVERNMENT_2020, "overheid": Device.Funding.GOVERNMENT_2020,
    "overheidslaptop": Device.Funding.GOVERNMENT_2020, "overheidslaptops": Device.Funding.GOVERNMENT_2020,
    "donatie": Device.Funding.DONATION, "schenking": Device.Funding.DONATION, "gift": Device.Funding.DONATION,
    "schoolbudget": Device.Funding.SCHOOL_BUDGET, "school": Device.Funding.SCHOOL_BUDGET,
    "eigen middelen": Device.Funding.SCHOOL_BUDGET, "werkingsmiddelen": Device.Funding.SCHOOL_BUDGET,
    "ander": Device.Funding.OTHER, "andere": Device.Funding.OTHER, "overig": Device.Funding.OTHER,
    "overige": Device.Funding.OTHER,
}
ACCESSORIES = {
    **{_key(value): value for value in Device.Accessory.values},
    "lader": Device.Accessory.CHARGER, "oplader": Device.Accessory.CHARGER, "adapter": Device.Accessory.CHARGER,
    "hoes": Device.Accessory.SLEEVE, "hoesje": Device.Accessory.SLEEVE, "muis": Device.Accessory.MOUSE,
    "hoofdtelefoon": Device.Accessory.HEADSET, "koptelefoon": Device.Accessory.HEADSET,
    "pen": Device.Accessory.STYLUS,
}
MAX_VALUE = Decimal("999999.99")  # purchase_value has 8 digits, 2 after the comma


@dataclass(frozen=True)
class PlannedDevice:
    line: int
    asset_tag: str
    values: dict
    # Field -> (before, after) for a device that exists; empty for a new one.
    changes: dict = field(default_factory=dict)

    @property
    def shown_values(self) -> list[tuple[str, str]]:
        """(label, value) as people read them, for the preview."""
        return [(_label(name), display_value(name, value)) for name, value in self.values.items()]

    @property
    def shown_changes(self) -> list[tuple[str, str, str]]:
        return [(_label(name), display_value(name, old), display_value(name, new))
                for name, (old, new) in self.changes.items()]


def _label(name: str) -> str:
    return str(Device._meta.get_field(name).verbose_name)


@dataclass(frozen=True)
class ImportPlan:
    create: list[PlannedDevice]
    update: list[PlannedDevice]
    unchanged: int
    ignored_columns: list[str]
    preset: str = device_presets.GENERIC
    mapping: dict = field(default_factory=dict)
    # Rows of devices the console lists as no longer in use (deprovisioned, disabled): left out.
    skipped: int = 0

    @property
    def summary(self) -> ImportSummary:
        return ImportSummary(created=len(self.create), updated=len(self.update), unchanged=self.unchanged)

    def fingerprint(self) -> str:
        """Names exactly what would be written, so a confirmation writes what its preview showed."""
        content = [[[item.asset_tag, item.values] for item in self.create],
                   [[item.asset_tag, item.changes] for item in self.update]]
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


class DevicesChanged(Exception):
    """The school's devices changed between the check and the confirmation; nothing was written."""


@dataclass(frozen=True)
class DeviceFile:
    table: CsvFile
    preset: str
    mapping: dict


def read_devices(data: bytes, *, preset: str | None = None, columns: dict | None = None,
                 remembered: dict | None = None) -> DeviceFile:
    """The file's rows and which column holds what: the preset's columns (recognised from the header when
    no preset is given), the remembered or usual names otherwise, and ``columns`` over both."""
    table = read_csv(data, required=[])
    preset = preset if preset in (device_presets.GENERIC, *device_presets.PRESETS) else device_presets.detect(
        table.columns)
    mapping = device_presets.mapping_for(preset, table.columns, remembered)
    for name, column in (columns or {}).items():
        if name not in device_presets.FIELDS:
            continue
        if column:
            mapping[name] = column
        else:
            mapping.pop(name, None)
    problems = []
    if preset == device_presets.GENERIC and columns is None and device_presets.ambiguous(table.columns):
        problems.append(RowError(1, _("columns appear more than once: %(columns)s") % {
            "columns": ", ".join(device_presets.ambiguous(table.columns))}))
    absent = [column for column in mapping.values() if column not in table.columns]
    if absent:
        problems.append(RowError(1, _("missing columns: %(missing)s (the header has: %(found)s)") % {
            "missing": ", ".join(absent), "found": ", ".join(table.columns) or _("nothing")}))
    twice = sorted({column for column in mapping.values() if list(mapping.values()).count(column) > 1})
    if twice:
        problems.append(RowError(1, _("columns appear more than once: %(columns)s") % {"columns": ", ".join(twice)}))
    if "asset_tag" not in mapping and "serial_number" not in mapping:
        problems.append(RowError(1, _("missing columns: %(missing)s (the header has: %(found)s)") % {
            "missing": "asset_tag / inventarisnummer / serial number", "found": ", ".join(table.columns) or _("nothing")}))
    if problems:
        raise ImportRejected(problems)
    return DeviceFile(table=table, preset=preset, mapping=mapping)


def plan_device_import(*, school: School, data: bytes, preset: str | None = None, columns: dict | None = None,
                       funding_source: str = "", kind: str = "", lock: bool = False) -> ImportPlan:
    """Check the whole file and say what importing it would do; raise ImportRejected listing every bad line.

    ``funding_source`` and ``kind`` are the defaults for new devices whose row leaves them empty."""
    device_file = read_devices(data, preset=preset, columns=columns, remembered=_settings(school).columns)
    kind = kind or device_presets.default_kind(device_file.preset)
    errors = list(device_file.table.errors)
    parsed: list[tuple[int, str, str, dict]] = []
    first_tag: dict[str, int] = {}
    first_serial: dict[str, int] = {}
    skipped = 0
    for row in device_file.table.rows:
        if _gone(row, device_file.mapping):
            skipped += 1
            continue
        tag, values, row_errors = _parse_row(row, device_file.mapping)
        serial = normalize_serial(values.get("serial_number", ""))
        for seen, value, message in ((first_tag, tag, _("asset tag %(tag)s already appears on line %(first)d")),
                                     (first_serial, serial,
                                      _("serial number %(tag)s already appears on line %(first)d"))):
            if value and value in seen:
                row_errors.append(RowError(row.line, message % {"tag": value, "first": seen[value]}))
            elif value:
                seen[value] = row.line
        errors.extend(row_errors)
        if not row_errors:
            parsed.append((row.line, tag, serial, values))

    by_tag, by_serial = _existing_devices(school, [p[1] for p in parsed], [p[2] for p in parsed if p[2]], lock=lock)
    create, update, unchanged = [], [], 0
    for line, tag, serial, values in parsed:
        device = by_serial.get(serial) if serial else None
        device = device or by_tag.get(tag)
        holder = by_tag.get(tag)
        if device is None:
            values = {"kind": kind, **values} if kind else values
            if funding_source and not values.get("funding_source"):
                values["funding_source"] = funding_source
            if not values.get("funding_source"):
                errors.append(RowError(line, missing_funding()))
            create.append(PlannedDevice(line, tag, values))
            continue
        if holder is not None and holder.pk != device.pk:
            errors.append(RowError(line, _("asset tag %(tag)s belongs to another device than serial number "
                                           "%(serial)s") % {"tag": tag, "serial": serial}))
            continue
        values = {"asset_tag": tag, **values}
        changes = {name: (getattr(device, name), value) for name, value in values.items()
                   if getattr(device, name) != value}
        if changes:
            update.append(PlannedDevice(line, device.asset_tag, values, changes))
        else:
            unchanged += 1
    if errors:
        raise ImportRejected(errors)
    ignored = [header for header in device_file.table.columns if header not in device_file.mapping.values()]
    return ImportPlan(create=create, update=update, unchanged=unchanged, ignored_columns=ignored,
                      preset=device_file.preset, mapping=device_file.mapping, skipped=skipped)


def import_devices(*, school: School, data: bytes, by=None, preset: str | None = None, columns: dict | None = None,
                   funding_source: str = "", kind: str = "", remember: bool = False,
                   expected: str | None = None) -> ImportSummary:
    """Create or update the devices in the CSV `data` for `school`; nothing is written if any line is bad.

    With ``remember`` the school keeps the export, the columns and the defaults for its next import;
    ``expected`` is the fingerprint of the plan the user saw (DevicesChanged when the plan differs now)."""
    try:
        with transaction.atomic():
            # One import per school at a time: a second click waits, then finds every device there already.
            School.objects.select_for_update().filter(pk=school.pk).values_list("pk", flat=True).get()
            plan = plan_device_import(school=school, data=data, preset=preset, columns=columns,
                                      funding_source=funding_source, kind=kind, lock=True)
            if expected is not None and plan.fingerprint() != expected:
                raise DevicesChanged(_("The devices changed since the check; nothing was imported. Check the "
                                       "new preview."))
            _apply(school, plan, by)
            if remember:
                DeviceImportSettings.objects.update_or_create(school=school, defaults={
                    "preset": plan.preset, "columns": plan.mapping if plan.preset == device_presets.GENERIC else {},
                    "funding_source": funding_source or _settings(school).funding_source, "kind": kind})
    except IntegrityError:
        # Someone added one of these tags by hand between the check and the write.
        raise ImportRejected([RowError(1, _("a device with one of these asset tags was added meanwhile; "
                                            "import the file again"))]) from None
    return plan.summary


def missing_funding() -> str:
    return _("funding source is empty; a new device needs one")


def _settings(school: School) -> DeviceImportSettings:
    return DeviceImportSettings.objects.filter(school=school).first() or DeviceImportSettings(school=school)


def normalize_serial(text: str) -> str:
    return "".join(text.split()).upper()


def _gone(row: Row, mapping: dict) -> bool:
    return "status" in mapping and _key(row[mapping["status"]]) in device_presets.GONE_STATUSES


def _parse_row(row: Row, mapping: dict[str, str]) -> tuple[str, dict, list[RowError]]:
    errors: list[RowError] = []
    cells = {name: row[column].strip() for name, column in mapping.items()}

    def problem(reason: str) -> None:
        errors.append(RowError(row.line, reason))

    cells.pop("status", None)
    manufacturer, system = cells.pop("manufacturer", ""), cells.pop("os", "")
    model = cells.get("make_model", "")
    if manufacturer and not _key(model).startswith(_key(manufacturer)):
        cells["make_model"] = f"{manufacturer} {model}".strip()
    if system and not cells.get("kind") and _key(system) in device_presets.OS_KINDS:
        cells["kind"] = device_presets.OS_KINDS[_key(system)]
    tag = normalize_asset_tag(cells.pop("asset_tag", "") or cells.get("serial_number", ""))
    if not tag:
        problem(_("asset tag is empty"))
    elif len(tag) > Device._meta.get_field("asset_tag").max_length:
        problem(_("asset tag %(tag)s is longer than %(limit)d characters") % {
            "tag": tag, "limit": Device._meta.get_field("asset_tag").max_length})

    values: dict = {}
    for name, text in cells.items():
        if not text:
            continue  # An empty cell keeps what the device has (or the default for a new device).
        if name == "kind":
            kind = KINDS.get(_key(text)) or _labels_in_every_language(Device.Kind.choices).get(_key(text))
            if kind:
                values[name] = kind
            else:
                problem(_("unknown kind “%(value)s” (expected laptop, tablet, chromebook or other)") % {
                    "value": text})
        elif name == "funding_source":
            funding = FUNDING.get(_key(text)) or _labels_in_every_language(Device.Funding.choices).get(_key(text))
            if funding:
                values[name] = funding
            else:
                problem(_("unknown funding source “%(value)s” (expected digisprong, overheid, donatie, "
                          "schoolbudget or andere)") % {"value": text})
        elif name == "purchase_value":
            amount = parse_amount(text)
            if amount is None:
                problem(_("purchase value “%(value)s” is not an amount in euro such as 649,00") % {"value": text})
            else:
                values[name] = amount
        elif name == "in_use_since":
            day = parse_day(text)
            if day is None:
                problem(_("in use since “%(value)s” is not a date such as 20/11/2020 or 2020-11-20") % {"value": text})
            else:
                values[name] = day
        elif name == "accessories":
            items = [item for item in re.split(r"[,;|/+]", text) if item.strip()]
            unknown = [item.strip() for item in items if _key(item) not in ACCESSORIES]
            if unknown:
                problem(_("unknown accessories: %(items)s") % {"items": ", ".join(unknown)})
            else:
                chosen = {ACCESSORIES[_key(item)] for item in items}
                values[name] = [value for value in Device.Accessory.values if value in chosen]
        else:
            limit = Device._meta.get_field(name).max_length
            if len(text) > limit:
                problem(_("%(column)s is longer than %(limit)d characters") % {
                    "column": Device._meta.get_field(name).verbose_name, "limit": limit})
            values[name] = text
    return tag, values, errors


def parse_day(text: str) -> date | None:
    """2020-11-20 (ISO, as Excel's CSV UTF-8 may write it) or 20/11/2020 and 20-11-2020 (Belgian)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            day = datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        return day if date(2000, 1, 1) <= day <= date.today() else None
    return None


def parse_amount(text: str) -> Decimal | None:
    """'649,00', '€ 1.234,50', '1 234.5', '649' -> Decimal; None if not a plain non-negative amount."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text).removeprefix("EUR").removesuffix("EUR")
    if "," in cleaned and "." in cleaned:
        # The last separator is the decimal one; the other groups thousands.
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        return None
    try:
        amount = Decimal(cleaned).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return amount if amount <= MAX_VALUE else None


def _existing_devices(school: School, tags: list[str], serials: list[str], *, lock: bool) -> tuple[dict, dict]:
    """The school's devices with one of these tags or serial numbers: (by tag, by normalised serial)."""
    wanted = set(serials)
    serial_pks = [pk for pk, serial in Device.objects.filter(school=school).exclude(serial_number="").values_list(
        "pk", "serial_number") if normalize_serial(serial) in wanted]
    by_tag, by_serial = {}, {}
    for start in range(0, max(len(tags), len(serial_pks)), BATCH_SIZE):
        devices = Device.objects.filter(school=school).filter(
            Q(asset_tag__in=tags[start : start + BATCH_SIZE]) | Q(pk__in=serial_pks[start : start + BATCH_SIZE]))
        if lock:
            devices = devices.select_for_update()
        for device in devices:
            by_tag[device.asset_tag] = device
            if device.serial_number:
                by_serial[normalize_serial(device.serial_number)] = device
    return by_tag, by_serial


def _apply(school: School, plan: ImportPlan, by) -> None:
    actor = by if by is not None and by.is_authenticated else None
    new = [Device(school=school, asset_tag=item.asset_tag, **item.values) for item in plan.create]
    Device.objects.bulk_create(new, batch_size=BATCH_SIZE)
    changed, fields = [], set()
    events = [
        AuditEvent(actor=actor, school=school, action=AuditEvent.Action.DEVICE_IMPORTED, object_type=Device._meta.label_lower,
                   object_id=str(device.pk), after=snapshot(device, AUDITED_FIELDS))
        for device in new
    ]
    existing = {device.asset_tag: device for device in
                Device.objects.filter(school=school, asset_tag__in=[item.asset_tag for item in plan.update])}
    for item in plan.update:
        device = existing[item.asset_tag]
        before = snapshot(device, list(item.changes))
        for name, (_old, value) in item.changes.items():
            setattr(device, name, value)
        fields.update(item.changes)
        changed.append(device)
        events.append(AuditEvent(actor=actor, school=school, action=AuditEvent.Action.DEVICE_UPDATED_BY_IMPORT,
                                 object_type=Device._meta.label_lower, object_id=str(device.pk),
                                 before=before, after=snapshot(device, list(item.changes))))
    if changed:
        Device.objects.bulk_update(changed, fields=sorted(fields), batch_size=BATCH_SIZE)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    school_data_changed.send(sender=Device, school_ids=[school.pk])
