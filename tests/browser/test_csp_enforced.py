"""The pages' own JavaScript works with the content security policy enforced, and the browser
reports no violation: the finger signature on a phone, and the keyboard desk's live search."""
import pytest
from playwright.sync_api import expect

from lending import agreements

from ..factories import DeviceFactory, PupilFactory
from ..lending.test_agreement_pdf import make_agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script; counts what the browser refused under the policy.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def watched(page):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    page.add_init_script(WATCH_VIOLATIONS)
    return page, refused


def violations(page, refused):
    return refused + page.evaluate("window.__cspViolations")


def test_signature_drawing_works_under_the_policy(live_server, watched, school_a, settings, tmp_path):
    page, refused = watched
    settings.MEDIA_ROOT = tmp_path
    agreement = make_agreement(school_a, language="nl")
    _link, token = agreements.link_create(agreement=agreement, channel="sms")
    response = page.goto(f"{live_server.url}/s/{token}/")
    assert "default-src 'self'" in response.headers["content-security-policy"]

    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 20 + step * 15, box["y"] + 40 + (10 if step % 2 else -10))
    page.mouse.up()
    # signature.js drew on the canvas: some pixels are no longer blank.
    inked = page.evaluate("""() => { const c = document.getElementById('signature-pad');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""")
    assert inked > 0
    assert violations(page, refused) == []

    # An inline script would be refused: the watch above does see violations.
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
        document.body.appendChild(s); }""")
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None


def test_keyboard_desk_live_search_works_under_the_policy(live_server, watched, coordinator_a, school_a, client):
    page, refused = watched
    PupilFactory(school=school_a, first_name="Noor", last_name="Janssens", class_name="6B")
    DeviceFactory(school=school_a, asset_tag="TB-0042")
    client.force_login(coordinator_a)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/desk/")
    expect(page.locator("#id_asset_tag")).to_be_focused()  # desk.js put the focus there
    page.keyboard.type("tb-0042")
    page.keyboard.press("Enter")
    expect(page.locator("#id_q")).to_be_focused()
    page.keyboard.type("noor")
    expect(page.locator("#borrower-results input[name=borrower]")).to_have_count(1)
    assert violations(page, refused) == []
