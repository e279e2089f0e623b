"""The roster import service and command: Excel's file variants, refusals that import nothing, re-imports."""
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from households.models import Guardian, Household, Pupil
from households.roster import grade_from_class, import_roster, plan_roster
from portal.csvfiles import ImportRejected
from portal.models import AuditEvent

from ..factories import GuardianFactory, PupilFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = "Leerlingnummer;Voornaam;Naam;Klas;Gezin;Ouder;E-mail ouder;GSM ouder;Taal"
COLUMNS = {"internal_number": "leerlingnummer", "first_name": "voornaam", "last_name": "naam",
           "class_name": "klas", "household_key": "gezin", "guardian_name": "ouder",
           "guardian_email": "e-mail ouder", "guardian_phone": "gsm ouder", "language": "taal"}
ROWS = [
    "1001;Zoë;Peeters;5A;F1;An Peeters;an@example.be;0470 11 22 33;Nederlands",
    "1002;Noël;Peeters;3B;F1;An Peeters;an@example.be;0470 11 22 33;nl",
    "1003;Mohamed;El Amrani;6A;F2;Fatima El Amrani;;0486/12.34.56;Arabisch",
    "1004;Anaïs;Dubois;1B-LAT;;Luc Dubois;luc@example.be;;fr",
]


def csv_bytes(*rows, header=HEADER, encoding="cp1252"):
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def run(school, data, columns=COLUMNS, **kwargs):
    return import_roster(school=school, data=data, filename="leerlingen.csv", columns=columns, **kwargs)


def rejected_lines(school, data, columns=COLUMNS):
    with pytest.raises(ImportRejected) as error:
        run(school, data, columns)
    assert Pupil.objects.count() == 0 and Household.objects.count() == 0 and Guardian.objects.count() == 0
    return [(e.line, e.reason) for e in error.value.errors]


def test_semicolon_cp1252_file_imports_pupils_households_and_guardians(school_a, coordinator_a):
    summary = run(school_a, csv_bytes(*ROWS), by=coordinator_a)

    assert (summary.created, summary.updated, summary.unchanged, summary.deactivated) == (4, 0, 0, 0)
    zoe = Pupil.objects.get(school=school_a, internal_number="1001")
    assert (zoe.first_name, zoe.last_name, zoe.class_name, zoe.grade, zoe.active) == ("Zoë", "Peeters", "5A", 5, True)
    assert Pupil.objects.get(internal_number="1004").grade == 1  # "1B-LAT"
    # Siblings share one household of this school, with one guardian (not one per child).
    noel = Pupil.objects.get(internal_number="1002")
    assert zoe.household_id == noel.household_id and zoe.household.school == school_a
    assert [(g.name, g.email, g.phone) for g in zoe.household.guardians.all()] == [
        ("An Peeters", "an@example.be", "+32470112233")]  # stored as E.164
    assert Household.objects.filter(school=school_a).count() == 3
    assert Pupil.objects.get(internal_number="1003").household.preferred_language == "ar"
    assert Pupil.objects.get(internal_number="1004").household.preferred_language == "fr"
    # The mapping is remembered; the audit row holds counts, never a child's name.
    school_a.refresh_from_db()
    assert school_a.roster_columns == COLUMNS
    event = AuditEvent.objects.get(action="pupils.roster_imported")
    assert (event.actor, event.school, event.after["created"]) == (coordinator_a, school_a, 4)
    assert "Zoë" not in str(event.after)


def test_comma_separated_utf8_with_bom_and_minimal_columns(school_a):
    data = "\ufeffnr,first,last,class\n7,Zoë,Maes,2C\n8,Lotte,Maes,4A\n".encode("utf-8")
    summary = run(school_a, data, {"internal_number": "nr", "first_name": "first", "last_name": "last",
                                   "class_name": "class"})
    assert summary.created == 2
    assert Pupil.objects.get(internal_number="7").first_name == "Zoë"
    # Without a family key or guardian columns nobody is taken for a sibling.
    assert Household.objects.count() == 2


