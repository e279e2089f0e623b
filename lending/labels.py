"""Sheets of asset-tag labels: A4, 3 × 8 labels of 70 × 37 mm, each with the tag as a QR code and as a
Code 128 barcode, and the tag in print on one line (never broken: its size shrinks to fit)."""
from django.template.loader import render_to_string
from django.utils import translation

from portal.documents import code128_data_uri, html_to_pdf, qr_data_uri
from portal.jobs import Outcome

from .models import Device

COLUMNS, ROWS = 3, 8
LABELS_PER_PAGE = COLUMNS * ROWS
# 20 sheets, about four seconds of rendering: a whole school's fleet in one go; above it the list
# must be filtered first (see views_inventory.device_labels).
MAX_LABELS = 480
# The room beside the QR code for the barcode, and under both for the printed tag (mm).
TEXT_WIDTH_MM = 38.0
TAG_WIDTH_MM = 56.0
TAG_POINTS = 14.0
# DejaVu Sans Bold: an average character is about 0.68 em wide; 1 pt is 0.3528 mm.
CHARACTER_EM = 0.68


def tag_points(tag: str) -> float:
    """The largest font size (pt, at most 14) at which the tag fits on one line of the label."""
    return round(min(TAG_POINTS, TAG_WIDTH_MM / (max(len(tag), 1) * CHARACTER_EM * 0.3528)), 1)


def label(device) -> dict:
    bars, natural_mm = code128_data_uri(device.asset_tag)
    # As text with a decimal point: a template would print "31,0" in Dutch, which CSS ignores.
    return {"device": device, "qr": qr_data_uri(device.asset_tag, border=1), "barcode": bars,
            "barcode_mm": f"{min(natural_mm, TEXT_WIDTH_MM):.1f}", "tag_pt": f"{tag_points(device.asset_tag):.1f}"}


def render_labels_pdf(*, school, devices, language: str | None = None) -> bytes:
    # The QR holds the asset tag itself, not a URL: labels stay valid when the portal's host name changes,
    # leak no database ids, and a handheld scanner "types" the tag straight into the list's search box.
    labels = [label(device) for device in devices]
    # Laid out as one fixed table per sheet, so every label lands exactly on its sticker.
    rows = [labels[start : start + COLUMNS] for start in range(0, len(labels), COLUMNS)]
    sheets = [rows[start : start + ROWS] for start in range(0, len(rows), ROWS)]
    with translation.override(language or translation.get_language()):
        html = render_to_string("pdf/labels.html", {"school": school, "sheets": sheets})
    return html_to_pdf(html)


def labels_make(job, progress) -> Outcome:
    """The sheet for the devices chosen on the list, made by a worker (lending/tasks.py)."""
    devices = (Device.objects.filter(pk__in=job.params["device_ids"], school=job.school).order_by("asset_tag")
               .only("asset_tag", "kind", "make_model"))
    pdf = render_labels_pdf(school=job.school, devices=devices, language=job.language)
    return Outcome(file=pdf, filename=f"labels-{job.school.instellingsnummer}.pdf")
