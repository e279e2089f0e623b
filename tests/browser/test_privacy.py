"""The privacy page on a 360 px phone: no WCAG 2.1 A/AA violation (axe-core), nothing wider than the screen."""
import pytest
from playwright.sync_api import expect

from .test_signing import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["nl", "fr", "en", "tr", "pl", "ro", "uk", "ar"])
def test_privacy_page_on_a_phone(live_server, page, school_a, lang):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/privacy/?lang={lang}&school={school_a.pk}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#privacy h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
