"""A coordinator logs in with Chromium and sees their school's dashboard."""
import pytest
from playwright.sync_api import expect

from lending.models import Device

from ..factories import PASSWORD, DeviceFactory, LoanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_in_and_sees_the_dashboard(live_server, page, coordinator_a, school_a, school_b):
    DeviceFactory.create_batch(4, school=school_a)
    LoanFactory(device__school=school_a, device__status=Device.Status.ON_LOAN)
    DeviceFactory.create_batch(7, school=school_b)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("E-mailadres").fill(coordinator_a.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/school/")
    expect(page.get_by_role("heading", level=1)).to_have_text(school_a.name)
    expect(page.locator("#stat-open")).to_have_text("1")
    expect(page.locator("#devices-by-status tfoot td")).to_have_text("5")
    expect(page.get_by_text(school_b.name)).to_have_count(0)
    page.screenshot(path=".test-artifacts/dashboard.png", full_page=True)


def test_wrong_password_shows_an_error_in_dutch(live_server, page, coordinator_a):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadres").fill(coordinator_a.email)
    page.get_by_label("Wachtwoord").fill("not-the-password")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