def test_xlsx_file_imports_with_numbers_as_numbers(school_a):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Leerlingnummer", "Voornaam", "Naam", "Klas", "Leerjaar", "E-mail ouder"])
    sheet.append([2001, "Zoë", "Janssens", "5A", 5.0, "ouder@example.be"])
    sheet.append([2002, "Jonas", "Janssens", "K3", 3, "OUDER@example.be"])  # grade column wins over the class
    sheet.append([None, None, None, None, None, None])  # an empty row Excel kept
    out = io.BytesIO()
    workbook.save(out)
    columns = {"internal_number": "leerlingnummer", "first_name": "voornaam", "last_name": "naam",
               "class_name": "klas", "grade": "leerjaar", "guardian_email": "e-mail ouder"}

    summary = import_roster(school=school_a, data=out.getvalue(), filename="export.xlsx", columns=columns)

    assert summary.created == 2
    zoe, jonas = Pupil.objects.order_by("internal_number")
    assert (zoe.internal_number, zoe.grade, jonas.grade) == ("2001", 5, 3)
    assert zoe.household_id == jonas.household_id  # same e-mail, in any case


def test_xlsx_bad_lines_are_reported_with_sheet_row_numbers(school_a):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Leerlingnummer", "Voornaam", "Naam", "Klas"])
    sheet.append([1, "A", "B", "5A"])
    sheet.append([1, "C", "D", "OKAN"])
    out = io.BytesIO()
    workbook.save(out)
    columns = {"internal_number": "leerlingnummer", "first_name": "voornaam", "last_name": "naam",
               "class_name": "klas"}
    lines = rejected_lines(school_a, out.getvalue(), columns)
    assert [line for line, _reason in lines] == [3, 3]
    assert any("already appears on line 2" in reason for _line, reason in lines)
    assert any("unknown class “OKAN”" in reason for _line, reason in lines)


def test_utf16_file_is_refused(school_a):
    lines = rejected_lines(school_a, csv_bytes(*ROWS).decode("cp1252").encode("utf-16"))
    assert lines == [(1, "the file is saved as UTF-16; save it as CSV (UTF-8) instead")]


def test_a_mapped_column_missing_from_the_file_is_refused(school_a):
    lines = rejected_lines(school_a, csv_bytes("1;A;B;5A", header="Leerlingnummer;Voornaam;Naam;Klas"),
                           {**COLUMNS, "household_key": "gezin"})
    assert len(lines) == 1 and lines[0][0] == 1
    assert "missing columns: gezin, ouder, e-mail ouder, gsm ouder, taal" in lines[0][1]


def test_every_bad_line_is_listed_and_nothing_is_imported(school_a):
    lines = rejected_lines(school_a, csv_bytes(
        ROWS[0],
        "1001;Zoë;Peeters;5B;F1;;;;",        # 3: duplicate number
        "1005;Jan;Claes;OKAN;;;;;",          # 4: unknown class: no grade can be derived
        "1006;;Claes;5A;;;;;",               # 5: empty first name
        "1007;Piet;Claes;5A;;;geen-adres;;",  # 6: bad e-mail
        "1008;Mia;Claes;5A;;;;;Klingon",     # 7: unknown language
        ROWS[1],
    ))
    assert [line for line, _reason in lines] == [3, 4, 5, 6, 7]
    assert "pupil number 1001 already appears on line 2" in lines[0][1]
    assert "unknown class “OKAN”" in lines[1][1]
    assert "“voornaam” is empty" in lines[2][1]
    assert "not a valid e-mail address" in lines[3][1]
    assert "unknown language “Klingon”" in lines[4][1]


def test_grade_out_of_range_and_primary_grade_seven_are_refused(school_a):
    columns = {**COLUMNS, "grade": "leerjaar"}
    header = HEADER + ";Leerjaar"
    lines = rejected_lines(school_a, csv_bytes("1;A;B;5A;;;;;;9", "2;C;D;7A;;;;;;", "3;E;F;5A;;;;;;5",
                                               header=header), columns)
    # school_a is a primary school: grades 1 to 6, so "7A" is an unknown class there.
    assert [line for line, _reason in lines] == [2, 3]
    assert "grade “9” is not a number from 1 to 6" in lines[0][1]


