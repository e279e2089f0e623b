"""A school on board in one morning, in Chromium (issue 13, "Done when").

A new director, invited by e-mail, logs in with a Microsoft account (the local OpenID Connect provider),
invites a coordinator, who imports a Smartschool, a WISA and an Informat pupil list with two guardians per
pupil and a Google Admin device export as they are, marks a pupil as needing a device by hand and hands
one out. Every click, typed field and chosen file is counted; with ONBOARDING_BENCH_OUT set, the counts
and times go to that file for bench/onboarding.py.
"""
import json
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from households.models import Guardian, Pupil
from lending.models import Device, Loan
from portal.invitations import invitation_create
from portal.models import Invitation, Role

from ..oidc import oidc_provider, school_login  # noqa: F401
from .test_signing import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILES = Path(__file__).resolve().parent.parent / "files"
COORDINATOR_PASSWORD = "Nieuw-wachtwoord-voor-ICT-2026"
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class Journey:
    """What a person does, counted: clicks (and Enter), fields typed or chosen, files picked."""

    def __init__(self, page):
        self.page, self.steps, self.current = page, [], None
        self.violations = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", lambda message: self.violations.append(message.text)
                if "Refused to" in message.text else None)

    @contextmanager
    def step(self, name):
        self.current = {"step": name, "clicks": 0, "fields": 0, "files": 0}
        started = time.perf_counter()
        yield
        self.current["seconds"] = round(time.perf_counter() - started, 3)
        self.steps.append(self.current)
        self.violations += self.page.evaluate("window.__cspViolations || []")

    def click(self, locator):
        locator.click()
        self.current["clicks"] += 1

    def fill(self, locator, text):
        locator.fill(text)
        self.current["fields"] += 1

    def choose(self, locator, value):
        locator.select_option(value)
        self.current["fields"] += 1

    def tick(self, locator):
        locator.check()
        self.current["clicks"] += 1

    def upload(self, locator, path):
        locator.set_input_files(str(path))
        self.current["files"] += 1

    def open_mail_link(self, base):
        """The person opens the link in the e-mail (one click in the mail program)."""
        path = re.search(r"http://[^/\s]+(/invitation/[A-Za-z0-9_-]+/)", mail.outbox[-1].body).group(1)
        self.page.goto(base + path)
        self.current["clicks"] += 1

    def save(self):
        target = os.environ.get("ONBOARDING_BENCH_OUT")
        if target:
            Path(target).write_text(json.dumps({"steps": self.steps}, indent=2))


def import_roster(journey, base, name):
    page = journey.page
    journey.click(page.locator("a[href='/pupils/']").first)
    journey.click(page.locator("a[href='/pupils/import/']"))
    journey.upload(page.locator("#roster-upload input[type=file]"), FILES / name)
    journey.click(page.locator("#roster-upload [type=submit]"))
    expect(page).to_have_url(f"{base}/pupils/import/check/")
    expect(page.locator("#roster-preview")).to_be_visible()
    journey.click(page.locator("#roster-confirm [type=submit]"))
    expect(page).to_have_url(f"{base}/pupils/")
    expect(page.locator(".alert-success")).to_be_visible()


