"""Hostile uploads (issue 15): each attack as it was found, now refused at once with a message that
names the limit, and no file ever read for longer or further than its limits allow."""
import io
import os
import subprocess
import sys
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from households import roster_file
from households.models import InternetCode, Pupil
from lending.models import Device
from portal.csvfiles import ImportRejected, read_csv
from portal.read_limits import Limits

from .. import hostile_files
from ..conftest import _worker_database_url
from ..factories import DeviceFactory, HouseholdFactory, PupilFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def refusal(read, data, **kwargs) -> list[str]:
    with pytest.raises(ImportRejected) as refused:
        read(data, **kwargs)
    return [str(error) for error in refused.value.errors]


# --- 1. a 2 kB sheet that claims the whole grid --------------------------------------------------


def test_the_grid_claim_is_read_by_what_the_sheet_stores():
    bomb = hostile_files.xlsx_dimension_bomb()
    assert len(bomb) < 2500
    # The mapping page needs the header only: the first stored row.
    assert roster_file.read_header(bomb) == hostile_files.ROSTER_HEADER
    # The cell in the far corner is a value past the last column a file may have.
    assert refusal(roster_file.read_table, bomb) == [
        "line 1048576: has a value in column 16384; a file may have at most 100 columns"]


def test_an_honest_sheet_under_a_lying_range_reads_its_rows():
    table = roster_file.read_table(hostile_files.xlsx_claimed_range_only())
    assert [row.line for row in table.rows] == [2, 3, 4]
    assert table.rows[0].values == {"leerlingnummer": "1002", "voornaam": "Kind2", "naam": "Peeters", "klas": "5A"}