def test_grade_from_class():
    assert [grade_from_class(name, 7) for name in ("5A", "1B-LAT", " 6 STEM", "7", "K3", "OKAN", "8A", "0A", "")] == [
        5, 1, 6, 7, None, None, None, None, None]
    assert grade_from_class("7A", 6) is None


def test_reimporting_the_same_file_changes_nothing(school_a):
    run(school_a, csv_bytes(*ROWS))
    households = set(Household.objects.values_list("pk", flat=True))

    summary = run(school_a, csv_bytes(*ROWS))

    assert (summary.created, summary.updated, summary.unchanged, summary.deactivated) == (0, 0, 4, 0)
    assert (summary.households_created, summary.guardians_created) == (0, 0)
    assert set(Household.objects.values_list("pk", flat=True)) == households
    assert Guardian.objects.count() == 3


def test_leavers_are_deactivated_and_come_back_when_they_reappear(school_a, school_b):
    other_school = PupilFactory(school=school_b, internal_number="9999")
    run(school_a, csv_bytes(*ROWS))

    summary = run(school_a, csv_bytes(ROWS[0], ROWS[1].replace(";3B;", ";4B;")))

    assert (summary.created, summary.updated, summary.unchanged, summary.deactivated) == (0, 1, 1, 2)
    assert Pupil.objects.count() == 5  # nobody deleted
    assert set(Pupil.objects.filter(school=school_a, active=False).values_list("internal_number", flat=True)) == {
        "1003", "1004"}
    assert Pupil.objects.get(internal_number="1002").class_name == "4B"
    # The leaving date starts the retention clock (privacy/retention.py).
    assert set(Pupil.objects.filter(school=school_a, active=False).values_list("left_on", flat=True)) == {
        timezone.localdate()}
    other_school.refresh_from_db()
    assert other_school.active  # another school's pupils are never touched

    summary = run(school_a, csv_bytes(*ROWS))
    assert (summary.created, summary.updated, summary.deactivated) == (0, 3, 0)
    assert Pupil.objects.filter(school=school_a, active=True).count() == 4
    assert not Pupil.objects.filter(school=school_a, left_on__isnull=False).exists()


def test_a_new_sibling_joins_the_existing_household_and_guardians_are_not_duplicated(school_a):
    existing = PupilFactory(school=school_a, internal_number="1001", first_name="Zoë", class_name="5A", grade=5)
    GuardianFactory(household=existing.household, name="An Peeters", email="an@example.be")

    summary = run(school_a, csv_bytes(ROWS[0], ROWS[1]))

    assert summary.households_created == 0
    noel = Pupil.objects.get(internal_number="1002")
    assert noel.household_id == existing.household_id
    guardian = Guardian.objects.get()
    assert guardian.phone == "+32470112233"  # the phone the file adds is kept on the known guardian


def test_leading_zeros_do_not_make_a_new_pupil(school_a):
    run(school_a, csv_bytes("00123;Zoë;Peeters;5A;;;;;"))
    summary = run(school_a, csv_bytes("123;Zoë;Peeters;5A;;;;;"))
    assert (summary.created, summary.unchanged) == (0, 1)


def test_a_number_stored_with_leading_zeros_matches_the_file(school_a):
    PupilFactory(school=school_a, internal_number="0123", first_name="Zoë", last_name="Peeters", class_name="5A")
    summary = run(school_a, csv_bytes("123;Zoë;Peeters;5A;;;;;"))
    assert (summary.created, summary.deactivated) == (0, 0)
    assert Pupil.objects.get().active


def test_plan_writes_nothing(school_a):
    summary = plan_roster(school=school_a, data=csv_bytes(*ROWS), columns=COLUMNS).summary
    assert summary.created == 4
    assert Pupil.objects.count() == 0 and Household.objects.count() == 0
    school_a.refresh_from_db()
    assert school_a.roster_columns == {}


