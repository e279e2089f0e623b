"""Families answer the needs survey on a 360 px phone, in Dutch and in French.

Fields are found by name and id (the catalogs are compiled later, so no translated text is relied on);
the page language is checked through <html lang>, the result through the database.
"""
import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from households.models import Household, Pupil, Survey, SurveyAnswer, SurveyInvite

from ..factories import HouseholdFactory, PupilFactory
from .test_signing import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    return page


def invite_for(household, token):
    survey = Survey.objects.get_or_create(school=household.school, title="Computer thuis", grades=[5])[0]
    return SurveyInvite.objects.create(survey=survey, household=household, channel="sms",
                                       token_hash=hashlib.sha256(token.encode()).hexdigest(),
                                       expires_at=timezone.now() + timedelta(days=30))


def answer(page, *, computer, internet, device, free_internet, help_, shared_with=None):
    page.locator(f"input[name=computer][value={computer}]").check()
    if shared_with is not None:
        page.locator("#id_shared_with").fill(str(shared_with))
    page.locator(f"input[name=internet][value={internet}]").check()
    page.locator(f"input[name=wants_device][value={device}]").check()
    page.locator(f"input[name=wants_internet][value={free_internet}]").check()
    page.locator(f"input[name=wants_help][value={help_}]").check()
    page.locator("#survey-submit").click()
    expect(page.locator("#survey-thanks")).to_be_visible()


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_family_answers_in_dutch(live_server, phone, school_a):
    household = HouseholdFactory(school=school_a, preferred_language="nl")
    pupil = PupilFactory(school=school_a, household=household)
    token = "nl-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9"
    invite = invite_for(household, token)
    page = phone

    page.goto(f"{live_server.url}/q/{token}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert fits_the_phone(page)
    assert axe_violations(page) == []
    page.screenshot(path=".test-artifacts/survey-360-nl.png", full_page=True)
    answer(page, computer="no", internet="good", device="yes", free_internet="no", help_="yes")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    saved = SurveyAnswer.objects.get(invite=invite)
    assert (saved.computer, saved.internet, saved.language, saved.answered_by) == ("no", "good", "nl", "family")
    assert (saved.wants_device, saved.wants_internet, saved.wants_help) == (True, False, True)
    pupil.refresh_from_db()
    household.refresh_from_db()
    assert pupil.needs_device is True and pupil.needs_internet is False
    assert household.device_at_home == Household.Access.NONE and household.internet_at_home == Household.Access.YES

    page.goto(f"{live_server.url}/q/{token}/")  # the link is used now: a friendly page, nothing changes
    expect(page.locator("#link-problem")).to_be_visible()
    assert SurveyAnswer.objects.count() == 1


def test_a_family_switches_to_french_and_answers(live_server, phone, school_a):
    household = HouseholdFactory(school=school_a, preferred_language="nl")
    pupil = PupilFactory(school=school_a, household=household)
    token = "fr-" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2H1"
    invite = invite_for(household, token)
    page = phone

    page.goto(f"{live_server.url}/q/{token}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.locator("a[hreflang=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert fits_the_phone(page)
    page.screenshot(path=".test-artifacts/survey-360-fr.png", full_page=True)
    answer(page, computer="shared", shared_with=4, internet="no", device="no", free_internet="yes", help_="no")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    saved = SurveyAnswer.objects.get(invite=invite)
    assert (saved.computer, saved.shared_with, saved.internet, saved.language) == ("shared", 4, "no", "fr")
    assert (saved.wants_device, saved.wants_internet, saved.wants_help) == (False, True, False)
    pupil = Pupil.objects.get(pk=pupil.pk)
    assert pupil.needs_device is False and pupil.needs_internet is True
    household.refresh_from_db()
    assert household.device_at_home == Household.Access.SHARED and household.internet_at_home == Household.Access.NONE
