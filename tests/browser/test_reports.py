"""The LOP report in Chromium: the charts draw under the enforced content security policy (no inline
style), no WCAG 2.1 A/AA violation (axe-core), and the per-school tables page through every school."""
import pytest
from playwright.sync_api import expect

from reports import rollup
from reports.report import PAGE_SIZE

from ..factories import PupilFactory, SchoolFactory
from ..figures import figures_refresh_paused
from .test_csp_enforced import violations
from .test_signing import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lop_report_reads_well_and_pages_through_its_schools(live_server, page, lop_a, lop_staff_a, client):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    page.add_init_script("window.__cspViolations = []; document.addEventListener('securitypolicyviolation', "
                         "e => window.__cspViolations.push(e.violatedDirective));")
    with figures_refresh_paused():  # rolled up once below
        for n in range(PAGE_SIZE + 3):
            PupilFactory.create_batch(n % 7, school=SchoolFactory(lop=lop_a, name=f"School {n:02d}"), grade=6,
                                      needs_device=True)
    rollup.refresh()
    client.force_login(lop_staff_a)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/lop/{lop_a.pk}/")
    chart = page.locator("#chart-coverage")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= 700  # .report-chart from portal.css, not an inline style
    expect(page.locator("#pupils tbody tr")).to_have_count(PAGE_SIZE)
    assert axe_violations(page) == []
    page.locator("#page-next").click()
    expect(page.locator("#pupils tbody tr")).to_have_count(3)
    page.locator("#school-q").fill("School 07")
    page.locator("#school-q").press("Enter")
    expect(page.locator("#pupils tbody tr")).to_have_count(1)
    assert violations(page, refused) == []
