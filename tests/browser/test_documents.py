"""A coordinator prints survey letters: a real worker makes them while the page shows a progress bar
(static/js/progress.js under the content security policy), then the page offers the download."""
import re

import pytest
from playwright.sync_api import expect

from households import survey as surveys

from ..factories import HouseholdFactory, PupilFactory
from .test_signing import axe_violations
from .test_two_step_and_audit import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_the_letters_page_follows_the_worker_and_offers_the_download(celery_worker, live_server, page,
                                                                     coordinator_a, school_a):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    for n in range(120):  # enough for several seconds of work, so the bar is seen moving
        household = HouseholdFactory(school=school_a, name=f"Familie {n:03d}", contact_channel="paper")
        PupilFactory(school=school_a, household=household, grade=5)
    survey = surveys.survey_create(school=school_a, title="Computer thuis", grades=[5], class_names=[],
                                   channel="paper", by=coordinator_a, base_url=live_server.url + "/")

    log_in(page, live_server, coordinator_a, f"/families/surveys/{survey.pk}/")
    page.get_by_role("button", name="120 brieven met QR-code afdrukken (pdf)").click()
    expect(page).to_have_url(re.compile(r"/school/documents/\d+/$"))
    progress = page.locator("progress")
    expect(progress).to_be_visible()
    assert axe_violations(page) == []
    # The script fills in the bar from the task's state while the worker lays the letters out.
    expect(page.locator("[data-job-text]")).to_contain_text("van 120 klaar", timeout=120_000)
    expect(page.locator("#job-download")).to_be_visible(timeout=180_000)  # reloaded once done
    expect(page.locator("#job-done")).to_contain_text("120 brieven met een nieuwe link")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Documenten").first.click()
    expect(page.locator("#documents")).to_contain_text("Brieven voor de bevraging: Computer thuis")
    assert refused == []
