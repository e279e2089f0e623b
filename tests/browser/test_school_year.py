"""A school year at one school's desk, in Chromium, by keyboard: hand out five devices with a fast
scanner, two returns with receipts, a leaver handed over to another school, a stocktake that finds one
device missing, and a summer holiday that due dates and reminders respect."""
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from households.models import Pupil
from lending.models import Device, Incident, Loan, Repair, ReturnReceipt, Stocktake, Transfer
from reminders import services as reminders
from reminders.models import Reminder

from ..factories import DeviceFactory, GuardianFactory, HouseholdFactory, PupilFactory
from .test_signing import axe_violations
from .test_two_step_and_audit import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRUSSELS = ZoneInfo("Europe/Brussels")
# A Monday in June: the summer holiday (1 July - 31 August 2026) is two weeks away.
HAND_OUT_DAY = datetime(2026, 6, 15, 9, 30, tzinfo=BRUSSELS)
FIRST_SCHOOL_DAY = date(2026, 9, 1)


def _pupils(school):
    pupils = []
    for n, (first, language) in enumerate([("Amira", "fr"), ("Lars", "nl"), ("Noor", "ar"), ("Kacper", "pl"),
                                           ("Elif", "tr")]):
        household = HouseholdFactory(school=school, preferred_language=language, name=f"Familie {n}")
        GuardianFactory(household=household, email=f"ouder{n}@example.org")
        pupils.append(PupilFactory(school=school, household=household, first_name=first, needs_device=True,
                                   class_name=f"5{'ABCDE'[n]}"))
    return pupils


