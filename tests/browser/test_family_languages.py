"""An Arabic and a Turkish family answer the survey on a 360 px phone: the page is in their
language, right to left for Arabic with every radio button inside the screen, axe-core finds
nothing, and every control shows a focus ring of at least 3:1 against the page (WCAG 2.4.7, 1.4.11)."""
import pytest
from playwright.sync_api import expect

from households.models import SurveyAnswer

from ..factories import GuardianFactory, HouseholdFactory, PupilFactory
from .test_signing import axe_violations
from .test_survey import answer, fits_the_phone, invite_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused element's ring: its outline (style, width, colour) and the colour of what lies around it.
FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let back = el.parentElement, colour = 'rgba(0, 0, 0, 0)';
  while (back && (colour === 'rgba(0, 0, 0, 0)' || colour === 'transparent')) {
    colour = getComputedStyle(back).backgroundColor; back = back.parentElement; }
  return {tag: el.tagName + (el.type ? ':' + el.type : ''), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: style.outlineColor, background: colour};
}"""


def _channels(css: str) -> tuple[float, float, float]:
    numbers = [float(part) for part in css[css.index("(") + 1:css.index(")")].replace("/", ",").split(",")[:3]]
    return numbers[0], numbers[1], numbers[2]


def contrast(first: str, second: str) -> float:
    def luminance(colour):
        def linear(value):
            value /= 255
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        red, green, blue = (linear(value) for value in _channels(colour))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_computed_right():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    # Bootstrap's own focus glow colour against white: far under 3:1.
    assert contrast("rgb(158, 197, 254)", "rgb(255, 255, 255)") < 3


def focus_rings(page, presses=14):
    """Tab through the page; the ring of each control reached."""
    rings = []
    page.locator("body").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        rings.append(page.evaluate(FOCUS_RING))
    return rings


@pytest.mark.parametrize("language, token", [
    ("ar", "ar-" + "k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6a7B8c9D0e1"),
    ("tr", "tr-" + "F1g2H3i4J5k6L7m8N9o0P1q2R3s4T5u6V7w8X9y0Z1"),
])
def test_a_family_answers_the_survey_in_its_language_at_360px(live_server, page, school_a, language, token):
    page.set_viewport_size({"width": 360, "height": 740})
    household = HouseholdFactory(school=school_a, preferred_language=language, name="Yılmaz-Peeters")
    GuardianFactory(household=household)
    PupilFactory(school=school_a, household=household)
    invite = invite_for(household, token)

    page.goto(f"{live_server.url}/q/{token}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    assert fits_the_phone(page)
    # Every radio button whole on the screen (physical margins pushed them off the right edge).
    boxes = page.locator("input[type=radio]").evaluate_all(
        "els => els.map(el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; })")
    assert boxes and all(left >= 0 and right <= 360 for left, right in boxes), boxes
    if language == "ar":  # mirrored: the radio buttons stand at the right, their labels to their left
        label_box = page.locator("label[for=id_computer_0]").bounding_box()
        radio_box = page.locator("#id_computer_0").bounding_box()
        assert radio_box["x"] > label_box["x"]
    assert axe_violations(page) == []
    page.screenshot(path=f".test-artifacts/survey-360-{language}.png", full_page=True)

    rings = focus_rings(page)
    reached = {ring["tag"] for ring in rings}
    assert {"A", "INPUT:radio"} <= reached, reached
    for ring in rings:
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert contrast(ring["colour"], ring["background"]) >= 3, ring

    answer(page, computer="no", internet="weak", device="yes", free_internet="yes", help_="yes")
    expect(page.locator("html")).to_have_attribute("lang", language)
    saved = SurveyAnswer.objects.get(invite=invite)
    assert saved.language == language and saved.computer == "no"


@pytest.mark.parametrize("path", ["/q/not-a-real-token/", "/s/not-a-real-token/"])
def test_a_bad_link_page_offers_the_languages(live_server, page, path):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.locator("a[hreflang=ar]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert "هذا الرابط" in page.locator("h1").inner_text()  # "This link ..." in Arabic
    assert axe_violations(page) == []
