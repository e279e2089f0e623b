"""Every figure against an independent computation from the raw rows, on a fixture full of edges:
month boundaries (January to April belong to the next calendar year), a loan handed out at exactly
00:00 on 1 September, lost and retired devices, codes activated after their school year, devices
that came into use in a given year, and schools with 1 and with 5 pupils in scope."""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from households.models import Household, InternetCode, Pupil
from lending.models import Agreement, Device, Incident, Loan
from portal.models import School
from reports import rollup
from reports.figures import SchoolYear, live_counts, live_months

from ..factories import DeviceFactory, HouseholdFactory, LoanFactory, PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(*args):
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.fixture
def clock():
    with time_machine.travel(at(2027, 4, 20, 12), tick=False):
        yield


@pytest.fixture
def edges(clock, lop_a):
    one = SchoolFactory(name="Eén leerling", lop=lop_a, level="primary")
    five = SchoolFactory(name="Vijf leerlingen", lop=lop_a, level="secondary")
    lonely = PupilFactory(school=one, grade=6, needs_device=True)
    PupilFactory(school=one, grade=2)  # not in scope
    fives = PupilFactory.create_batch(5, school=five, grade=3, needs_device=True)
    # Loans: one at exactly 00:00 on 1 September 2026, one the second before, one returned in January.
    midnight = DeviceFactory(school=five, in_use_since=date(2026, 8, 1))
    LoanFactory(device=midnight, pupil=fives[0], started_at=at(2026, 9, 1, 0, 0))
    before = DeviceFactory(school=five, in_use_since=date(2025, 9, 1))
    LoanFactory(device=before, pupil=fives[1], started_at=at(2026, 8, 31, 23, 59, 59))
    january = DeviceFactory(school=five, in_use_since=date(2025, 9, 1))
    loan = LoanFactory(device=january, pupil=fives[2], started_at=at(2026, 10, 1),
                       status=Loan.Status.RETURNED, returned_at=at(2027, 1, 15))
    Agreement.objects.create(loan=loan, text_version="t", status="signed", signed_method="paper",
                             signed_at=at(2026, 12, 31, 23, 30))
    # A lost device and a retired one: in use in no year. One that came into use in March 2027.
    DeviceFactory(school=five, status=Device.Status.LOST, in_use_since=date(2024, 1, 1))
    DeviceFactory(school=five, status=Device.Status.RETIRED, in_use_since=date(2024, 1, 1))
    DeviceFactory(school=one, kind="tablet", funding_source="government_2020", purchase_value=Decimal("300"),
                  in_use_since=date(2027, 3, 1))
    Incident.objects.create(device=january, kind="theft", reported_at=at(2027, 2, 28, 23, 59))
    # Internet codes: handed out in June 2026, activated in October 2026 (the next school year).
    household = HouseholdFactory(school=five, internet_at_home="none")
    InternetCode.objects.create(school=five, provider="P", code="late", valid_until="2027-12-31", household=household,
                                issued_at=at(2026, 6, 10), activated_at=at(2026, 10, 2))
    InternetCode.objects.create(school=five, provider="P", code="march", valid_until="2027-12-31",
                                household=household, issued_at=at(2027, 3, 31, 23, 30), activated_at=at(2027, 4, 1, 0, 30))
    return {"one": one, "five": five, "lonely": lonely}


def independent(school, year):
    """The figures, counted by walking the rows in Python: no query, no shared code with figures.py."""
    start, end = at(year, 9, 1), at(year + 1, 9, 1)
    now = at(2027, 4, 20, 12)
    ref = min(end, now)
    pupils = [p for p in Pupil.objects.filter(school=school) if p.active]
    in_scope = [p for p in pupils if school.level == "secondary" or p.grade >= 5]
    loans = [loan for loan in Loan.objects.filter(device__school=school)]

    def open_at(loan, moment):
        return loan.started_at < moment and (loan.returned_at is None or loan.returned_at > moment) or (
            moment == now and loan.started_at == now)

    open_pupil = [loan for loan in loans if loan.pupil_id and open_at(loan, ref)]
    codes = [c for c in InternetCode.objects.filter(school=school) if c.issued_at and start <= c.issued_at < end]
    last_day = min(date(year + 1, 8, 31), date(2027, 4, 20))
    devices = [d for d in Device.objects.filter(school=school)
               if d.in_use_since <= last_day and d.status not in ("lost", "retired")]
    signed = [a for a in Agreement.objects.filter(loan__in=open_pupil) if a.signed_at and a.signed_at < ref]
    return {
        "in_scope": len(in_scope), "flagged": sum(p.needs_device for p in in_scope),
        "covered": sum(1 for p in in_scope if p.needs_device and any(loan.pupil_id == p.pk for loan in open_pupil)),
        "open_pupil": len(open_pupil), "signed": len(signed),
        "paper": sum(1 for a in signed if a.signed_method == "paper"),
        "loans_started": sum(1 for loan in loans if loan.pupil_id and start <= loan.started_at < end),
        "issued": len(codes), "activated": sum(1 for c in codes if c.activated_at),
        "devices": len(devices), "tablet": sum(d.kind == "tablet" for d in devices),
        "theft": sum(1 for i in Incident.objects.filter(device__school=school, kind="theft") if start <= i.reported_at < end),
        "no_internet": Household.objects.filter(school=school, internet_at_home="none").count(),
        "started_lending": any(start <= loan.started_at < end for loan in loans if loan.pupil_id)
        and not any(loan.started_at < start for loan in loans if loan.pupil_id),
    }


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_figure_matches_an_independent_count(edges, year):
    schools = School.objects.filter(pk__in=[edges["one"].pk, edges["five"].pk])
    counts = live_counts(schools, [SchoolYear(year)])
    for school in schools:
        expected = independent(school, year)
        got = counts[(school.pk, year)]
        assert {key: got[key] for key in expected} == expected, (school.name, year)


