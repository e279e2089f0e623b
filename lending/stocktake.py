"""Stocktake by scanning: start a count, scan every device that is at school, see what is missing,
close it with an audit row. One count per school is open at a time (a partial unique index)."""
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import record
from portal.models import AuditEvent, School

from .desk import DeskError
from .models import Device, Stocktake, StocktakeScan, normalize_asset_tag

MISSING_LISTED = 200

# What a device's status says about where it should be during a count.
EXPECTED_HERE = (Device.Status.AVAILABLE, Device.Status.IN_REPAIR)


def stocktake_start(*, school: School, by) -> Stocktake:
    """The open count of the school, or a new one (a double click starts one)."""
    open_count = Stocktake.objects.filter(school=school, closed_at__isnull=True).first()
    if open_count is not None:
        return open_count
    try:
        with transaction.atomic():
            count = Stocktake.objects.create(school=school, started_by=by)
            record(actor=by, action=AuditEvent.Action.STOCKTAKE_STARTED, instance=count, school=school)
    except IntegrityError:
        return Stocktake.objects.get(school=school, closed_at__isnull=True)
    return count


def stocktake_scan(*, stocktake: Stocktake, raw_tag: str, by) -> tuple[Device, bool]:
    """Count one device; returns it and whether it was new in this count (a second scan counts once)."""
    if stocktake.closed_at is not None:
        raise DeskError(_("This count is closed. Start a new one."))
    tag = normalize_asset_tag(raw_tag)
    device = Device.objects.filter(school_id=stocktake.school_id, asset_tag=tag).first()
    if device is None:
        raise DeskError(_("No device with asset tag %(tag)s at your school.") % {"tag": tag})
    _scan, created = StocktakeScan.objects.get_or_create(stocktake=stocktake, device=device,
                                                         defaults={"scanned_by": by})
    return device, created


def _devices(stocktake: Stocktake) -> QuerySet:
    scanned = StocktakeScan.objects.filter(stocktake=stocktake, device=OuterRef("pk"))
    return Device.objects.filter(school_id=stocktake.school_id).annotate(scanned=Exists(scanned))


def stocktake_result(stocktake: Stocktake) -> dict:
    """Counts per status, scanned or not, and the devices that should be here and were not scanned
    (three queries whatever the number of devices)."""
    rows = _devices(stocktake).values("status", "scanned").annotate(n=Count("pk")).order_by()
    per_status = {status: {"scanned": 0, "not_scanned": 0} for status in Device.Status.values}
    for row in rows:
        per_status[row["status"]]["scanned" if row["scanned"] else "not_scanned"] += row["n"]
    missing = _devices(stocktake).filter(scanned=False, status__in=EXPECTED_HERE).order_by("asset_tag")
    surprising = _devices(stocktake).filter(Q(scanned=True) & ~Q(status__in=EXPECTED_HERE)).order_by("asset_tag")
    return {
        "per_status": [{"status": status, "label": Device.Status(status).label, **counts}
                       for status, counts in per_status.items()],
        "scanned": sum(counts["scanned"] for counts in per_status.values()),
        "missing_count": sum(per_status[status]["not_scanned"] for status in EXPECTED_HERE),
        "missing": list(missing[:MISSING_LISTED]),
        "surprising": list(surprising[:MISSING_LISTED]),
    }


def stocktake_close(*, stocktake: Stocktake, by) -> Stocktake:
    with transaction.atomic():
        stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        if stocktake.closed_at is not None:
            raise DeskError(_("This count is closed already."))
        result = stocktake_result(stocktake)
        stocktake.summary = {
            "scanned": result["scanned"], "missing": result["missing_count"],
            "missing_tags": [device.asset_tag for device in result["missing"]],
            "per_status": {row["status"]: {"scanned": row["scanned"], "not_scanned": row["not_scanned"]}
                           for row in result["per_status"]},
        }
        stocktake.closed_at, stocktake.closed_by = timezone.now(), by
        stocktake.save(update_fields=["summary", "closed_at", "closed_by"])
        record(actor=by, action=AuditEvent.Action.STOCKTAKE_CLOSED, instance=stocktake, school=stocktake.school,
               after={"scanned": result["scanned"], "missing": result["missing_count"],
                      "missing_tags": stocktake.summary["missing_tags"][:50]})
    return stocktake


def last_counted(school: School) -> QuerySet:
    """Every device of the school with the moment it was last scanned in a count (None: never)."""
    return (Device.objects.filter(school=school).annotate(last_counted=Max("stocktake_scans__scanned_at"))
            .order_by("last_counted", "asset_tag"))