def test_a_school_year_at_the_desk(live_server, page, coordinator_a, coordinator_b, school_a, school_b):
    pupils = _pupils(school_a)
    devices = [DeviceFactory(school=school_a, asset_tag=f"LT-000{n}", accessories=["charger", "sleeve"])
               for n in range(1, 7)]
    with time_machine.travel(HAND_OUT_DAY, tick=True):
        log_in(page, live_server, coordinator_a, "/desk/handout/")
        expect(page).to_have_url(f"{live_server.url}/desk/handout/")
        scan = page.locator("#id_asset_tag")

        # --- hand-out day with a fast scanner ----------------------------------------------------
        expect(scan).to_be_focused()
        page.keyboard.type(devices[0].asset_tag.lower(), delay=0)
        page.keyboard.press("Enter")
        for n, pupil in enumerate(pupils):
            expect(page.locator("#confirm-button")).to_be_focused()
            expect(page.locator("#handout-pupil")).to_have_attribute("data-pupil", str(pupil.pk))
            # The summer is respected: due on the first school day after it, not on 31 August.
            expect(page.locator("#confirm-due")).to_contain_text("1 september 2026")
            if n == 0:
                page.screenshot(path=".test-artifacts/school-year-confirm.png", full_page=True)
            page.keyboard.press("Enter")  # confirm...
            if n == 1:
                page.keyboard.press("Enter")  # ...twice, as a hurried hand does
            if n + 1 < len(pupils):  # ...and the scanner types the next tag before the page is back
                page.keyboard.type(devices[n + 1].asset_tag, delay=0)
                page.keyboard.press("Enter")
        expect(page.locator("#handout-done")).to_be_visible()
        expect(page.locator("#desk-done")).to_contain_text(devices[4].asset_tag)
        loans = {loan.pupil_id: loan for loan in Loan.objects.filter(status=Loan.Status.ACTIVE)}
        assert {pupil.pk: loans[pupil.pk].device.asset_tag for pupil in pupils} == {
            pupil.pk: device.asset_tag for pupil, device in zip(pupils, devices, strict=False)}
        assert Loan.objects.count() == 5 and {loan.due_on for loan in loans.values()} == {FIRST_SCHOOL_DAY}

        # --- two returns, each with a receipt ------------------------------------------------------
        page.goto(f"{live_server.url}/desk/checkin/")
        expect(scan).to_be_focused()
        page.keyboard.type(devices[0].asset_tag, delay=0)
        page.keyboard.press("Enter")
        expect(page.locator("#id_condition_in_1")).to_be_focused()
        page.keyboard.press("Enter")  # good, everything back
        expect(page.locator(".alert-success")).to_contain_text("e-mail")
        expect(scan).to_be_focused()
        page.keyboard.type(devices[1].asset_tag, delay=0)
        page.keyboard.press("Enter")
        expect(page.locator("#id_condition_in_1")).to_be_focused()
        # Damaged: Down, Down, Tab, the description, Enter. Four keys besides the description.
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        expect(page.locator("#id_incident_description")).to_be_focused()
        page.keyboard.type("Scherm gebarsten")
        page.keyboard.press("Enter")
        message = page.locator(".alert-success")
        expect(message).to_contain_text("incident")
        expect(message).to_contain_text(re.compile("repair|herstel"))
        page.screenshot(path=".test-artifacts/school-year-checkin.png", full_page=True)
        assert axe_violations(page) == []
        receipts = ReturnReceipt.objects.filter(loan__device__in=devices[:2])
        assert sorted(receipts.values_list("status", flat=True)) == ["sent", "sent"]
        sent = [m for m in mail.outbox if m.attachments and m.attachments[0][0].startswith("receipt-")]
        assert {m.to[0] for m in sent} == {"ouder0@example.org", "ouder1@example.org"}
        assert Incident.objects.get(device=devices[1]).description == "Scherm gebarsten"
        assert Repair.objects.filter(device=devices[1], returned_at__isnull=True).exists()

        # --- a pupil leaves; the worklist finds the device; it goes to the new school ---------------
        leaver = pupils[2]
        page.goto(f"{live_server.url}/pupils/{leaver.pk}/")
        page.locator("#mark-left").click()
        page.locator("#id_left_on").fill("2026-06-08")
        page.locator("input[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/desk/leavers/")
        row = page.locator(f"#leavers tr[data-loan='{loans[leaver.pk].pk}']")
        expect(row).to_contain_text("7")  # days since leaving
        assert axe_violations(page) == []
        row.get_by_role("link", name="Overdragen aan de nieuwe school").or_(
            row.get_by_role("link", name="Hand over to the new school")).first.click()
        page.locator("#id_school_number").fill(school_b.instellingsnummer)
        page.locator("#id_note").fill("Leerjaar 5")
        page.locator("input[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/desk/transfers/")
        expect(page.locator("#transfers")).to_contain_text(school_b.name)
        transfer = Transfer.objects.get()
        assert transfer.to_school == school_b and transfer.loan.status == Loan.Status.TRANSFERRED

        # --- a stocktake that finds one device missing ---------------------------------------------
        page.goto(f"{live_server.url}/desk/stocktake/")
        page.locator("#start-count").click()
        for device in (devices[0], devices[1]):  # back from the returns; LT-0006 is nowhere to be found
            expect(scan).to_be_focused()
            page.keyboard.type(device.asset_tag, delay=0)
            page.keyboard.press("Enter")
            expect(page.locator(".alert-success")).to_contain_text(device.asset_tag)
        expect(page.locator("#stocktake-missing")).to_contain_text("1")
        expect(page.locator("#missing-devices")).to_contain_text(devices[5].asset_tag)
        assert axe_violations(page) == []
        page.locator("#close-count").click()
        expect(page.locator("#stocktake-closed")).to_be_visible()
        assert Stocktake.objects.get().summary["missing_tags"] == [devices[5].asset_tag]

    # --- the new school sees the device, never the family ----------------------------------------
    context = page.context.browser.new_context()
    other = context.new_page()
    log_in(other, live_server, coordinator_b, "/desk/transfers/")
    expect(other.locator("#transfers")).to_contain_text(devices[2].asset_tag)
    assert "Noor" not in other.content()
    context.close()

    # --- the summer holiday: no return reminder in August, the first one on the first school day ---
    open_loans = set(Loan.objects.filter(status=Loan.Status.ACTIVE).values_list("pk", flat=True))
    assert len(open_loans) == 2 and Pupil.objects.filter(active=False).count() == 1  # 5 - 2 back - 1 handed over
    in_summer = reminders.plan_reminders(on=date(2026, 8, 18))
    assert not [item for item in in_summer if item.subject_type == "loan"]
    on_the_day = {(item.kind, item.subject_id, item.step) for item in reminders.plan_reminders(on=FIRST_SCHOOL_DAY)}
    assert {(Reminder.Kind.RETURN_DUE, pk, 2) for pk in open_loans} <= on_the_day
    assert Device.objects.get(pk=devices[5].pk).status == Device.Status.AVAILABLE


def test_the_directors_menu_fits_two_rows_at_1280_pixels(live_server, page, director_a):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, director_a, "/school/")
    expect(page).to_have_url(f"{live_server.url}/school/")
    rows = page.evaluate("""() => new Set([...document.querySelectorAll('#nav-main > ul > li, #nav-main > div > *')]
        .filter(e => e.offsetParent !== null).map(e => Math.round(e.getBoundingClientRect().top / 10))).size""")
    page.screenshot(path=".test-artifacts/director-menu-1280.png")
    assert rows <= 2
    page.locator("#nav-school-settings").click()
    expect(page.get_by_role("link", name="Kalender")).to_be_visible()
    assert page.request.get(f"{live_server.url}/favicon.ico").ok  # no 404 on the first page