def test_the_edges_land_where_they_belong(edges):
    five = edges["five"].pk
    counts = live_counts(School.objects.all(), [SchoolYear(2025), SchoolYear(2026)])
    # 00:00 on 1 September 2026 opens in 2026-27; the second before was open at the end of 2025-26.
    assert counts[(five, 2025)]["open_pupil"] == 1 and counts[(five, 2026)]["open_pupil"] == 2
    # The code handed out in June 2026 and activated in October counts as activated in 2025-26.
    assert counts[(five, 2025)]["issued"] == 1 and counts[(five, 2025)]["activated"] == 1
    # Lost and retired devices are not in use; the tablet of March 2027 counts in 2026-27 only.
    assert counts[(five, 2026)]["devices"] == 3
    one = edges["one"].pk
    assert counts[(one, 2026)]["tablet"] == 1 and counts[(one, 2025)]["tablet"] == 0


def test_months_run_september_to_april_in_the_right_calendar_years(edges):
    months = [first.date() for first in SchoolYear(2026).months()]
    assert months == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1),
                      date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 1)]
    rows = live_months(School.objects.all(), [SchoolYear(2026)])
    five = edges["five"].pk
    assert rows[(five, date(2026, 12, 1))]["signed"] == 1  # signed 31 December 23:30, Brussels time
    assert (five, date(2027, 1, 1)) not in rows or rows[(five, date(2027, 1, 1))]["signed"] == 0  # returned 15 January
    assert rows[(five, date(2027, 3, 1))]["issued"] == 1 and rows[(five, date(2027, 4, 1))]["activations"] == 1


def test_the_one_pupil_school_shows_nothing_that_names_its_pupil(edges, lop_staff_a, lop_a, client):
    rollup.refresh()
    client.force_login(lop_staff_a)
    client.cookies["django_language"] = "en"
    response = client.get(f"/lop/{lop_a.pk}/?year=2026")
    pupils = next(t for t in response.context["tables"] if t.key == "pupils")
    row = next(r for r in pupils.rows if r[0].startswith("Eén leerling"))
    # One pupil in scope: "<5"; whether that pupil needs a device: "–", never "<5" or "0". Whether they
    # have one on loan: 0, which "no open loans" in the same row already says.
    assert row[1:4] == ["<5", "–", "0"] and row[5] == "0"
    five = next(r for r in pupils.rows if r[0].startswith("Vijf"))
    assert five[1:3] == ["5", "5"]


def test_the_period_view_answers_the_second_wave(clock, lop_a, admin_user, client):
    """Codes handed out and activated per month of a chosen period (here March to April 2027)."""
    for n in range(2):
        school = SchoolFactory(lop=lop_a, name=f"School {n}")
        household = HouseholdFactory(school=school)
        for k in range(6 + n):
            InternetCode.objects.create(school=school, provider="P", code=f"{n}-{k}", valid_until="2027-12-31",
                                        household=household, issued_at=at(2027, 3, 31, 23, 30),
                                        activated_at=at(2027, 4, 1, 0, 30))
    rollup.refresh()
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    response = client.get("/reports/flanders/?year=2026&from=2027-03&to=2027-04")
    codes = next(t for t in response.context["tables"] if t.key == "codes-by-month")
    assert [row[0] for row in codes.rows] == ["March 2027", "April 2027"]
    assert [row[1:] for row in codes.rows] == [["13", "0"], ["0", "13"]]
    assert codes.total == ["Total", "13", "13"]
    by_province = next(t for t in response.context["tables"] if t.key == "codes-by-province")
    assert by_province.rows == [["Oost-Vlaanderen", "13", "13"]]
    csv = client.get("/reports/flanders/?year=2026&from=2027-03&to=2027-04&format=csv").content.decode("utf-8-sig")
    assert "March 2027;13;0" in csv
