"""Hand-out day with the keyboard only: three pupils get a device, one comes back damaged."""
import pytest
from playwright.sync_api import expect

from lending.models import Device, Incident, Loan, Repair

from ..factories import PASSWORD, DeviceFactory, PupilFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page, selector, limit=60):
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus")


def test_coordinator_hands_out_three_devices_and_takes_one_back_damaged(live_server, page, coordinator_a,
                                                                         school_a):
    pupils = [PupilFactory(school=school_a, needs_device=True, class_name=name) for name in ("5A", "5B", "6A")]
    PupilFactory(school=school_a, needs_device=False, class_name="4A")
    devices = [DeviceFactory(school=school_a, asset_tag=f"LT-{n:04d}") for n in (1, 2, 3)]

    page.goto(f"{live_server.url}/accounts/login/?next=/desk/handout/")
    _tab_to(page, "input[name=username]")
    page.keyboard.type(coordinator_a.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/desk/handout/")

    scan_field = page.locator("#id_asset_tag")
    for pupil, device in zip(pupils, devices, strict=True):
        expect(page.locator("#handout-pupil")).to_have_attribute("data-pupil", str(pupil.pk))
        expect(scan_field).to_be_focused()
        page.keyboard.type(device.asset_tag.lower())  # the scanner types the tag, then Enter
        page.keyboard.press("Enter")
        expect(page.locator("#confirm-button")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#handout-done")).to_be_visible()

    page.goto(f"{live_server.url}/desk/checkin/")
    expect(scan_field).to_be_focused()
    page.keyboard.type(devices[0].asset_tag)
    page.keyboard.press("Enter")
    expect(page.locator("#id_condition_in_1")).to_be_focused()  # "good" is preselected
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_condition_in_3")).to_be_checked()  # damaged
    expect(page.locator("#id_send_to_repair")).to_be_checked()
    page.screenshot(path=".test-artifacts/desk-checkin.png", full_page=True)
    _tab_to(page, "#id_incident_description")
    page.keyboard.type("Scherm gebarsten")
    _tab_to(page, "#confirm-button")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_be_visible()
    page.screenshot(path=".test-artifacts/handout-checkin.png", full_page=True)

    loans = {loan.pupil_id: loan for loan in Loan.objects.filter(device__school=school_a)}
    assert set(loans) == {pupil.pk for pupil in pupils}
    assert {loans[p.pk].device_id for p in pupils} == {d.pk for d in devices}
    back = Loan.objects.get(device=devices[0])
    assert back.status == Loan.Status.RETURNED and back.condition_in == Loan.Condition.DAMAGED
    assert back.received_by_id == coordinator_a.pk
    assert Device.objects.get(pk=devices[0].pk).status == Device.Status.IN_REPAIR
    assert Repair.objects.filter(device=devices[0], returned_at__isnull=True).count() == 1
    assert Incident.objects.get(device=devices[0]).description == "Scherm gebarsten"
    assert set(Device.objects.filter(pk__in=[d.pk for d in devices[1:]]).values_list("status", flat=True)) == {
        Device.Status.ON_LOAN}


def test_checkout_screen_with_the_keyboard_and_the_live_search(live_server, page, coordinator_a, school_a):
    pupil = PupilFactory(school=school_a, first_name="Noor", last_name="Janssens", class_name="6B")
    PupilFactory(school=school_a, first_name="Lars", last_name="Peeters", class_name="6B")
    device = DeviceFactory(school=school_a, asset_tag="TB-0042")

    page.goto(f"{live_server.url}/accounts/login/?next=/desk/")
    _tab_to(page, "input[name=username]")
    page.keyboard.type(coordinator_a.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/desk/")

    expect(page.locator("#id_asset_tag")).to_be_focused()
    page.keyboard.type("tb-0042")
    page.keyboard.press("Enter")
    expect(page.locator("#id_q")).to_be_focused()
    page.keyboard.type("noor")
    expect(page.locator("#borrower-results input[name=borrower]")).to_have_count(1)  # the live search answered
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-button")).to_be_focused()
    expect(page.locator("#desk-confirm")).to_contain_text("Noor Janssens")
    page.screenshot(path=".test-artifacts/desk-checkout.png", full_page=True)
    page.keyboard.press("Enter")
    expect(page.locator("#main > .alert-success")).to_be_visible()

    loan = Loan.objects.get(device=device)
    assert loan.pupil_id == pupil.pk and loan.status == Loan.Status.ACTIVE
    assert Device.objects.get(pk=device.pk).status == Device.Status.ON_LOAN
