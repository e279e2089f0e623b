from datetime import timedelta

import pytest
from django.utils import timezone

from households.models import Pupil
from lending.models import Agreement, Device
from reports import rollup
from reports.report import PAGE_SIZE

from ..factories import AgreementFactory, DeviceFactory, LoanFactory, PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _stock_school(school, scale):
    DeviceFactory.create_batch(3 * scale, school=school)
    DeviceFactory.create_batch(scale, school=school, status=Device.Status.IN_REPAIR)
    for _ in range(scale):
        loan = LoanFactory(device__school=school, pupil__needs_device=True)
        loan.device.status = Device.Status.ON_LOAN
        loan.device.save(update_fields=["status"])
        AgreementFactory(loan=loan, status=Agreement.Status.SENT)
    LoanFactory(device__school=school, due_on=timezone.localdate() - timedelta(days=3))
    PupilFactory.create_batch(2 * scale, school=school, needs_device=True)


def test_dashboard_shows_the_schools_own_counts(coordinator_a, school_a, school_b, client):
    _stock_school(school_a, scale=2)
    _stock_school(school_b, scale=5)
    client.force_login(coordinator_a)
    response = client.get("/school/")
    counts = response.context["counts"]
    assert counts["open_loans"] == 3
    assert counts["overdue_loans"] == 1
    assert counts["unsigned_agreements"] == 2
    assert counts["pupils_flagged"] == 6
    assert counts["pupils_waiting"] == 4
    statuses = {row["status"]: row["count"] for row in counts["devices_by_status"]}
    assert statuses == {"available": 7, "on_loan": 2, "in_repair": 2, "lost": 0, "retired": 0}
    assert '<div class="stat-value" id="stat-waiting">4</div>' in response.content.decode()


@pytest.mark.parametrize("scale", [1, 12])
def test_dashboard_query_count_does_not_grow_with_data(scale, coordinator_a, school_a, client,
                                                       django_assert_max_num_queries):
    _stock_school(school_a, scale=scale)
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(10):
        assert client.get("/school/").status_code == 200


@pytest.mark.parametrize("schools", [1, 15])
def test_lop_report_query_count_does_not_grow_with_schools(schools, lop_staff_a, lop_a, client,
                                                           django_assert_max_num_queries):
    for _ in range(schools):
        _stock_school(SchoolFactory(lop=lop_a), scale=1)
    rollup.refresh()  # kept up to date by the nightly job and by every write
    client.force_login(lop_staff_a)
    # Session, user and LOP checks, the roll-up's rows and month totals, the menu: 16, whatever the schools.
    with django_assert_max_num_queries(16):
        response = client.get(f"/lop/{lop_a.pk}/")
    assert len(next(t for t in response.context["tables"] if t.key == "pupils").rows) == min(schools, PAGE_SIZE)


def test_lop_report_hides_small_counts_and_unsafe_totals(lop_staff_a, lop_a, client):
    big, small = SchoolFactory(lop=lop_a, name="Grote school"), SchoolFactory(lop=lop_a, name="Kleine school")
    PupilFactory.create_batch(12, school=big)
    PupilFactory.create_batch(3, school=small)
    client.force_login(lop_staff_a)
    response = client.get(f"/lop/{lop_a.pk}/")
    table = next(table for table in response.context["tables"] if table.key == "pupils")
    rows = {row[0]: row for row in table.rows}
    assert rows["Grote school (Gent)"][1] == "12"
    assert rows["Kleine school (Gent)"][1] == "<5"
    # 15 - 12 would give the hidden 3 away to the big school, and two schools cannot protect each other:
    # the total is hidden too.
    assert table.total[1] == "–"
    assert rows["Grote school (Gent)"][2] == "0"
    assert Pupil.objects.count() == 15
