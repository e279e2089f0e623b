"""Agreement documents: the text fragment families read, and the PDFs of it (portal.documents).

Everything renders inside ``translation.override(language)``.
"""
import base64
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.documents import html_to_pdf, qr_data_uri, sha256_hex
from portal.languages import family_language
from portal.public_pages import privacy_url

from .models import Agreement

logger = logging.getLogger(__name__)

TEXT_TEMPLATE = "pdf/agreement_text.html"
PDF_TEMPLATE = "pdf/agreement.html"


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
        # What privacy.retention really does, so the agreement never promises another period.
        "retention_months": settings.RETENTION_MONTHS,
        "evidence_months": settings.SIGNATURE_EVIDENCE_MONTHS,
        "adult": agreement.signer == Agreement.Signer.PUPIL,
    }


def render_text(agreement: Agreement, language: str) -> str:
    """The agreement text as shown to the family (an HTML fragment); its hash is the evidence."""
    with translation.override(language):
        return render_to_string(TEXT_TEMPLATE, agreement_context(agreement, language)).strip()


# --- rendering ----------------------------------------------------------------------------------

def _signature_data_url(agreement: Agreement) -> str:
    if not agreement.signature_image:
        return ""
    with agreement.signature_image.open("rb") as handle:
        return "data:image/png;base64," + base64.b64encode(handle.read()).decode("ascii")


def _privacy_url(sign_url: str, language: str, agreement: Agreement) -> str:
    """The printed letter names the privacy page on the same host as its signing link."""
    parts = urlsplit(sign_url)
    return privacy_url(f"{parts.scheme}://{parts.netloc}/", language=language,
                       school_id=agreement.loan.device.school_id)


def render_document(agreement: Agreement, *, signed=False, sign_url: str = "") -> bytes:
    language = family_language(agreement.language)
    context = {
        **agreement_context(agreement, language),
        "text": render_text(agreement, language),
        "signed": signed,
        "signature_data_url": _signature_data_url(agreement) if signed else "",
        "sign_url": sign_url,
        "qr_data_url": qr_data_uri(sign_url) if sign_url else "",
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
