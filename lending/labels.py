"""Sheets of asset-tag labels: A4, 3 × 8 labels of 70 × 37 mm, each with the tag as a QR code."""
import segno
from django.template.loader import render_to_string
from django.utils import translation

COLUMNS, ROWS = 3, 8
LABELS_PER_PAGE = COLUMNS * ROWS
# 20 sheets, about four seconds of rendering: a whole school's fleet in one go; above it the list
# must be filtered first (see views_inventory.device_labels).
MAX_LABELS = 480


def qr_data_uri(text: str) -> str:
    # The QR holds the asset tag itself, not a URL: labels stay valid when the portal's host name changes,
    # leak no database ids, and a handheld scanner "types" the tag straight into the list's search box.
    return segno.make(text, error="m", micro=False).svg_data_uri(border=1, dark="#000")


def render_labels_pdf(*, school, devices, language: str | None = None) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    labels = [{"device": device, "qr": qr_data_uri(device.asset_tag)} for device in devices]
    # Laid out as one fixed table per sheet, so every label lands exactly on its sticker.
    rows = [labels[start : start + COLUMNS] for start in range(0, len(labels), COLUMNS)]
    sheets = [rows[start : start + ROWS] for start in range(0, len(rows), ROWS)]
    with translation.override(language or translation.get_language()):
        html = render_to_string("pdf/labels.html", {"school": school, "sheets": sheets})
    # Only the inline QR images may load: no file, no network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
