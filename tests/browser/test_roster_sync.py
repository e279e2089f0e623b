"""The Smartschool button in Chromium: a coordinator reads the pupils from the school's platform (the
local stub), checks them, confirms the one leaver and imports, as with a file."""
import pytest
from playwright.sync_api import expect

from households.models import Guardian, Pupil
from portal import smartschool

from ..factories import PupilFactory
from ..stubs import SmartschoolSchool, SmartschoolStub, smartschool_account
from .test_signing import axe_violations
from .test_two_step_and_audit import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_reads_the_pupils_from_smartschool_and_confirms_the_leaver(live_server, page, httpserver,
                                                                                  coordinator_a, school_a):
    platform = SmartschoolStub(httpserver)
    smartschool.school_connect(school=school_a, platform=platform.platform, access_code="ws-code-123")
    tree = SmartschoolSchool(platform)
    tree.group("leerlingen")
    tree.group("5A", parent="leerlingen", kind="K", official=True)
    for number, name in (("1001", "Lotte"), ("1002", "Jonas"), ("1003", "Mila"), ("1004", "Vertrokken")):
        PupilFactory(school=school_a, internal_number=number, first_name=name, last_name="Test", class_name="5A",
                     grade=5)
        if name != "Vertrokken":
            tree.add("5A", smartschool_account(number, name, "Test", coaccounts=(
                (f"Ouder van {name}", "Test", f"{name.lower()}@example.be", "", "Moeder"),)))

    log_in(page, live_server, coordinator_a, "/pupils/import/")
    expect(page.locator("#roster-smartschool")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Leerlingen uit Smartschool lezen").click()

    expect(page).to_have_url(f"{live_server.url}/pupils/import/check/")
    expect(page.locator("#roster-scope")).to_contain_text("Deze lijst wordt gelezen als de hele school.")
    expect(page.locator("#roster-leavers")).to_contain_text("Vertrokken Test")
    assert axe_violations(page) == []
    page.get_by_label("Markeer deze 1 leerling als vertrokken").check()
    page.get_by_role("button", name="Leerlingen importeren").click()

    expect(page).to_have_url(f"{live_server.url}/pupils/")
    expect(page.get_by_text("Leerlingenlijst geïmporteerd")).to_be_visible()
    assert list(Pupil.objects.filter(active=False).values_list("first_name", flat=True)) == ["Vertrokken"]
    assert sorted(Guardian.objects.values_list("email", "smartschool_coaccount")) == [
        ("jonas@example.be", 1), ("lotte@example.be", 1), ("mila@example.be", 1)]
