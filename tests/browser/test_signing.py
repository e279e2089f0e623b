"""A parent on a 360 px phone opens the link, switches to French, signs and downloads the PDF;
axe-core finds no WCAG 2.1 A/AA violation on the signing page."""
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lending import agreements
from lending.models import Agreement

from ..lending.test_agreement_pdf import make_agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in the repository root")
    # Evaluated through the DevTools protocol, which the page's content security policy does not
    # govern: a <script> tag added to the page would be refused (no inline script allowed).
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("options => axe.run(document, options)", WCAG)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    return page


def test_parent_switches_to_french_signs_and_downloads(live_server, phone, school_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = make_agreement(school_a, language="nl")
    _link, token = agreements.link_create(agreement=agreement, channel="sms")
    page = phone

    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_text("Het toestel mag mee naar huis. Ook in de vakantie.")).to_be_visible()
    assert axe_violations(page) == []
    # Nothing is wider than the phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text("L'appareil peut aller à la maison. Aussi pendant les vacances.")).to_be_visible()
    expect(page.get_by_text("Le texte néerlandais fait foi.")).to_be_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=".test-artifacts/signing-360-fr.png", full_page=True)

    page.get_by_label("Votre nom").fill("Fatima El Amrani")
    page.get_by_label("J'ai lu la convention et je suis d'accord.").check()
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 70)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 70 + (15 if step % 2 else -15))
    page.mouse.up()
    page.get_by_role("button", name="Signer la convention").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Merci. La convention est signée.")
    assert axe_violations(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la convention signée (PDF)").click()
    path = download_info.value.path()
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Fatima El Amrani" in text and "Preuve de signature" in text

    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED and agreement.language == "fr"
    assert agreement.signature_image  # the finger signature arrived as a PNG
    page.screenshot(path=".test-artifacts/signing-360.png", full_page=True)


def test_friendly_page_for_an_unknown_link_is_accessible(live_server, phone):
    response = phone.goto(f"{live_server.url}/s/not-a-real-token/")
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
    assert axe_violations(phone) == []


def test_arabic_reads_right_to_left_and_stays_accessible(live_server, phone, school_a):
    agreement = make_agreement(school_a, language="ar")
    _link, token = agreements.link_create(agreement=agreement, channel="paper")
    phone.goto(f"{live_server.url}/s/{token}/")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("html")).to_have_attribute("lang", "ar")
    expect(phone.get_by_text("النص الهولندي هو المرجع.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []
