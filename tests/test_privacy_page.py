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