@pytest.mark.django_db(transaction=True)
def test_the_import_command_refuses_the_grid_claim_at_once(school_a, tmp_path):
    """The attack hung `import_pupils` (and a web worker) for 26 minutes; run as a separate process, with
    a guard so that a hang fails this test instead of stalling the suite."""
    if connection.vendor != "postgresql":
        pytest.skip("the command runs in another process, which needs the test database on a server")
    path = tmp_path / "leerlingen.xlsx"
    path.write_bytes(hostile_files.xlsx_dimension_bomb())
    env = {**os.environ, "DATABASE_URL": _worker_database_url()}
    done = subprocess.run([sys.executable, "manage.py", "import_pupils", str(path), "--school",
                           school_a.instellingsnummer], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    # Commands speak the staff's default language (Dutch); the numbers say it.
    assert "1048576: " in done.stderr and " 16384" in done.stderr and "CommandError" in done.stderr
    assert "Traceback" not in done.stderr
    assert not Pupil.objects.exists()


def test_the_roster_upload_refuses_the_grid_claim_with_the_limit(client_as, coordinator_a):
    response = client_as(coordinator_a).post(reverse("pupil_import"), {
        "file": _named("leerlingen.xlsx", hostile_files.xlsx_dimension_bomb())})
    assert response.status_code == 200
    assert "has a value in column 16384; a file may have at most 100 columns" in response.content.decode()


# --- 2. no row limit ------------------------------------------------------------------------------


def test_a_csv_of_290000_rows_is_refused_at_the_row_limit():
    data = hostile_files.csv_rows(290_000)
    assert len(data) < 5 * 1024 * 1024  # it passes the size check
    assert refusal(read_csv, data, required=()) == [
        "line 20002: the file has more than 20,000 rows; split it into files of at most 20,000 rows"]


def test_an_xlsx_past_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 1000
    assert refusal(roster_file.read_table, hostile_files.xlsx_many_rows(5000)) == [
        "line 1002: the file has more than 1,000 rows; split it into files of at most 1,000 rows"]
    assert len(roster_file.read_table(hostile_files.xlsx_many_rows(1000)).rows) == 1000


def test_the_default_row_limit_is_20000_and_a_file_at_it_is_read():
    assert Limits.from_settings().rows == 20_000
    assert len(read_csv(hostile_files.csv_rows(20_000), required=()).rows) == 20_000


def test_a_row_of_a_million_cells_is_refused_before_openpyxl_builds_it():
    assert refusal(roster_file.read_table, hostile_files.xlsx_wide_row(1_000_000)) == [
        "line 1: the Excel file holds more than 400,000 cells; leave out what you do not need or save it as CSV"]
    assert refusal(roster_file.read_table, hostile_files.xlsx_wide_row(500)) == [
        "line 2: has a value in column 101; a file may have at most 100 columns"]


@pytest.mark.parametrize("limit, data, message", [
    ("IMPORT_MAX_COLUMNS", "a;b;c\n1;2;3\n", "line 1: has a value in column 3; a file may have at most 2 columns"),
    ("IMPORT_MAX_COLUMNS", "a;b\n1;2;3\n", "line 2: has a value in column 3; a file may have at most 2 columns"),
    ("IMPORT_MAX_CELL_CHARS", "a;b\n1;" + "x" * 3 + "\n", "line 2: a cell holds 3 characters; the limit is 2"),
    ("IMPORT_MAX_CELLS", "a;b\n1;2\n3;\n", "line 3: the file has more than 2 filled cells; leave out the columns you do "
                                           "not need or split the file"),
])
def test_each_limit_is_named_when_a_csv_passes_it(settings, limit, data, message):
    setattr(settings, limit, 2)
    assert refusal(read_csv, data.encode(), required=()) == [message]


def test_empty_cells_past_the_column_limit_are_excels_habit_not_an_error(settings):
    settings.IMPORT_MAX_COLUMNS = 2
    assert read_csv(b"a;b;;;;\n1;2;;;;\n", required=()).rows[0].values == {"a": "1", "b": "2"}


def test_a_read_past_its_time_limit_is_refused(monkeypatch):
    """A clock that moves ten seconds at each look: the reader looks every 256 rows and gives up."""
    ticks = iter(range(0, 10_000, 10))
    monkeypatch.setattr("portal.read_limits.time.thread_time", lambda: next(ticks))
    assert refusal(read_csv, hostile_files.csv_rows(1000), required=()) == [
        "line 257: reading the file took longer than 5 seconds; split it into smaller files"]


# --- 3. NUL and other control characters -----------------------------------------------------------


def test_a_nul_past_the_first_4_kb_is_refused_with_its_line():
    data, line = hostile_files.csv_with_nul_after(5000)
    assert refusal(read_csv, data, required=()) == [
        f"line {line}: holds a control character (U+0000) that cannot be imported; remove it and save the file again"]


def test_every_line_with_control_characters_is_listed_up_to_twenty():
    data = "a;b\n" + "".join(f"{n};x\x01\n" for n in range(25))
    errors = refusal(read_csv, data.encode(), required=())
    assert len(errors) == 21 and errors[0].startswith("line 2: holds a control character (U+0001)")
    assert errors[-1] == "line 21: and 5 more lines with control characters"


def test_control_characters_in_an_excel_cell_are_refused_with_the_sheet_row():
    assert refusal(roster_file.read_table, hostile_files.xlsx_control_characters()) == [
        "line 3: holds a control character (U+007F) that cannot be imported; remove it and save the file again"]


def _named(name, data):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_no_import_page_answers_500_to_a_nul(client_as, coordinator_a, school_a):
    data, line = hostile_files.csv_with_nul_after(5000)
    client = client_as(coordinator_a)
    expected = f"line {line}: holds a control character (U+0000)"
    roster = client.post(reverse("pupil_import"), {"file": _named("leerlingen.csv", data)})
    assert expected in roster.content.decode()
    devices = data.replace(b"leerlingnummer;voornaam;naam;klas", b"asset_tag;kind;make_model;serial_number")
    assert expected in client.post(reverse("device_import"), {"file": _named("d.csv", devices), "preset": "generic"},
                                   follow=True).content.decode()
    codes = data.replace(b"leerlingnummer;voornaam;naam;klas", b"provider;code;valid until;note")
    assert expected in client.post(reverse("code_import"), {"file": _named("c.csv", codes)}).content.decode()
    activations = data.replace(b"leerlingnummer;voornaam;naam;klas", b"code;provider;activated on;note")
    page = client.post(reverse("code_activation_import"), {"file": _named("a.csv", activations)})
    assert expected in page.content.decode()
    assert not (Pupil.objects.exists() or Device.objects.exists() or InternetCode.objects.exists())


@pytest.mark.parametrize("command, header", [
    ("import_pupils", b"leerlingnummer;voornaam;naam;klas"),
    ("import_devices", b"asset_tag;kind;make_model;serial_number"),
    ("import_internet_codes", b"provider;code;valid until;note"),
])
def test_the_import_commands_refuse_a_nul_without_a_traceback(school_a, tmp_path, command, header):
    data, line = hostile_files.csv_with_nul_after(5000, header=header.decode())
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem; nothing was imported"):
        call_command(command, str(path), "--school", school_a.instellingsnummer, stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith(f"line {line}: holds a control character (U+0000)")


def test_search_boxes_and_filters_strip_control_characters(client_as, coordinator_a, school_a):
    HouseholdFactory(school=school_a, name="Peeters")
    PupilFactory(school=school_a, first_name="Zoë", last_name="Peeters")
    DeviceFactory(school=school_a, asset_tag="LT-0042")
    client = client_as(coordinator_a)
    families = client.get(reverse("household_list"), {"q": "Pee\x00ters"})
    assert families.status_code == 200 and "Peeters" in families.content.decode()
    borrowers = client.get(reverse("desk_borrower_search"), {"q": "Zo\x00ë"})
    assert borrowers.status_code == 200 and "Peeters" in borrowers.content.decode()
    devices = client.get(reverse("device_list"), {"q": "LT-\x1d0042"})  # a scanner's group separator
    assert devices.status_code == 200 and "LT-0042" in devices.content.decode()


def test_no_page_answers_500_to_control_characters_in_its_query(coordinator_a, school_a):
    from django.test import Client

    from ..test_access import portal_urls

    client = Client(raise_request_exception=False)
    client.force_login(coordinator_a)
    names = ["q", "page", "status", "kind", "year", "format", "language", "lang", "needs", "pupil", "edit", "action"]
    query = "&".join(f"{name}=%00%01" for name in names)
    for name, route, converters in portal_urls():
        if converters:
            continue
        response = client.get(f"/{route}?{query}")
        assert response.status_code < 500, f"/{route} ({name}) answered {response.status_code}"


def test_a_sheet_that_declares_entities_is_refused_before_any_parser_expands_them():
    """The billion laughs: the count of XML parts refuses any entity declaration, so the fast parser that
    reads the sheet afterwards never sees one."""
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = hostile_files.xlsx(hostile_files.header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>&b;</t>'
                              "</is></c></row>")
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("?>\n", "?>\n" + laughs, 1).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert refusal(roster_file.read_table, buffer.getvalue()) == [
        "line 1: the Excel file cannot be read; save it again as .xlsx or CSV"]
