"""A coordinator reads the reminder texts in French and prints the paper letters: the pages pass
axe-core and run under the content security policy."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reminders import services as reminders
from reminders.models import Reminder

from ..factories import DeviceFactory, HouseholdFactory, LoanFactory, PupilFactory
from .test_signing import axe_violations
from .test_two_step_and_audit import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_reads_the_texts_and_marks_the_letters_handed_out(live_server, page, coordinator_a, school_a):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    household = HouseholdFactory(school=school_a, contact_channel="paper", preferred_language="fr")
    pupil = PupilFactory(school=school_a, household=household, first_name="Élise", class_name="2A")
    today = timezone.localdate()
    LoanFactory(device=DeviceFactory(school=school_a), pupil=pupil, due_on=today + timedelta(days=5))
    morning = timezone.now().replace(hour=9)
    reminders.create_due_reminders(on=today, now=morning)
    reminders.send_pending(now=morning)
    assert Reminder.objects.filter(status="paper").count() == 1

    log_in(page, live_server, coordinator_a, "/reminders/")
    expect(page).to_have_url(f"{live_server.url}/reminders/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Lees de teksten die gezinnen krijgen").click()
    page.get_by_label("Taal van de teksten").select_option("fr")
    page.get_by_role("button", name="Toon").click()
    expect(page.locator("main")).to_contain_text("Bonjour,")
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/reminders/letters/")
    expect(page.locator("#letters-waiting")).to_contain_text("1 brief wacht")
    assert axe_violations(page) == []
    # The PDF is made as a job (in-process here, by a worker in production); its page offers the download.
    page.get_by_role("button", name="1 brief afdrukken (pdf)").click()
    expect(page.locator("#job-done")).to_contain_text("1 brief.")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.locator("#job-download").click()
    assert download.value.suggested_filename.startswith("reminder-letters-")
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    page.goto(f"{live_server.url}/reminders/letters/")
    page.get_by_role("button", name="Deze brieven zijn afgedrukt en meegegeven").click()
    expect(page.locator(".alert-success")).to_contain_text("1 brief aangeduid als meegegeven")
    assert Reminder.objects.get(channel="paper").status == "sent"
    assert refused == []