def test_a_school_on_board_in_one_morning(live_server, page, school_login, admin_user, school_a, settings):
    # The portal answers on 127.0.0.1: the provider accepts any port there for the callback (RFC 8252).
    base = live_server.url.replace("localhost", "127.0.0.1")
    invitation_create(email="directeur@nieuweschool.test", kind=Role.Kind.DIRECTOR, school=school_a, by=admin_user,
                      base_url=base + "/")
    assert Invitation.objects.get().sent_at is not None  # sent by the (eager) task after commit
    journey = Journey(page)

    with journey.step("director: invitation link, log in with Microsoft"):
        journey.open_mail_link(base)
        expect(page.locator("#invitation-role")).to_contain_text(school_a.name)
        assert axe_violations(page) == []
        journey.click(page.locator("#school-login button[data-provider=microsoft]"))
        journey.fill(page.locator("#id_username"), "new-director")
        journey.fill(page.locator("#id_password"), "provider-pass-2026")
        journey.click(page.locator("#provider-sign-in"))
        expect(page).to_have_url(f"{base}/school/")

    with journey.step("director: invite a coordinator"):
        journey.click(page.locator("#nav-school-settings"))  # a director's people are under the school settings
        journey.click(page.locator("a[href='/school/people/']"))
        journey.fill(page.locator("#invite input[name=email]"), "ict.nieuw@nieuweschool.test")
        journey.choose(page.locator("#invite select[name=kind]"), "coordinator")
        journey.click(page.locator("#invite [type=submit]"))
        expect(page.locator("#invitations")).to_contain_text("ict.nieuw@nieuweschool.test")
        assert axe_violations(page) == []
        journey.click(page.locator("form[action='/accounts/logout/'] button"))

    with journey.step("coordinator: invitation link, choose a password"):
        journey.open_mail_link(base)
        journey.fill(page.locator("#id_first_name"), "Nele")
        journey.fill(page.locator("#id_last_name"), "Claes")
        journey.fill(page.locator("#id_password1"), COORDINATOR_PASSWORD)
        journey.fill(page.locator("#id_password2"), COORDINATOR_PASSWORD)
        journey.click(page.locator("#accept-password [type=submit]"))
        expect(page).to_have_url(f"{base}/school/")

    for name in ("smartschool_gebruikers.csv", "wisa_leerlingen.csv", "informat_leerlingen.txt"):
        with journey.step(f"coordinator: import {name}"):
            import_roster(journey, base, name)
    assert Pupil.objects.filter(school=school_a).count() == 6 and Guardian.objects.count() == 10
    for pupil in Pupil.objects.filter(school=school_a).select_related("household"):
        assert pupil.household.guardians.count() == 2, pupil.internal_number

    with journey.step("coordinator: import the Google Admin devices"):
        journey.click(page.locator("a[href='/devices/']").first)
        journey.click(page.locator("a[href='/devices/import/']"))
        journey.upload(page.locator("#device-import input[type=file]"), FILES / "google_admin_chromebooks.csv")
        journey.choose(page.locator("#device-import select[name=funding_source]"), "digisprong")
        journey.click(page.locator("#device-import [type=submit]"))
        expect(page.locator("#import-preview")).to_be_visible()
        assert axe_violations(page) == []
        journey.click(page.locator("[name=confirm]"))
        expect(page).to_have_url(f"{base}/devices/")
    assert Device.objects.filter(school=school_a).count() == 3

    lotte = Pupil.objects.get(school=school_a, internal_number="3106")
    with journey.step("coordinator: mark a pupil as needing a device, hand one out"):
        journey.click(page.locator("a[href='/pupils/']").first)
        journey.fill(page.locator("input[name=q]"), "Lotte")
        page.keyboard.press("Enter")
        journey.current["clicks"] += 1
        journey.click(page.locator(f"a[href='/pupils/{lotte.pk}/']"))
        journey.tick(page.locator("#pupil-needs input[name=needs_device]"))
        journey.click(page.locator("#pupil-needs [type=submit]"))
        expect(page.locator("#needs-marked")).to_be_visible()
        journey.click(page.locator("a[href='/desk/handout/']").first)
        expect(page.locator("#handout-pupil")).to_have_attribute("data-pupil", str(lotte.pk))
        page.keyboard.type("CB-0001")  # the scanner types the tag and Enter
        page.keyboard.press("Enter")
        expect(page.locator("#confirm-button")).to_be_focused()
        page.keyboard.press("Enter")
        journey.current["clicks"] += 2
        expect(page.locator(".alert-success")).to_be_visible()

    loan = Loan.objects.get()
    assert (loan.pupil, loan.device.asset_tag) == (lotte, "CB-0001")
    assert journey.violations == []
    journey.save()


@pytest.mark.django_db(transaction=False)
def test_the_same_morning_through_the_services_alone(admin_user, school_a, django_capture_on_commit_callbacks):
    """The floor for bench/onboarding.py: the journey's writes without a browser or HTTP. Its end state is
    the journey's; with ONBOARDING_BENCH_OUT set its time goes to floor.json beside the journey's counts."""
    from households.pupils import pupil_needs_mark
    from households.roster_source import import_roster as import_roster_file
    from lending.desk import loan_checkout
    from lending.device_import import import_devices
    from portal.invitations import invitation_accept

    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(email="directeur@nieuweschool.test", kind=Role.Kind.DIRECTOR, school=school_a,
                          by=admin_user, base_url="http://testserver/")
    director = invitation_accept(invitation=Invitation.objects.get(), user=None)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(email="ict.nieuw@nieuweschool.test", kind=Role.Kind.COORDINATOR, school=school_a,
                          by=director, base_url="http://testserver/")
    coordinator = invitation_accept(invitation=Invitation.objects.get(kind=Role.Kind.COORDINATOR), user=None,
                                    password=COORDINATOR_PASSWORD)
    for name in ("smartschool_gebruikers.csv", "wisa_leerlingen.csv", "informat_leerlingen.txt"):
        import_roster_file(school=school_a, data=(FILES / name).read_bytes(), filename=name, by=coordinator)
    import_devices(school=school_a, data=(FILES / "google_admin_chromebooks.csv").read_bytes(),
                   funding_source="digisprong", by=coordinator, remember=True)
    lotte = pupil_needs_mark(pupil=Pupil.objects.get(school=school_a, internal_number="3106"), needs_device=True,
                             needs_internet=False, by=coordinator)
    loan = loan_checkout(device=Device.objects.get(asset_tag="CB-0001"), pupil=lotte, by=coordinator)
    seconds = time.perf_counter() - started

    assert Guardian.objects.count() == 10 and Device.objects.count() == 3 and loan.pupil == lotte
    target = os.environ.get("ONBOARDING_BENCH_OUT")
    if target:
        Path(target).with_name("floor.json").write_text(json.dumps({"seconds": round(seconds, 3)}))
