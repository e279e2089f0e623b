"""Family PDFs are tagged (PDF/UA-1) and name their language, so a screen reader reads an Arabic
agreement as Arabic; right-to-left letters say so too. Checked on the real PDF with poppler."""
import re
import shutil
import subprocess
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone

from households import codes
from households.models import InternetCode
from lending import pdf

from ..factories import GuardianFactory, HouseholdFactory
from ..lending.test_agreement_pdf import make_agreement
from ..pdftext import pdf_text

pytestmark = pytest.mark.django_db


def pdfinfo(data: bytes, *options) -> str:
    if not shutil.which("pdfinfo"):
        pytest.skip("poppler-utils (pdfinfo) is not installed")
    return subprocess.run(["pdfinfo", *options, "-"], input=data, capture_output=True, check=True).stdout.decode()


def document_language(data: bytes) -> str | None:
    """The catalog's /Lang, which WeasyPrint writes inside a compressed object stream."""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        if found := re.search(rb"/Lang\s*\(([^)]*)\)", text):
            return found.group(1).decode()
    return None


@pytest.mark.parametrize("language", ["ar", "tr", "nl"])
def test_the_agreement_is_a_tagged_pdf_in_its_language(school_a, language):
    agreement = make_agreement(school_a, language=language)
    agreement.language = language
    data = pdf.render_document(agreement, sign_url="http://testserver/s/x/")
    assert "Tagged:          yes" in pdfinfo(data)
    assert 'pdfuaid:part="1"' in pdfinfo(data, "-meta")
    assert document_language(data) == language
    assert "H1" in pdfinfo(data, "-struct")


def test_an_arabic_code_letter_keeps_the_code_and_number_left_to_right(school_a):
    household = HouseholdFactory(school=school_a, preferred_language="ar", name="Peeters")
    GuardianFactory(household=household)
    code = InternetCode.objects.create(school=school_a, provider="Telenet", code="TN-2026-0042", household=household,
                                       issued_at=timezone.now(), valid_until=timezone.localdate() + timedelta(days=90))
    data = codes.render_letter_pdf(code)
    assert document_language(data) == "ar"
    text = pdf_text(data)
    assert "TN-2026-0042" in text  # in one piece, not reordered by the Arabic around it
    assert "Peeters" in text


def test_an_arabic_familys_survey_letter_is_right_to_left(school_a, coordinator_a, monkeypatch):
    from households import survey as surveys
    from portal.models import Job

    from ..factories import PupilFactory

    household = HouseholdFactory(school=school_a, preferred_language="ar", name="Peeters", contact_channel="paper")
    PupilFactory(school=school_a, household=household, grade=5)
    survey = surveys.survey_create(school=school_a, title="Thuis", grades=[5], class_names=[], channel="household",
                                   by=coordinator_a, base_url="http://testserver")
    rendered = []
    real = surveys.htmls_to_pdf
    monkeypatch.setattr(surveys, "htmls_to_pdf", lambda documents, **kwargs: real(rendered.extend(documents) or rendered,
                                                                                  **kwargs))
    job = Job(school=school_a, params={"survey_id": survey.pk, "base_url": "http://testserver"})
    data = surveys.letters_make(job, progress=lambda done, total: None).file
    assert '<section class="letter" lang="ar" dir="rtl">' in rendered[0]
    assert '<bdi dir="ltr">\u2066http://testserver/q/' in rendered[0]
    assert document_language(data) == "ar"
    assert "Peeters" in pdf_text(data)


def digits_left_to_right(data: bytes, marker: str = "123") -> str:
    """The digits on the line that holds ``marker``, in the order they stand on the page from left
    to right (pdftotext -bbox gives each word's position)."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    xml = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    words = [(float(x), float(y), text) for x, y, text in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)</word>', xml)]
    line = next(y for _x, y, text in words if marker in text)
    return "".join(re.sub(r"\D", "", text) for x, y, text in sorted(words) if abs(y - line) < 2)


def test_a_phone_number_reads_left_to_right_inside_arabic(school_a):
    agreement = make_agreement(school_a, language="ar")  # the school's contact phone is 09 123 45 67
    agreement.language = "ar"
    data = pdf.render_document(agreement, sign_url="http://testserver/s/x/")
    assert digits_left_to_right(data) == "091234567"
    # The check can fail: without isolation the same number comes out as "67 45 123 09".
    from portal.documents import html_to_pdf
    bare = html_to_pdf('<html lang="ar" dir="rtl"><head><title>t</title></head><body><p>الهاتف: 09 123 45 67</p></body></html>')
    assert digits_left_to_right(bare) == "674512309"
