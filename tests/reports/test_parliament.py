"""Parliament's questions in one click: staff head counts beside staff devices, the November 2020 laptops
per school, charts that keep school names whole, and the Dutch page in Dutch."""
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from lending.models import Loan
from portal.models import AuditEvent, SchoolYearFacts
from reports import rollup
from reports.figures import SchoolYear

from ..factories import DeviceFactory, LoanFactory, SchoolFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def _table(response, key):
    return next(table for table in response.context["tables"] if table.key == key)


def test_the_director_enters_the_staff_head_count_and_budget(director_a, coordinator_a, school_a, client):
    client.force_login(coordinator_a)
    assert client.get("/school/facts/").status_code == 403
    client.force_login(director_a)
    assert client.post("/school/facts/", {"staff_head_count": "-3"}).status_code == 200  # refused, form again
    assert not SchoolYearFacts.objects.exists()
    response = client.post("/school/facts/", {"staff_head_count": "42", "digisprong_budget": "18500.00"})
    assert response.status_code == 302
    facts = SchoolYearFacts.objects.get(school=school_a)
    assert (facts.staff_head_count, facts.digisprong_budget, facts.start_year) == (
        42, Decimal("18500.00"), SchoolYear.current().start_year)
    assert AuditEvent.objects.filter(action="school_facts.changed", school=school_a).count() == 1


def test_an_import_with_one_bad_line_imports_nothing_and_lists_every_line(school_a, tmp_path, english):
    path = tmp_path / "personeel.csv"
    path.write_text(f"schoolnummer;personeelsleden;digisprongbudget\n{school_a.instellingsnummer};30;12000\n"
                    "999;12;\nx;abc;\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2 problems"):
        call_command("import_school_facts", str(path), "--year", "2025")
    assert not SchoolYearFacts.objects.exists()
    path.write_text(f"schoolnummer;personeelsleden;digisprongbudget\n{school_a.instellingsnummer};30;12.000,50\n",
                    encoding="utf-8")
    call_command("import_school_facts", str(path), "--year", "2025")
    facts = SchoolYearFacts.objects.get()
    assert (facts.staff_head_count, facts.digisprong_budget) == (30, Decimal("12000.50"))


def test_teachers_with_and_without_a_device_per_level_and_province(lop_a, admin_user, client):
    """Three schools with a head count of 20 and 6, 7 and 8 staff with a device on loan: nothing is small."""
    for n, with_device in enumerate((6, 7, 8)):
        school = SchoolFactory(lop=lop_a, name=f"School {n}", province="limburg")
        SchoolYearFacts.objects.create(school=school, start_year=SchoolYear.current().start_year, staff_head_count=20,
                                       digisprong_budget=Decimal("1000"))
        for member in StaffMemberFactory.create_batch(with_device, school=school):
            LoanFactory(device__school=school, pupil=None, staff_member=member, status=Loan.Status.ACTIVE)
        DeviceFactory(school=school, funding_source="government_2020", purchase_value=Decimal("400"))
    rollup.refresh()
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    response = client.get("/reports/flanders/")
    teachers = _table(response, "teachers")
    assert teachers.rows == [["Limburg", "3", "60", "21", "39", "65%", "0", "0", "0", "0", ""]]
    laptops = _table(response, "government-laptops")
    # 400 euro at 75 % is 300 of a budget of 1000: 30 % in each school.
    assert laptops.total == ["Total", "3", "3", "900", "3", "30%"]


def test_charts_keep_school_names_whole_and_need_no_inline_style(lop_a, lop_staff_a, client):
    long_name = "GO! school voor buitengewoon secundair onderwijs De Zonnebloem"
    SchoolFactory(lop=lop_a, name=long_name)
    SchoolFactory(lop=lop_a)
    client.force_login(lop_staff_a)
    html = client.get(f"/lop/{lop_a.pk}/").content.decode()
    assert f">{long_name} (Gent)</text>" in html
    assert "style=" not in html.split("<main", 1)[1]


def test_the_dutch_page_has_dutch_headers(lop_a, admin_user, client):
    SchoolFactory(lop=lop_a)
    client.force_login(admin_user)
    client.cookies["django_language"] = "nl"
    response = client.get("/reports/flanders/")
    header = " ".join(_table(response, "schools-without-devices").header)
    assert "zonder toestellen" in header and "aandeel" in header
    assert "without devices" not in header and "share" not in header
