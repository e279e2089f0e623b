"""The LOP, Flanders and school reports: figures against hand-counted expectations, suppression,
exports equal to the screen, access and a query count that does not grow with the schools."""
import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from households.models import Household, InternetCode
from lending.models import Agreement, Device, Incident, Loan
from reports import rollup

from ..factories import DeviceFactory, LoanFactory, PupilFactory, SchoolFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
# Session, user, the LOP check and the LOP (4), the report's 10 aggregate queries, the menu (2).
QUERY_BOUND = 16


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=BRUSSELS)


@pytest.fixture
def frozen():
    with time_machine.travel(at(2026, 11, 23), tick=False):
        yield


def _devices(school, n, kind, funding, value, **extra):
    return [DeviceFactory(school=school, kind=kind, funding_source=funding, purchase_value=Decimal(value), **extra)
            for _ in range(n)]


def _loan(device, *, pupil=None, staff=None, started, returned=None, signed=None, method="online"):
    loan = LoanFactory(device=device, pupil=pupil, staff_member=staff, started_at=started,
                       status=Loan.Status.RETURNED if returned else Loan.Status.ACTIVE, returned_at=returned)
    if pupil is not None:
        Agreement.objects.create(
            loan=loan, text_version="t1",
            status=Agreement.Status.SIGNED if signed else Agreement.Status.SENT,
            signed_at=signed, signed_method=method if signed else "",
        )
    return loan


@pytest.fixture
def small_world(frozen, lop_a, school_a, school_b):
    """Two schools in LOP A, counted by hand below; school B (LOP B) must never show up."""
    # School A: primary, mainstream, GO!, Oost-Vlaanderen.
    grade5 = PupilFactory.create_batch(6, school=school_a, grade=5, needs_device=True)
    grade6 = PupilFactory.create_batch(2, school=school_a, grade=6)
    grade3 = PupilFactory.create_batch(3, school=school_a, grade=3, needs_device=True)  # not in scope
    PupilFactory(school=school_a, grade=6, needs_device=True, active=False)  # left the school
    Household.objects.filter(pk__in=[p.household_id for p in grade5]).update(internet_at_home="none")
    laptops = _devices(school_a, 6, "laptop", "digisprong", "500") + _devices(
        school_a, 2, "laptop", "government_2020", "400")
    tablets = _devices(school_a, 3, "tablet", "donation", "200")
    _devices(school_a, 1, "chromebook", "school_budget", "300")
    _devices(school_a, 1, "laptop", "digisprong", "500", status=Device.Status.RETIRED)
    for n, pupil in enumerate(grade5[:5]):
        _loan(laptops[n], pupil=pupil, started=at(2026, 10, 15), signed=at(2026, 10, 20),
              method="paper" if n >= 3 else "online")
    _loan(laptops[5], pupil=grade3[0], started=at(2026, 10, 15))  # agreement only sent
    _loan(laptops[6], pupil=grade6[0], started=at(2026, 9, 5), returned=at(2026, 9, 20), signed=at(2026, 9, 6))
    staff = StaffMemberFactory.create_batch(3, school=school_a)
    _loan(tablets[0], staff=staff[0], started=at(2026, 9, 5))
    _loan(tablets[1], staff=staff[1], started=at(2026, 9, 5))
    _loan(tablets[2], staff=staff[2], started=at(2026, 9, 5), returned=at(2026, 9, 20))
    for n, pupil in enumerate(grade5 + grade6[:1]):
        InternetCode.objects.create(school=school_a, provider="Telenet", code=f"A{n}", valid_until="2027-06-30",
                                    household=pupil.household, issued_at=at(2026, 10, 1),
                                    activated_at=at(2026, 10, 5) if n < 5 else None)
    InternetCode.objects.create(school=school_a, provider="Proximus", code="OLD", valid_until="2026-06-30",
                                household=grade6[1].household, issued_at=at(2025, 10, 1),
                                activated_at=at(2025, 10, 2))
    Incident.objects.create(device=laptops[0], kind="damage", reported_at=at(2026, 10, 10))
    Incident.objects.create(device=laptops[1], kind="damage", reported_at=at(2026, 10, 11))
    Incident.objects.create(device=laptops[2], kind="loss", reported_at=at(2026, 10, 12))
    Incident.objects.create(device=laptops[3], kind="theft", reported_at=at(2025, 12, 1))  # last school year

    # School C: secondary, special needs, Katholiek Onderwijs, Antwerpen.
    school_c = SchoolFactory(name="Sint-Jozef College", municipality="Mechelen", lop=lop_a, level="secondary",
                             special_needs=True, network="vgo", province="antwerpen")
    pupils_c = [PupilFactory(school=school_c, grade=grade, needs_device=n < 7)
                for n, grade in enumerate([1, 2, 3, 4, 5, 6, 7, 1, 2, 3])]
    Household.objects.filter(pk__in=[p.household_id for p in pupils_c[:3]]).update(internet_at_home="none")
    chromebooks = _devices(school_c, 7, "chromebook", "digisprong", "300")
    for device, pupil in zip(chromebooks, pupils_c[:7], strict=True):
        _loan(device, pupil=pupil, started=at(2026, 9, 10), signed=at(2026, 9, 15))

    # School B, in LOP B: plenty of everything, none of which LOP A may see.
    for pupil in PupilFactory.create_batch(9, school=school_b, grade=3, needs_device=True):
        LoanFactory(device__school=school_b, pupil=pupil)
    return school_c


