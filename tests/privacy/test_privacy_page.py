"""The parents' privacy page: nl/fr/en and the family languages tr/pl/ro/uk/ar, linked from every parent
page, easy Dutch."""
import pytest
from django.urls import reverse

from lending.models import AgreementTerms

from ..lending.test_readability import FLOOR, score, visible_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, words", [
    ("nl", ["Wat de school over je bewaart", "1 jaar", "5 jaar", "Vlaamse Toezichtcommissie"]),
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


@pytest.mark.parametrize("lang, words", [
    ("tr", ["Okulun sizin hakkınızda sakladıkları", "sonra 1 yıl boyunca", "sonra 5 yıl boyunca",
            "(Vlaamse Toezichtcommissie)"]),
    ("pl", ["Co szkoła przechowuje o Tobie", "przez 1 rok po", "przez 5 lat po", "(Vlaamse Toezichtcommissie)"]),
    ("ro", ["Ce păstrează școala despre dumneavoastră", "Până la 1 an după", ": 5 ani după",
            "(Vlaamse Toezichtcommissie)"]),
    ("uk", ["Що школа зберігає про вас", "ще 1 рік після", ": 5 років після", "(Vlaamse Toezichtcommissie)"]),
    ("ar", ["ما تحتفظ به المدرسة عنك", "لمدة سنة واحدة بعد", "لمدة 5 سنوات بعد", "(Vlaamse Toezichtcommissie)"]),
])
def test_the_page_speaks_the_family_languages_too(client, settings, lang, words):
    settings.RETENTION_MONTHS, settings.SIGNATURE_EVIDENCE_MONTHS = 12, 60
    response = client.get(reverse("public_privacy"), {"lang": lang})
    assert response.status_code == 200 and response["Content-Language"] == lang
    page = response.content.decode()
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}"' in page
    for word in words:
        assert word in page, word
    assert "What the school keeps about you" not in page  # its own text, not the English one


@pytest.mark.parametrize("lang, words", [
    # 22 months and 2 years: the "few" forms, and Romanian's "de" from 20 on.
    ("tr", ["22 ay", "2 yıl"]),
    ("pl", ["22 miesiące", "2 lata"]),
    ("ro", ["22 de luni", "2 ani"]),
    ("uk", ["22 місяці", "2 роки"]),
    ("ar", ["22 شهرًا", "سنتين"]),
])
def test_the_family_languages_count_months_and_years_correctly(client, settings, lang, words):
    settings.RETENTION_MONTHS, settings.SIGNATURE_EVIDENCE_MONTHS = 22, 24
    page = client.get(reverse("public_privacy"), {"lang": lang}).content.decode()
    for word in words:
        assert word in page, word


@pytest.mark.parametrize("months, lang, word", [
    (18, "pl", "18 miesięcy"), (13, "pl", "13 miesięcy"), (5, "pl", "5 miesięcy"),
    (18, "uk", "18 місяців"), (13, "uk", "13 місяців"), (21, "uk", "21 місяць"), (3, "uk", "3 місяці"),
    (18, "ro", "18 luni"), (30, "ro", "30 de luni"), (1, "ro", "1 lună"),
    (18, "ar", "18 شهرًا"), (3, "ar", "3 أشهر"), (1, "ar", "شهر واحد"),
    (132, "pl", "11 lat"), (264, "pl", "22 lata"), (132, "uk", "11 років"), (252, "uk", "21 рік"),
    (240, "ro", "20 de ani"), (132, "ar", "11 سنة"),
])
def test_number_forms_of_other_periods(client, settings, months, lang, word):
    settings.RETENTION_MONTHS = months
    page = client.get(reverse("public_privacy"), {"lang": lang}).content.decode()
    assert word in page


def test_the_printed_address_follows_the_one_language_rule():
    from portal.public_pages import privacy_url

    for code in ("nl", "fr", "en", "tr", "pl", "ro", "uk", "ar"):
        assert privacy_url("http://testserver/", language=code) == f"http://testserver/privacy/?lang={code}"
    assert privacy_url("http://testserver/", language="tr", school_id=3) == "http://testserver/privacy/?lang=tr&school=3"
    # A language the portal does not offer gets the Dutch reference, as every other family text does.
    assert privacy_url("http://testserver/", language="es") == "http://testserver/privacy/?lang=nl"


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
    # In the family's own language, also beyond Dutch and French.
    page = client.get("/s/unknown-token/", {"lang": "tr"}).content.decode()
    assert f'{reverse("public_privacy")}?lang=tr' in page


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
    from portal.models import Job

    from ..factories import HouseholdFactory, PupilFactory
    from ..lending.test_agreement_pdf import make_agreement

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
    job = Job(school=school_a, params={"survey_id": survey.pk, "base_url": "http://testserver/"})
    letters = surveys.letters_make(job, progress=lambda done, total: None).file
    assert expected in _pdf_text_without_spaces(letters)
