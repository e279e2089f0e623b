"""Agreement documents: the text fragment families read, and the PDFs WeasyPrint makes of it.

Everything renders inside ``translation.override(language)``. The URL fetcher serves only local
static and media files and data: URLs, so a template (or a school's text) can never make the
renderer fetch something from the network.
"""
import base64
import hashlib
import io
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from households.models import FAMILY_LANGUAGES

from .models import Agreement

logger = logging.getLogger(__name__)

TEXT_TEMPLATE = "pdf/agreement_text.html"
PDF_TEMPLATE = "pdf/agreement.html"


# --- which language a family reads --------------------------------------------------------------

def supported_languages() -> list[str]:
    """The portal's languages plus every family language with a compiled catalog in locale/
    (Turkish, Polish, ... cover the parents' pages; staff strings fall back to Dutch)."""
    portal = [code for code, _name in settings.LANGUAGES]
    extra = [code for code, _name in FAMILY_LANGUAGES if code not in portal and any(
        (Path(path) / code / "LC_MESSAGES" / "django.mo").exists() for path in settings.LOCALE_PATHS)]
    return portal + extra


def language_choices() -> list[tuple[str, str]]:
    names = {**dict(FAMILY_LANGUAGES), **dict(settings.LANGUAGES)}
    return [(code, names[code]) for code in supported_languages()]


def display_language(code: str | None) -> str:
    """The catalog we can show: the family's language when we have it, else Dutch (the reference)."""
    return code if code in supported_languages() else settings.LANGUAGE_CODE


# --- the text -----------------------------------------------------------------------------------

def agreement_context(agreement: Agreement, language: str) -> dict:
    loan = agreement.loan
    terms = agreement.terms
    pupil = loan.pupil
    return {
        "agreement": agreement,
        "terms": terms,
        "school": loan.device.school,
        "device": loan.device,
        "pupil_name": pupil.full_name if pupil else str(loan.borrower),
        "language": language,
        "is_reference": language == settings.LANGUAGE_CODE,
        "deposit": agreement.deposit,
        "damage_cap": terms.damage_cap if terms else 0,
        "return_policy": terms.return_policy if terms else "school_year",
    }


def render_text(agreement: Agreement, language: str) -> str:
    """The agreement text as shown to the family (an HTML fragment); its hash is the evidence."""
    with translation.override(language):
        return render_to_string(TEXT_TEMPLATE, agreement_context(agreement, language)).strip()


def sha256_hex(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


# --- rendering ----------------------------------------------------------------------------------

def _allowed_roots() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)]
    roots += [Path(d) for d in settings.STATICFILES_DIRS]
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


def static_file_url(path: str) -> str:
    found = finders.find(path)
    return Path(found).resolve().as_uri() if found else ""


def html_to_pdf(html: str) -> bytes:
    base_url = (Path(settings.BASE_DIR) / "static").resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=LocalOnlyFetcher()).write_pdf()


def _signature_data_url(agreement: Agreement) -> str:
    if not agreement.signature_image:
        return ""
    with agreement.signature_image.open("rb") as handle:
        return "data:image/png;base64," + base64.b64encode(handle.read()).decode("ascii")


def qr_svg_data_url(url: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _privacy_url(sign_url: str, language: str, agreement: Agreement) -> str:
    """The printed letter names the privacy page on the same host as its signing link."""
    from portal.privacy import privacy_url

    parts = urlsplit(sign_url)
    return privacy_url(f"{parts.scheme}://{parts.netloc}/", language=language,
                       school_id=agreement.loan.device.school_id)


def render_document(agreement: Agreement, *, signed=False, sign_url: str = "") -> bytes:
    language = display_language(agreement.language)
    context = {
        **agreement_context(agreement, language),
        "text": render_text(agreement, language),
        "signed": signed,
        "signature_data_url": _signature_data_url(agreement) if signed else "",
        "sign_url": sign_url,
        "qr_data_url": qr_svg_data_url(sign_url) if sign_url else "",
        "privacy_url": _privacy_url(sign_url, language, agreement) if sign_url else "",
        "generated_at": timezone.now(),
    }
    with translation.override(language):
        html = render_to_string(PDF_TEMPLATE, context)
    return html_to_pdf(html)


# --- storing ------------------------------------------------------------------------------------

def _replace_file(agreement: Agreement, field: str, name: str, data: bytes, extra_fields=()):
    file_field = getattr(agreement, field)
    old_name = file_field.name
    # A render killed between writing the file and saving the row left a file no row points to:
    # take its name back instead of writing a second copy beside it.
    target = file_field.field.generate_filename(agreement, name)
    if target != old_name and file_field.storage.exists(target):
        file_field.storage.delete(target)
    file_field.save(name, ContentFile(data), save=False)
    agreement.save(update_fields=[field, *extra_fields])
    if old_name and old_name != file_field.name:
        file_field.storage.delete(old_name)


def store_agreement_pdf(agreement: Agreement) -> None:
    data = render_document(agreement)
    _replace_file(agreement, "pdf", f"agreement-{agreement.pk}.pdf", data)


def store_signed_pdf(agreement: Agreement) -> None:
    """The signed copy with the signature and an evidence page; its own SHA-256 goes in pdf_sha256."""
    data = render_document(agreement, signed=True)
    agreement.pdf_sha256 = sha256_hex(data)
    _replace_file(agreement, "signed_pdf", f"agreement-{agreement.pk}-signed.pdf", data, ["pdf_sha256"])


def load_for_render(agreement_id: int) -> Agreement | None:
    return (
        Agreement.objects.select_related("terms", "loan__device__school", "loan__pupil__household",
                                         "loan__staff_member")
        .filter(pk=agreement_id)
        .first()
    )
