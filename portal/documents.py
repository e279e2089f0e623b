"""The one way the portal makes a PDF (WeasyPrint), a QR code (segno) and a barcode (python-barcode).

Every PDF goes through ``html_to_pdf``: its URL fetcher serves only data: URLs and files under the
static and media folders, so no template and no school's own text can make the renderer fetch
something from the network or read a file elsewhere on the server. Templates render inside
``translation.override(language)`` before they get here.
"""
import base64
import hashlib
import io
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import barcode
import segno
from barcode.writer import ImageWriter
from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


def _allowed_roots() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)]
    roots += [Path(folder) for folder in settings.STATICFILES_DIRS]
    return [root.resolve() for root in roots]


class LocalOnlyFetcher(URLFetcher):
    """Serves data: URLs and files under the static and media folders; refuses everything else."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in _allowed_roots()):
                return super().fetch(url, headers)
        logger.warning("PDF renderer refused a resource outside static and media files")
        raise ValueError(f"refused: {parts.scheme}://{parts.netloc} is not a local static or media file")


# Tagged PDF for screen readers (PDF/UA-1): a structure tree, the document language from the
# template's <html lang>, the title shown instead of the file name.
PDF_VARIANT = "pdf/ua-1"


def _html(html: str) -> HTML:
    base_url = (Path(settings.BASE_DIR) / "static").resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=LocalOnlyFetcher())


def html_to_pdf(html: str) -> bytes:
    """A PDF of a rendered template; relative URLs resolve against the project's static folder."""
    return _html(html).write_pdf(pdf_variant=PDF_VARIANT)


def htmls_to_pdf(documents: Iterable[str], *, total: int = 0, progress: Callable[[int, int], None] | None = None) -> bytes:
    """One PDF of several rendered templates, page after page (WeasyPrint's way of joining documents).
    Laying out a document is most of the work, so a batch of letters laid out a few at a time can say
    how far it is: `progress(done, total)` after each one, `total` being how many the caller passes."""
    rendered = []
    for html in documents:
        rendered.append(_html(html).render())
        if progress:
            progress(len(rendered), total or len(rendered))
    if not rendered:
        raise ValueError("no documents to join")
    pages = [page for document in rendered for page in document.pages]
    return rendered[0].copy(pages).write_pdf(pdf_variant=PDF_VARIANT)


def qr_data_uri(text: str, *, border: int = 2) -> str:
    """A QR code of ``text`` as an SVG data URI, for <img> in a PDF or on a page (CSP allows data:
    images). Error correction M survives a crumpled letter or a scratched label."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="svg", scale=4, border=border, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


BARCODE_DPI = 300


def code128_data_uri(text: str, *, module_mm: float = 0.3) -> tuple[str, float]:
    """A Code 128 barcode of ``text`` as a PNG data URI (python-barcode), and its natural width in mm.

    Many USB scanners read a 1D code better than a QR code; the label carries both. No text under the
    bars: the label prints the tag itself, large and on one line."""
    buffer = io.BytesIO()
    code = barcode.get("code128", text, writer=ImageWriter())
    code.write(buffer, options={"write_text": False, "module_width": module_mm, "module_height": 8.0,
                                "quiet_zone": 2.0, "dpi": BARCODE_DPI})
    data = buffer.getvalue()
    width_px = int.from_bytes(data[16:20], "big")  # the PNG header's width
    return ("data:image/png;base64," + base64.b64encode(data).decode("ascii"), width_px / BARCODE_DPI * 25.4)


def sha256_hex(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()
