"""A coordinator switches on two-step login with the key shown on the page; a director reads the
audit log. Both pages pass axe-core and run under the content security policy."""
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from portal.models import AuditEvent

from ..factories import PASSWORD
from .test_signing import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")


def test_switch_on_two_step_login_with_the_key_on_the_page(live_server, page, coordinator_a):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    log_in(page, live_server, coordinator_a, "/accounts/two-step/")
    expect(page).to_have_url(f"{live_server.url}/accounts/two-step/")
    expect(page.locator(".two-step-qr img")).to_be_visible()
    assert page.locator(".two-step-qr img").evaluate("image => image.naturalWidth") > 0  # the data: image loads under the CSP
    assert axe_violations(page) == []
    secret = page.locator("#two-step-secret").inner_text()
    totp = TOTP(b32decode(secret), step=30, t0=0, digits=6)
    totp.time = time.time()
    page.locator("input[name=code]").fill(f"{totp.token():06d}")
    page.locator("input[name=code]").press("Enter")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#two-step-status")).to_be_visible()
    page.screenshot(path=".test-artifacts/two-step-on.png", full_page=True)
    assert refused == []


def test_director_reads_the_audit_log(live_server, page, director_a, coordinator_a, school_a):
    AuditEvent.objects.create(school=school_a, actor=coordinator_a, action="loan.checked_out",
                              object_type="lending.loan", object_id="7", after={"status": "active"})
    log_in(page, live_server, director_a, "/school/")
    expect(page).to_have_url(f"{live_server.url}/school/")
    page.locator("#nav-school-settings").click()  # the director's settings sit in one menu
    page.get_by_role("link", name="Logboek").or_(page.get_by_role("link", name="Audit log")).first.click()
    expect(page.locator("#audit-table")).to_contain_text(coordinator_a.email)
    page.screenshot(path=".test-artifacts/audit-log.png", full_page=True)
    assert axe_violations(page) == []
    # The director has the longest menu: every link must stay inside the window, not run off it.
    overflow = page.evaluate("""() => [...document.querySelectorAll('#nav-main .nav-link')]
        .filter(link => link.getBoundingClientRect().right > window.innerWidth).map(link => link.textContent)""")
    assert overflow == []
