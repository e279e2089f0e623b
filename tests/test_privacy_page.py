"""The parents' privacy page: nl/fr/en, linked from every parent page, easy Dutch."""
import pytest
from django.urls import reverse

from lending.models import AgreementTerms

from .lending.test_readability import FLOOR, score, visible_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, words", [
    ("nl", ["Wat de school over u bewaart", "1 jaar", "5 jaar", "Vlaamse Toezichtcommissie"]),
    ("fr", ["Ce que l'école garde sur vous", "1 an ", "5 ans", "Toezichtcommissie"]),
    ("en", ["What the school keeps about you", "1 year ", "5 years", "Toezichtcommissie"]),
])
def test_the_page_speaks_three_languages_and_tells_the_periods(client, settings, lang, words):
    settings.RETENTION_MONTHS, settings.SIGNATURE_EVIDENCE_MONTHS = 12, 60
    response = client.get(reverse("public_privacy"), {"lang": lang})
    assert response.status_code == 200 and response["Content-Language"] == lang
    page = response.content.decode().replace("&#x27;", "'")
    assert f'<html lang="{lang}"' in page
    for word in words:
        assert word in page, word


def test_periods_follow_the_settings(client, settings):
    settings.RETENTION_MONTHS, settings.SIGNATURE_EVIDENCE_MONTHS = 18, 120
    page = client.get(reverse("public_privacy"), {"lang": "nl"}).content.decode()
    assert "18 maanden" in page and "10 jaar" in page


def test_an_unknown_language_or_school_falls_back_quietly(client):
    response = client.get(reverse("public_privacy"), {"lang": "xx", "school": "abc"})
    assert response.status_code == 200 and '<html lang="nl"' in response.content.decode()


def test_the_school_and_its_contact_are_named_when_given(client, school_a):
    AgreementTerms.objects.create(school=school_a, version=1, contact_name="Mevrouw Janssens",
                                  contact_email="ict@school.example")
    page = client.get(reverse("public_privacy"), {"lang": "nl", "school": school_a.pk}).content.decode()
    assert school_a.name in page and "Mevrouw Janssens" in page and "ict@school.example" in page


def test_the_dutch_page_is_easy_to_read(client):
    text = visible_text(client.get(reverse("public_privacy"), {"lang": "nl"}).content.decode())
    result = score(text)
    print(f"privacy page: Flesch-Douma {result:.1f}")
    assert result >= FLOOR, text


def test_parent_pages_link_to_the_privacy_page(client):
    # The bad-link pages of signing and survey use the parent layout like every parent page.
    for url in ("/s/unknown-token/", "/q/unknown-token/"):
        page = client.get(url).content.decode()
        assert 'id="privacy-footer"' in page and reverse("public_privacy") in page, url


def _pdf_text_without_spaces(data: bytes) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return "".join(out.split())  # a long address may wrap anywhere


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="poppler-utils is not installed")
def test_printed_letters_give_the_privacy_address(school_a, settings, tmp_path):
    from datetime import date

    from households import codes
    from households import survey as surveys
    from households.models import InternetCode
    from lending import pdf

    from .factories import HouseholdFactory, PupilFactory
    from .lending.test_agreement_pdf import make_agreement

    settings.MEDIA_ROOT = tmp_path
    expected = f"http://testserver/privacy/?lang=fr&school={school_a.pk}"
    agreement = make_agreement(school_a, language="fr")
    letter = pdf.render_document(agreement, sign_url="http://testserver/s/abc/")
    assert expected in _pdf_text_without_spaces(letter)
    assert "/privacy/" not in _pdf_text_without_spaces(pdf.render_document(agreement))  # not a letter

    household = HouseholdFactory(school=school_a, preferred_language="fr")
    PupilFactory(school=school_a, household=household, grade=5)
    code = InternetCode.objects.create(school=school_a, provider="Telenet", code="X-1", valid_until=date(2030, 1, 1),
                                       household=household, issued_at=agreement.created_at)
    assert expected in _pdf_text_without_spaces(codes.render_letter_pdf(code, "http://testserver/"))

    survey = surveys.survey_create(school=school_a, title="Thuis", grades=[5], class_names=[], channel="paper",
                                   by=None, base_url="http://testserver/")
    letters = surveys.render_letters_pdf(survey=survey, base_url="http://testserver/", by=None)
    assert expected in _pdf_text_without_spaces(letters)