def _table(response, key):
    return next(table for table in response.context["tables"] if table.key == key)


def _get(client, url):
    client.cookies["django_language"] = "en"
    return client.get(url)


def test_lop_figures_match_hand_counts(small_world, lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    response = _get(client, f"/lop/{lop_a.pk}/")
    assert response.status_code == 200
    pupils = _table(response, "pupils")
    assert pupils.header == ["School", "Pupils in scope", "Need a device", "Need a device and have one on loan",
                             "Coverage", "Open loans to pupils", "Loans handed out in the school year",
                             "Agreements signed", "Share of open loans signed", "Signed on paper"]
    assert pupils.rows == [
        ["Basisschool De Vlieger (Gent)", "8", "6", "5", "83%", "6", "7", "5", "83%", "<5"],
        ["Sint-Jozef College (Mechelen)", "10", "7", "7", "100%", "7", "7", "7", "100%", "0"],
    ]
    # Two schools, each alone in its stratum: the hidden 2 cannot be protected, so every total of it hides.
    assert pupils.total == ["Total", "18", "13", "12", "92%", "13", "14", "12", "92%", "–"]

    internet = _table(response, "internet")
    assert internet.rows == [
        ["Basisschool De Vlieger (Gent)", "6", "7", "5", "71%"],
        ["Sint-Jozef College (Mechelen)", "<5", "0", "0", ""],
    ]
    assert internet.total == ["Total", "–", "7", "5", "71%"]

    devices = _table(response, "devices")
    assert devices.rows == [
        ["Basisschool De Vlieger (Gent)", "8", "3", "1", "0", "12", "<5", "<5", "0", "<5", ""],
        ["Sint-Jozef College (Mechelen)", "0", "0", "7", "0", "7", "0", "0", "0", "0", ""],
    ]
    assert devices.total == ["Total", "8", "3", "8", "0", "19", "–", "–", "0", "–", ""]

    assert _table(response, "devices-by-kind").rows == [
        ["Laptop", "8", "42%"], ["Tablet", "3", "16%"], ["Chromebook", "8", "42%"], ["Other", "0", "0%"],
    ]
    funding = _table(response, "devices-by-funding")
    assert funding.rows[:4] == [
        ["Digisprong", "2", "13", "5100", "5100"],
        ["Government laptops (November 2020)", "1", "2", "800", "600"],
        ["Donation", "1", "3", "600", "600"],
        ["School budget", "1", "1", "300", "300"],
    ]
    assert funding.total == ["Total", "2", "19", "6800", "6600"]
    assert _table(response, "government-laptops").total == ["Total", "1", "2", "600", "0", ""]

    by_level = _table(response, "by-level")
    assert [row[:7] for row in by_level.rows] == [
        ["Primary (basisonderwijs)", "1", "8", "6", "5", "83%", "6"],
        ["Secondary (secundair onderwijs)", "1", "10", "7", "7", "100%", "7"],
    ]
    assert _table(response, "by-province").rows[0][0] == "Antwerpen"

    trend = _table(response, "trend")
    assert trend.rows == [
        ["September 2026", "7", "7", "100%"],
        ["October 2026", "13", "12", "92%"],
        ["November 2026", "13", "12", "92%"],
    ]
    html = response.content.decode()
    assert "Atheneum Zuid" not in html
    assert "/pupils/" not in html.split("<main", 1)[1]  # no link to any pupil page


def test_a_past_school_year_counts_what_stood_then(small_world, lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    response = _get(client, f"/lop/{lop_a.pk}/?year=2025")
    assert response.context["year"].label == "2025–2026"
    internet = _table(response, "internet")
    # The one code of 2025, activated: "activated" is about fewer than five codes, so it shows nothing.
    assert internet.rows[0][2:] == ["<5", "–", "–"]
    assert _table(response, "pupils").total[5] == "0"  # no loan was open on 31 August 2026
    assert _table(response, "devices").rows[0][6:9] == ["0", "0", "<5"]  # the theft of December 2025
    assert len(_table(response, "trend").rows) == 12


def test_unknown_year_falls_back_to_the_running_year(small_world, lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    assert _get(client, f"/lop/{lop_a.pk}/?year=1999").context["year"].start_year == 2026
    assert _get(client, f"/lop/{lop_a.pk}/?year=abc").context["year"].start_year == 2026


def _screen_rows(response):
    rows = []
    for table in response.context["tables"]:
        rows.append([table.title])
        rows.extend(table.all_rows)
    return rows


def test_csv_export_equals_the_screen(small_world, lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    screen = _get(client, f"/lop/{lop_a.pk}/")
    response = _get(client, f"/lop/{lop_a.pk}/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["LOP Gent", "2026–2027"]
    assert [row for row in rows[2:] if row] == _screen_rows(screen)
    html = screen.content.decode()
    for cell in ("<td>&lt;5</td>", "<td>–</td>", "<td>83%</td>"):
        assert cell in html


def _trim(row):
    while row and row[-1] == "":
        row = row[:-1]
    return row


def test_xlsx_export_equals_the_screen(small_world, lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    screen = _get(client, f"/lop/{lop_a.pk}/")
    response = _get(client, f"/lop/{lop_a.pk}/?format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    tables = screen.context["tables"]
    assert len(workbook.worksheets) == len(tables)
    for sheet, table in zip(workbook.worksheets, tables, strict=True):
        values = [_trim(["" if v is None else str(v) for v in row]) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == [f"LOP Gent · 2026–2027 · {table.title}"]
        assert values[1:-2] == [_trim(row) for row in table.all_rows]
        assert values[-1][0].startswith(screen.context["note"])
        assert values[-1][0].endswith(screen.context["as_at_note"])


def test_lop_staff_never_see_another_lop(small_world, lop_staff_a, lop_b, client):
    client.force_login(lop_staff_a)
    for url in (f"/lop/{lop_b.pk}/", f"/lop/{lop_b.pk}/?format=csv", f"/lop/{lop_b.pk}/?format=xlsx"):
        assert _get(client, url).status_code == 404


@pytest.mark.parametrize("url", [
    "/reports/flanders/", "/reports/flanders/?format=csv", "/reports/flanders/?format=xlsx"])
def test_only_the_admin_opens_the_flanders_view(url, small_world, lop_staff_a, coordinator_a, admin_user, client):
    for user in (lop_staff_a, coordinator_a):
        client.force_login(user)
        assert _get(client, url).status_code == 403
    client.force_login(admin_user)
    assert _get(client, url).status_code == 200


def test_a_coordinator_cannot_open_an_lop_report(small_world, coordinator_a, lop_a, client):
    client.force_login(coordinator_a)
    for url in (f"/lop/{lop_a.pk}/", f"/lop/{lop_a.pk}/?format=csv"):
        assert _get(client, url).status_code == 403


def test_flanders_view_answers_parliaments_questions(small_world, admin_user, client):
    client.force_login(admin_user)
    response = _get(client, "/reports/flanders/")
    pupils = _table(response, "pupils")
    assert [row[0] for row in pupils.rows] == [
        "Atheneum Zuid (Gent)", "Basisschool De Vlieger (Gent)", "Sint-Jozef College (Mechelen)"]
    # School B: a secondary school with 9 pupils in grade 3 who all need a device and have one.
    assert pupils.rows[0][1:6] == ["9", "9", "9", "100%", "9"]
    by_type = _table(response, "by-type")
    assert [row[:3] for row in by_type.rows] == [
        ["Primary (basisonderwijs) · Mainstream (gewoon)", "1", "8"],
        ["Secondary (secundair onderwijs) · Mainstream (gewoon)", "1", "9"],
        ["Secondary (secundair onderwijs) · Special needs (buitengewoon)", "1", "10"],
    ]
    without = _table(response, "schools-without-devices")
    # School B has devices (its loans'), so no school is without devices.
    assert without.total == ["Total", "1", "0", "0%", "2", "0", "0%"]
    province = _table(response, "by-province")
    assert [row[:3] for row in province.rows] == [["Antwerpen", "1", "10"], ["Oost-Vlaanderen", "2", "17"]]
    html = response.content.decode()
    assert 'role="img"' in html and "<title id=\"chart-activation-title\">" in html
    assert 'aria-describedby="by-province"' in html


def test_schools_without_devices_share(frozen, admin_user, client):
    SchoolFactory.create_batch(3, level="primary", province="limburg")
    DeviceFactory(school=SchoolFactory(level="primary", province="limburg"))
    client.force_login(admin_user)
    without = _table(_get(client, "/reports/flanders/"), "schools-without-devices")
    assert without.rows == [["Limburg", "4", "3", "75%", "0", "0", ""]]


def test_coordinator_sees_their_own_school_report(small_world, coordinator_a, client):
    client.force_login(coordinator_a)
    response = _get(client, "/reports/school/")
    assert response.status_code == 200
    pupils = _table(response, "pupils")
    assert pupils.rows == [["Basisschool De Vlieger (Gent)", "8", "6", "5", "83%", "6", "7", "5", "83%", "<5"]]
    assert pupils.total is None
    assert "Sint-Jozef" not in response.content.decode()
    assert _get(client, "/reports/school/?format=csv").status_code == 200


def test_lop_staff_cannot_open_a_school_report(lop_staff_a, client):
    client.force_login(lop_staff_a)
    assert _get(client, "/reports/school/").status_code == 403


def test_the_page_documents_the_rule_and_the_charts_are_accessible(small_world, lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    html = _get(client, f"/lop/{lop_a.pk}/").content.decode()
    assert "Per school, a count of 1 to 4 pupils, families or staff shows as “&lt;5”" in html
    assert "Figures as at" in html
    assert ('<svg role="img" aria-labelledby="chart-coverage-title chart-coverage-desc" '
            'aria-describedby="pupils"') in html
    assert "Basisschool De Vlieger (Gent): 83%; Sint-Jozef College (Mechelen): 100%" in html


@pytest.mark.parametrize("schools", [1, 15])
def test_query_count_does_not_grow_with_schools(schools, frozen, lop_staff_a, lop_a, admin_user, client,
                                                django_assert_max_num_queries):
    for _ in range(schools):
        school = SchoolFactory(lop=lop_a)
        loan = LoanFactory(device__school=school, pupil__needs_device=True, started_at=at(2026, 10, 1))
        Agreement.objects.create(loan=loan, text_version="t", status="signed", signed_at=at(2026, 10, 2),
                                 signed_method="paper")
        Incident.objects.create(device=loan.device, kind="damage", reported_at=at(2026, 10, 3))
    rollup.refresh()  # what the nightly job and every write keep up to date
    client.force_login(lop_staff_a)
    with django_assert_max_num_queries(QUERY_BOUND):
        response = _get(client, f"/lop/{lop_a.pk}/")
    assert len(_table(response, "pupils").rows) == schools
    with django_assert_max_num_queries(QUERY_BOUND):
        _get(client, f"/lop/{lop_a.pk}/?format=xlsx")
    client.force_login(admin_user)
    with django_assert_max_num_queries(QUERY_BOUND):
        assert _get(client, "/reports/flanders/").status_code == 200


def test_hidden_cells_protected_inside_their_stratum_leave_every_total_exact(frozen, lop_staff_a, lop_a, client):
    """2 and 3 hide, and so does the 10 beside them: the school of 2 (or 3) knowing its own figure still
    cannot tell the other, so the level group and the total can be exact."""
    for name, pupils in [("Groot", 10), ("Klein een", 2), ("Klein twee", 3)]:
        PupilFactory.create_batch(pupils, school=SchoolFactory(lop=lop_a, name=name, level="secondary"))
    client.force_login(lop_staff_a)
    response = _get(client, f"/lop/{lop_a.pk}/")
    assert _table(response, "pupils").total[1] == "15"
    assert [row[1] for row in _table(response, "pupils").rows] == ["–", "<5", "<5"]
    by_level = _table(response, "by-level")
    assert by_level.rows[0][:3] == ["Secondary (secundair onderwijs)", "3", "15"]


def test_the_trend_hides_month_totals_like_any_total(frozen, lop_staff_a, lop_a, client):
    """Two schools only: the big one knows its 10, so a total would give the small school's 3 away. The
    stratum cannot protect it, so the total hides, and with it every month's figure of that year."""
    for name, loans in [("Groot", 10), ("Klein", 3)]:
        school = SchoolFactory(lop=lop_a, name=name)
        for _ in range(loans):
            LoanFactory(device__school=school, started_at=at(2026, 10, 1))
    client.force_login(lop_staff_a)
    response = _get(client, f"/lop/{lop_a.pk}/")
    assert _table(response, "pupils").total[5] == "–"
    assert _table(response, "trend").rows == [
        ["September 2026", "–", "–", ""], ["October 2026", "–", "–", "–"], ["November 2026", "–", "–", "–"]]


def test_the_report_renders_in_dutch_too(small_world, lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    client.cookies["django_language"] = "nl"
    response = client.get(f"/lop/{lop_a.pk}/?year=2026")
    assert response.status_code == 200
    assert '<option value="2026" selected>2026–2027</option>' in response.content.decode()


def test_bench_measures_both_reports_beside_their_bare_sql(school_a):
    from bench import reports as bench_reports

    results = bench_reports.run({"school": school_a}, None, runs=1)
    assert [r.name.split(" ")[0] for r in results] == ["LOP", "", "Flanders", ""]
    assert results[0].queries <= QUERY_BOUND and results[1].queries is None


def test_the_trend_chart_reads_its_numbers_from_the_trend_table(small_world, lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    html = _get(client, f"/lop/{lop_a.pk}/").content.decode()
    assert 'aria-describedby="trend"' in html
    assert "September 2026: 100%; October 2026: 92%; November 2026: 92%" in html
