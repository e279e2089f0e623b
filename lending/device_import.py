"""Import a school's devices from a CSV file (Excel in Belgium: semicolons, BOM or Windows-1252).

All or nothing, like the school list: every line is checked first and any bad line rejects the file with
every problem listed. Devices are keyed on the normalised asset tag within the school, so re-importing the
same file changes nothing. An empty cell keeps what the device already has (Excel drops trailing empty
cells, and a file with only tags and serial numbers must not wipe the other fields).
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.audit import snapshot
from portal.csvfiles import ImportRejected, Row, RowError, read_csv
from portal.models import AuditEvent, School
from portal.school_import import ImportSummary
from portal.signals import school_data_changed

from .inventory import AUDITED_FIELDS, display_value
from .models import Device, normalize_asset_tag

BATCH_SIZE = 500


def _key(text: str) -> str:
    """Compare headers and values loosely: case, spaces, underscores and hyphens do not matter."""
    return " ".join(re.sub(r"[_\-]", " ", text).split()).lower()


# Device field <- the header names accepted for it (English names first, then Dutch).
COLUMNS = {
    "asset_tag": ["asset_tag", "asset tag", "assettag", "tag", "inventarisnummer", "inventaris nummer",
                  "inventarisnr", "inventaris"],
    "kind": ["kind", "type", "soort", "soort toestel"],
    "funding_source": ["funding_source", "funding", "financiering", "financieringsbron"],
    "make_model": ["make_model", "make and model", "model", "merk_model", "merk en model", "merk/model", "merk"],
    "serial_number": ["serial_number", "serial", "serienummer", "serial no"],
    "purchase_value": ["purchase_value", "value", "price", "aankoopwaarde", "aankoopprijs", "waarde", "prijs"],
    "accessories": ["accessories", "toebehoren", "accessoires"],
    "in_use_since": ["in_use_since", "in use since", "in gebruik sinds", "in gebruik", "ingebruikname",
                     "datum ingebruikname"],
}
HEADER_TO_FIELD = {_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}

KINDS = {
    **{_key(value): value for value in Device.Kind.values},
    "notebook": Device.Kind.LAPTOP, "ipad": Device.Kind.TABLET,
    "ander": Device.Kind.OTHER, "andere": Device.Kind.OTHER, "overig": Device.Kind.OTHER,
    "overige": Device.Kind.OTHER,
}
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

    @property
    def summary(self) -> ImportSummary:
        return ImportSummary(created=len(self.create), updated=len(self.update), unchanged=self.unchanged)


def plan_device_import(*, school: School, data: bytes, lock: bool = False) -> ImportPlan:
    """Check the whole file and say what importing it would do; raise ImportRejected listing every bad line."""
    table = read_csv(data, required=[])
    columns, errors = _map_columns(table.columns), list(table.errors)
    if "asset_tag" not in columns.values():
        raise ImportRejected([RowError(1, _("missing columns: %(missing)s (the header has: %(found)s)") % {
            "missing": "asset_tag / inventarisnummer", "found": ", ".join(table.columns) or _("nothing")})])
    seen_columns = [header for header, name in columns.items()]
    duplicated = sorted({name for name in columns.values() if list(columns.values()).count(name) > 1})
    if duplicated:
        raise ImportRejected([RowError(1, _("columns appear more than once: %(columns)s") % {
            "columns": ", ".join(header for header in seen_columns if columns[header] in duplicated)})])

    parsed: dict[str, tuple[int, dict]] = {}
    first_line: dict[str, int] = {}
    for row in table.rows:
        tag, values, row_errors = _parse_row(row, columns)
        if tag and tag in first_line:
            row_errors.append(RowError(row.line, _("asset tag %(tag)s already appears on line %(first)d") % {
                "tag": tag, "first": first_line[tag]}))
        elif tag:
            first_line[tag] = row.line
        errors.extend(row_errors)
        if not row_errors:
            parsed[tag] = (row.line, values)

    existing = _existing_devices(school, list(parsed), lock=lock)
    create, update, unchanged = [], [], 0
    for tag, (line, values) in parsed.items():
        device = existing.get(tag)
        if device is None:
            if not values.get("funding_source"):
                errors.append(RowError(line, _("funding source is empty; a new device needs one")))
            create.append(PlannedDevice(line, tag, values))
            continue
        changes = {name: (getattr(device, name), value) for name, value in values.items()
                   if getattr(device, name) != value}
        if changes:
            update.append(PlannedDevice(line, tag, values, changes))
        else:
            unchanged += 1
    if errors:
        raise ImportRejected(errors)
    ignored = [header for header in table.columns if header not in columns]
    return ImportPlan(create=create, update=update, unchanged=unchanged, ignored_columns=ignored)


def import_devices(*, school: School, data: bytes, by=None) -> ImportSummary:
    """Create or update the devices in the CSV `data` for `school`; nothing is written if any line is bad."""
    try:
        with transaction.atomic():
            plan = plan_device_import(school=school, data=data, lock=True)
            _apply(school, plan, by)
    except IntegrityError:
        # Someone added one of these tags by hand between the check and the write.
        raise ImportRejected([RowError(1, _("a device with one of these asset tags was added meanwhile; "
                                            "import the file again"))]) from None
    return plan.summary


def _map_columns(headers: list[str]) -> dict[str, str]:
    return {header: HEADER_TO_FIELD[_key(header)] for header in headers if _key(header) in HEADER_TO_FIELD}


def _parse_row(row: Row, columns: dict[str, str]) -> tuple[str, dict, list[RowError]]:
    errors: list[RowError] = []
    cells = {name: row[header] for header, name in columns.items()}

    def problem(reason: str) -> None:
        errors.append(RowError(row.line, reason))

    tag = normalize_asset_tag(cells.pop("asset_tag"))
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
            if _key(text) in KINDS:
                values[name] = KINDS[_key(text)]
            else:
                problem(_("unknown kind “%(value)s” (expected laptop, tablet, chromebook or other)") % {
                    "value": text})
        elif name == "funding_source":
            if _key(text) in FUNDING:
                values[name] = FUNDING[_key(text)]
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


def _existing_devices(school: School, tags: list[str], *, lock: bool) -> dict[str, Device]:
    found = {}
    for start in range(0, len(tags), BATCH_SIZE):
        devices = Device.objects.filter(school=school, asset_tag__in=tags[start : start + BATCH_SIZE])
        if lock:
            devices = devices.select_for_update()
        found.update((device.asset_tag, device) for device in devices)
    return found


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
