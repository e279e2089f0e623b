"""The school list import: the official file, Excel's variants of it, and files that must be refused whole."""
import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.csvfiles import ImportRejected, RowError, read_csv
from portal.models import Lop, School
from portal.school_import import import_schools

pytestmark = pytest.mark.usefixtures("english")

SAMPLE = Path(__file__).resolve().parent.parent / "demo" / "data" / "schools-flanders-sample.csv"
HEADER = (
    "schoolnummer;net;naam;straat;huisnummer;postcode;gemeente;niscode;provinciecode;provincie;"
    "onderwijsniveau;instellingstype;scholengemeenschap;taalstelsel;ingerichte hoofdstructuren"
)
# From the sample's README, "Row counts (province × level × network)".
README_PROVINCES = {
    "antwerpen": 95, "limburg": 58, "oost-vlaanderen": 67, "vlaams-brabant": 53, "west-vlaanderen": 80,
    "brussel": 45, "buiten": 1,
}
CODE_TO_PROVINCE = {
    "1": "antwerpen", "3": "west-vlaanderen", "4": "oost-vlaanderen", "7": "limburg", "V": "vlaams-brabant",
    "B": "brussel", "5": "buiten",
}


def run(path, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_schools", str(path), stdout=out, stderr=err, **options)
    return out.getvalue().strip()


def rejected(path, **options):
    """Run the command expecting a refusal; return (CommandError message, stderr lines)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_schools", str(path), stdout=io.StringIO(), stderr=err, **options)
    return str(error.value), err.getvalue().splitlines()


def sample_rows():
    with open(SAMPLE, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def write(tmp_path, content: bytes, name="schools.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8-sig")


def row(number="1001", *, net="Gemeenschapsonderwijs", naam="GO! testschool", code="4", niveau="BaO",
        instellingstype="Basisschool"):
    address = "Teststraat;1;9000;Gent;44021"
    return f"{number};{net};{naam};{address};{code};Oost-Vlaanderen;{niveau};{instellingstype};;NL;111"


def snapshot():
    fields = [
        "instellingsnummer", "name", "street", "house_number", "postcode", "municipality", "province",
        "level", "special_needs", "network", "institution_type",
    ]
    return {values[0]: values for values in School.objects.values_list(*fields)}


# --- the official sample ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sample_imports_every_school_in_its_province(django_assert_max_num_queries):
    # Not one query per row: the full list has ~3,800 schools (SQLite inserts ~66 rows per query).
    with django_assert_max_num_queries(12):
        summary = run(SAMPLE)

    assert summary == "399 created, 0 updated, 0 unchanged"
    assert School.objects.count() == 399
    from_file = Counter(CODE_TO_PROVINCE[r["provinciecode"]] for r in sample_rows())
    in_database = Counter(School.objects.values_list("province", flat=True))
    assert in_database == from_file
    assert in_database == README_PROVINCES
    # Further totals from the README's table.
    assert Counter(School.objects.values_list("level", flat=True)) == {"primary": 251, "secondary": 148}
    assert Counter(School.objects.values_list("network", flat=True)) == {
        "go": 91, "ogo": 70, "vgo": 225, "other": 12, "": 1}
    assert School.objects.filter(special_needs=True).count() == 81
    assert not School.objects.filter(lop__isnull=False).exists()


@pytest.mark.django_db
def test_sample_fields_are_mapped():
    run(SAMPLE)

    school = School.objects.get(instellingsnummer="18")
    assert (school.name, school.street, school.house_number, school.postcode, school.municipality) == (
        "GO! basisschool De Kleurdoos Brussel", "Moutstraat", "24", "1000", "Brussel")
    assert (school.province, school.level, school.network) == ("brussel", "primary", "go")
    assert (school.institution_type, school.special_needs) == ("Basisschool", False)
    assert School.objects.get(instellingsnummer="15545").name == 'Vrije Kleuterschool Campus "Sint-Jan"'
    assert School.objects.get(instellingsnummer="129254").name == "Stedelijke Basisschool - Hét Talent"
    assert School.objects.get(instellingsnummer="1941").province == "buiten"
    assert School.objects.get(instellingsnummer="127001").network == ""
    special = School.objects.filter(institution_type="School voor buitengewoon secundair onderwijs")
    assert special.exists() and all(s.special_needs and s.level == "secondary" for s in special)


@pytest.mark.django_db
def test_second_run_changes_nothing_and_an_edited_name_updates_one(tmp_path, django_assert_max_num_queries):
    run(SAMPLE)
    before = snapshot()
    with django_assert_max_num_queries(5):
        assert run(SAMPLE) == "0 created, 0 updated, 399 unchanged"
    assert School.objects.count() == 399
    assert snapshot() == before

    # What the LOP set up by hand survives an update of the school's official data.
    lop = Lop.objects.create(name="LOP Brussel", level=Lop.Level.BOTH, area="Brussel")
    School.objects.filter(instellingsnummer="18").update(lop=lop, return_policy="career")
    assert SAMPLE.read_bytes().count(b";GO! basisschool De Kleurdoos Brussel;") == 1
    edited = SAMPLE.read_bytes().replace(b"De Kleurdoos Brussel;", b"De Kleurdoos;")

    assert run(write(tmp_path, edited)) == "0 created, 1 updated, 398 unchanged"
    school = School.objects.get(instellingsnummer="18")
    assert school.name == "GO! basisschool De Kleurdoos"
    assert (school.lop, school.return_policy) == (lop, "career")
    after = snapshot()
    assert {number for number in before if before[number] != after[number]} == {"18"}
    assert School.objects.count() == 399


@pytest.mark.django_db
def test_special_needs_and_codes_are_read_case_insensitively(tmp_path):
    path = write(tmp_path, csv_bytes(
        row("5001", instellingstype="School voor Buitengewoon Secundair Onderwijs", niveau="so", code="v"),
        row("5002", instellingstype="Basisschool", niveau="BAO", net="vrij gesubsidieerd onderwijs"),
    ))
    assert run(path) == "2 created, 0 updated, 0 unchanged"
    assert list(School.objects.order_by("instellingsnummer").values_list(
        "special_needs", "level", "province", "network")) == [
        (True, "secondary", "vlaams-brabant", "go"), (False, "primary", "oost-vlaanderen", "vgo")]


@pytest.mark.django_db
def test_lop_id_puts_new_schools_in_the_lop_and_leaves_existing_ones(tmp_path):
    lop = Lop.objects.create(name="LOP Gent", level=Lop.Level.BOTH, area="Gent")
    path = write(tmp_path, csv_bytes(row("1001"), row("1002")))
    School.objects.create(instellingsnummer="1002", name="Old", province="oost-vlaanderen", level="primary")

    assert run(path, lop_id=lop.pk) == "1 created, 1 updated, 0 unchanged"
    assert School.objects.get(instellingsnummer="1001").lop == lop
    assert School.objects.get(instellingsnummer="1002").lop is None


@pytest.mark.django_db
def test_unknown_lop_id_is_refused(tmp_path):
    with pytest.raises(CommandError, match="There is no LOP with id 4242"):
        call_command("import_schools", str(write(tmp_path, csv_bytes(row()))), lop_id=4242)
    assert School.objects.count() == 0


# --- the variants Excel produces ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_comma_separated_variant(tmp_path):
    rows = sample_rows()
    rows[0]["naam"] = "GO! basisschool De Kleurdoos, Brussel"  # a comma inside a value must be quoted
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))  # comma, CRLF, minimal quoting: as Excel does
    writer.writeheader()
    writer.writerows(rows)
    assert '"GO! basisschool De Kleurdoos, Brussel"' in out.getvalue()

    assert run(write(tmp_path, out.getvalue().encode("utf-8-sig"))) == "399 created, 0 updated, 0 unchanged"
    assert School.objects.get(instellingsnummer="18").name == "GO! basisschool De Kleurdoos, Brussel"
    # Everything else reads exactly as from the semicolon original.
    assert run(SAMPLE) == "0 created, 1 updated, 398 unchanged"


@pytest.mark.django_db
def test_windows_1252_variant_keeps_accents(tmp_path):
    data = SAMPLE.read_text(encoding="utf-8-sig").encode("cp1252")
    assert "Hét".encode("cp1252") in data and b"H\xc3\xa9t" not in data  # é is one byte, 0xE9

    assert run(write(tmp_path, data)) == "399 created, 0 updated, 0 unchanged"
    assert School.objects.get(instellingsnummer="129254").name == "Stedelijke Basisschool - Hét Talent"
    assert School.objects.get(instellingsnummer="116061").name == "Vrije Lagere School - Kindercampus Mozaïek"
    assert run(SAMPLE) == "0 created, 0 updated, 399 unchanged"


@pytest.mark.django_db
def test_windows_1252_small_file_with_accents_and_typographic_quotes(tmp_path):
    # ’ and – are bytes 0x92 and 0x96: cp1252 proper, where Latin-1 would read control characters.
    name = "Basisschool ’t Klavertje – Sint-André"
    data = (HEADER + "\r\n" + row("2001", naam=name) + "\r\n").encode("cp1252")
    assert b"\x92" in data and b"\xe9" in data
    assert run(write(tmp_path, data)) == "1 created, 0 updated, 0 unchanged"
    assert School.objects.get().name == name


@pytest.mark.django_db
def test_utf8_without_bom(tmp_path):
    data = SAMPLE.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")

    assert run(write(tmp_path, data[3:])) == "399 created, 0 updated, 0 unchanged"
    assert School.objects.get(instellingsnummer="129254").name == "Stedelijke Basisschool - Hét Talent"
    assert run(SAMPLE) == "0 created, 0 updated, 399 unchanged"


@pytest.mark.django_db
def test_lf_line_endings_blank_rows_and_padded_headers(tmp_path):
    header = ";".join(f" {name.upper()} " for name in HEADER.split(";"))
    data = "\n".join([header, row("3001"), ";;;;;;;;", "", row("3002")]) + "\n"
    assert run(write(tmp_path, data.encode())) == "2 created, 0 updated, 0 unchanged"


# --- files that are refused as a whole ----------------------------------------------------------------------


@pytest.mark.django_db
def test_malformed_file_imports_nothing_and_lists_every_bad_line(tmp_path):
    path = write(tmp_path, csv_bytes(
        row("1001"),                                            # line 2: fine
        row("1002", naam='"Basisschool\r\nop twee regels"'),    # lines 3-4: fine, a quoted line break
        row("1003", code="9"),                                  # line 5: unknown province
        row(""),                                                # line 6: no schoolnummer
        row("1001"),                                            # line 7: duplicate of line 2
        row("1004", niveau="HO"),                               # line 8: not BaO or SO
        row("12a4"),                                            # line 9: not a number
        row("1005", naam=""),                                   # line 10: no name
        row("1006", net="Privé"),                               # line 11: unknown network
        row("1007"),                                            # line 12: fine
    ))

    message, stderr = rejected(path)

    assert School.objects.count() == 0
    assert "nothing was imported" in message
    assert "7 problems" in message
    assert stderr == [
        "line 5: unknown provinciecode “9” (expected one of 1, 3, 4, 5, 7, B, V)",
        "line 6: schoolnummer is empty",
        "line 7: schoolnummer 1001 already appears on line 2",
        "line 8: unknown onderwijsniveau “HO” (expected BaO or SO)",
        "line 9: schoolnummer “12a4” is not a number",
        "line 10: naam is empty",
        "line 11: unknown net “Privé”",
    ]


@pytest.mark.django_db
def test_rejected_file_leaves_existing_schools_untouched(tmp_path):
    run(SAMPLE)
    before = snapshot()
    edited = SAMPLE.read_text(encoding="utf-8-sig").replace(";Moutstraat;", ";Nieuwe straat;")
    bad = edited.replace(";BaO;", ";Bao-Kleuter;", 1).encode("utf-8-sig")

    message, stderr = rejected(write(tmp_path, bad))

    assert stderr == ["line 2: unknown onderwijsniveau “Bao-Kleuter” (expected BaO or SO)"]
    assert "1 problem;" in message
    assert snapshot() == before


def test_import_rejected_carries_every_error_in_line_order():
    with pytest.raises(ImportRejected) as error:
        import_schools(data=csv_bytes(row("1", code="X"), row("x", niveau="?")))
    assert error.value.errors == [
        RowError(2, "unknown provinciecode “X” (expected one of 1, 3, 4, 5, 7, B, V)"),
        RowError(3, "schoolnummer “x” is not a number"),
        RowError(3, "unknown onderwijsniveau “?” (expected BaO or SO)"),
    ]
    assert str(error.value).splitlines() == [
        "line 2: unknown provinciecode “X” (expected one of 1, 3, 4, 5, 7, B, V)",
        "line 3: schoolnummer “x” is not a number",
        "line 3: unknown onderwijsniveau “?” (expected BaO or SO)",
    ]


@pytest.mark.django_db
def test_missing_columns_are_named(tmp_path):
    header = HEADER.replace("provinciecode;", "").replace(";naam", "")
    path = write(tmp_path, (header + "\r\n18;Gemeenschapsonderwijs;Moutstraat\r\n").encode("utf-8-sig"))

    message, stderr = rejected(path)

    assert len(stderr) == 1
    assert stderr[0].startswith(
        "line 1: missing columns: naam, provinciecode (the header has: schoolnummer, net, straat, ")
    assert "nothing was imported" in message
    assert School.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "the file is empty"),
        (HEADER.encode() + b"\r\n", "the file has a header line but no data rows"),
        ("schoolnummer".encode("utf-16"), "the file is saved as UTF-16; save it as CSV (UTF-8) instead"),
        (HEADER.encode() + b"\r\n1\x81\r\n", "the file is neither UTF-8 nor Windows-1252 text"),
    ],
)
def test_unusable_files_are_refused(tmp_path, content, reason):
    message, stderr = rejected(write(tmp_path, content))
    line = 2 if b"\x81" in content else 1
    assert stderr == [f"line {line}: {reason}"]
    assert "nothing was imported" in message


@pytest.mark.django_db
def test_unreadable_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.csv"):
        call_command("import_schools", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_too_long_values_are_refused_before_the_database_sees_them(tmp_path):
    path = write(tmp_path, csv_bytes(row("4001", naam="x" * 251)))
    _message, stderr = rejected(path)
    assert stderr == ["line 2: naam is longer than 250 characters"]


# --- the reusable CSV reader --------------------------------------------------------------------------------


def test_reader_numbers_rows_by_their_first_physical_line():
    data = 'a;b\r\n1;"two\r\nlines"\r\n\r\n;\r\n3;"x\ny\nz"\n4;d\n'.encode()
    table = read_csv(data, required=["a", "b"])
    assert [(r.line, r["a"], r["b"]) for r in table.rows] == [
        (2, "1", "two\r\nlines"), (6, "3", "x\ny\nz"), (9, "4", "d")]
    assert table.errors == []


def test_reader_picks_the_delimiter_from_the_header():
    assert read_csv(b"a,b\n1;2,3\n", required=["a"]).rows[0].values == {"a": "1;2", "b": "3"}
    assert read_csv(b"a;b\n1,2;3\n", required=["a"]).rows[0].values == {"a": "1,2", "b": "3"}


def test_reader_reports_rows_with_more_values_than_columns_and_ignores_empty_extra_columns():
    table = read_csv(b"A ; B;;\n1;2;;\n1;2;x\n1;2;;;5\n6\n", required=["a", "b"])
    assert table.columns == ["a", "b"]
    assert [(r.line, r.values) for r in table.rows] == [
        (2, {"a": "1", "b": "2"}), (3, {"a": "1", "b": "2"}), (5, {"a": "6"})]
    assert table.rows[2]["b"] == ""
    assert table.errors == [RowError(4, "has 5 values but the header has 4 columns")]


def test_reader_refuses_duplicate_columns():
    with pytest.raises(ImportRejected, match="line 1: columns appear more than once: a"):
        read_csv(b"a;A;b\n1;2;3\n", required=["b"])


def test_reader_falls_back_to_windows_1252_only_for_invalid_utf8():
    assert read_csv("naam\nZoë\n".encode("cp1252"), required=["naam"]).rows[0]["naam"] == "Zoë"
    assert read_csv("naam\nZoë €\n".encode("utf-8"), required=["naam"]).rows[0]["naam"] == "Zoë €"