@pytest.mark.parametrize("size", [10, 2000])
def test_import_runs_a_fixed_number_of_queries(school_a, size, django_assert_max_num_queries):
    rows = [f"{n};Voornaam{n};Achternaam{n // 2};{1 + n % 6}A;G{n // 2};Ouder {n // 2};o{n // 2}@example.be;;"
            for n in range(size)]
    with django_assert_max_num_queries(12):
        run(school_a, csv_bytes(*rows))
    assert Pupil.objects.count() == size
    assert Household.objects.count() == size // 2
    # A second run with changes and leavers stays within the same bound.
    changed = [row.replace("Voornaam", "Naam") for row in rows[: size // 2]]
    with django_assert_max_num_queries(12):
        summary = run(school_a, csv_bytes(*changed))
    assert (summary.updated, summary.deactivated) == (size // 2, size - size // 2)


# --- the command ---------------------------------------------------------------------------------


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_pupils", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_command_uses_the_usual_column_names_then_the_remembered_mapping(school_a, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(csv_bytes(*ROWS))
    out, _err = command(str(path), "--school", school_a.instellingsnummer)
    assert out == "pupils created: 4, updated: 0, unchanged: 0, marked as left: 0"
    school_a.refresh_from_db()
    assert school_a.roster_columns == COLUMNS  # every usual name was found in this header

    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(csv_bytes(*ROWS, header=HEADER.replace("Voornaam", "Roepnaam")))
    with pytest.raises(CommandError):
        command(str(renamed), "--school", school_a.instellingsnummer)
    out, _err = command(str(renamed), "--school", school_a.instellingsnummer, "--map", "first_name=Roepnaam")
    assert out == "pupils created: 0, updated: 0, unchanged: 4, marked as left: 0"
    school_a.refresh_from_db()
    assert school_a.roster_columns["first_name"] == "roepnaam"


def test_command_lists_every_bad_line_and_imports_nothing(school_a, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(csv_bytes(ROWS[0], ROWS[0], "1009;Jan;Claes;OKAN;;;;;"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems; nothing was imported"):
        call_command("import_pupils", str(path), "--school", school_a.instellingsnummer,
                     stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines()[0].startswith("line 3: pupil number 1001 already appears on line 2")
    assert err.getvalue().splitlines()[1].startswith("line 4: unknown class")
    assert Pupil.objects.count() == 0


def test_command_refuses_an_unknown_school_and_a_bad_map(school_a, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(csv_bytes(*ROWS))
    with pytest.raises(CommandError, match="no school"):
        command(str(path), "--school", "123")
    with pytest.raises(CommandError, match="FIELD=COLUMN"):
        command(str(path), "--school", school_a.instellingsnummer, "--map", "birthday=geboortedatum")


def test_without_a_household_column_siblings_are_found_by_email_or_phone(school_a):
    header = "Leerlingnummer;Voornaam;Naam;Klas;E-mail ouder;GSM ouder"
    columns = {"internal_number": "leerlingnummer", "first_name": "voornaam", "last_name": "naam",
               "class_name": "klas", "guardian_email": "e-mail ouder", "guardian_phone": "gsm ouder"}
    run(school_a, csv_bytes("1;A;X;1A;x@example.be;", "2;B;X;2A;X@Example.be;", "3;C;Y;3A;;0470 12 34 56",
                            "4;D;Y;4A;;0470/12.34.56", "5;E;Z;5A;;", header=header), columns)
    household = dict(Pupil.objects.values_list("internal_number", "household_id"))
    assert household["1"] == household["2"] != household["3"] == household["4"] != household["5"]
    assert Guardian.objects.count() == 2  # one per family; the pupil without contact details gets none


def test_secondary_school_accepts_grade_seven(school_b):
    summary = run(school_b, csv_bytes("1;A;B;7STEM;;;;;"))
    assert summary.created == 1 and Pupil.objects.get().grade == 7


def test_command_dry_run_writes_nothing(school_a, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(csv_bytes(*ROWS))
    out, _err = command(str(path), "--school", school_a.instellingsnummer, "--dry-run")
    assert out == "pupils created: 4, updated: 0, unchanged: 0, marked as left: 0"
    assert Pupil.objects.count() == 0
