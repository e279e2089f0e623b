"""Rosters as the school's software exports them, and a roster that is never destructive by surprise.

The exports in tests/files are read as they are: a Smartschool user export (co-accounts), a WISA export
(mo_/va_/vo_ columns), an Informat text export (tabs, one row per relation).
"""
from pathlib import Path

import pytest

from households import roster
from households.models import Guardian, Household, Pupil, RosterImport
from households.roster_grades import class_map_update
from households.roster_presets import detect
from households.roster_rows import GuardianIn, RosterRow, check_rows
from households.roster_source import import_roster, plan_roster, read_roster
from portal.csvfiles import ImportRejected
from portal.models import AuditEvent

from ..concurrency import race
from ..factories import PupilFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FILES = Path(__file__).resolve().parent.parent / "files"
SMARTSCHOOL, WISA, INFORMAT = "smartschool_gebruikers.csv", "wisa_leerlingen.csv", "informat_leerlingen.txt"


def data(name):
    return (FILES / name).read_bytes()


def load(school, name, **options):
    return import_roster(school=school, data=data(name), filename=name, **options)


def families(school):
    """{pupil number: sorted (guardian name, relation)} as stored."""
    return {p.internal_number: sorted((g.name, g.relation) for g in p.household.guardians.all())
            for p in Pupil.objects.filter(school=school).select_related("household").prefetch_related(
                "household__guardians")}


@pytest.mark.parametrize("name, preset", [(SMARTSCHOOL, "smartschool"), (WISA, "wisa"), (INFORMAT, "informat")])
def test_each_export_is_recognised_by_its_header(school_a, name, preset):
    assert read_roster(school=school_a, data=data(name)).preset == preset


def test_a_smartschool_export_brings_co_accounts_as_guardians_and_leaves_teachers_out(school_a, coordinator_a):
    plan = plan_roster(school=school_a, data=data(SMARTSCHOOL))
    assert plan.skipped == 1  # Els Wouters, "Leerkracht"

    summary = load(school_a, SMARTSCHOOL, by=coordinator_a)

    assert (summary.created, summary.households_created, summary.guardians_created) == (5, 4, 8)
    zoe = Pupil.objects.get(school=school_a, internal_number="3101")
    assert (zoe.first_name, zoe.class_name, zoe.grade) == ("Zoë", "L5A", 5)
    found = families(school_a)
    assert found["3101"] == found["3102"] == [("An Peeters", "mother"), ("Tom Peeters", "father")]  # siblings
    assert found["3105"] == [("Iryna Kovalenko", "mother"), ("Olena Shevchenko", "guardian")]
    assert Guardian.objects.get(email="tom.peeters@example.be").phone == "+32470445566"  # E.164
    # Slot n of the export is co-account n of the pupil's Smartschool account: where messages go.
    assert dict(zoe.household.guardians.values_list("name", "smartschool_coaccount")) == {
        "An Peeters": 1, "Tom Peeters": 2}
    school_a.refresh_from_db()
    assert school_a.roster_preset == "smartschool"


@pytest.mark.parametrize("name", [WISA, INFORMAT])
def test_wisa_and_informat_exports_bring_two_guardians_per_pupil(school_a, name):
    summary = load(school_a, name)
    assert (summary.created, summary.households_created, summary.guardians_created) == (6, 5, 10)
    found = families(school_a)
    assert found["3103"] == [("Fatima El Amrani", "mother"), ("Youssef El Amrani", "father")]
    assert found["3106"] == [("Bram Maes", "father"), ("Sofie Janssens", "mother")]
    assert found["3105"] == [("Iryna Kovalenko", "mother"), ("Olena Shevchenko", "guardian")]


def test_the_three_exports_of_one_school_make_no_duplicates(school_a):
    load(school_a, SMARTSCHOOL)
    second = load(school_a, WISA)
    third = load(school_a, INFORMAT)
    assert (second.created, second.updated, second.unchanged, second.guardians_created) == (1, 0, 5, 2)
    assert (third.created, third.updated, third.unchanged, third.guardians_created) == (0, 0, 6, 0)
    assert Guardian.objects.count() == 10 and Household.objects.count() == 5


def test_other_spellings_of_the_smartschool_columns_are_the_same_columns(school_a):
    text = ("Internnummer;Voornaam;Naam;Klas;Voornaam co-account 1;Naam co-account 1;E-mail co-account 1;"
            "GSM-nummer co-account 1;Type co-account 1\r\n"
            "77;Sara;Wouters;6 LAT;Ilse;Wouters;ilse@example.be;0470 00 00 01;Moeder\r\n")
    summary = import_roster(school=school_a, data=text.encode(), filename="export.csv")
    assert summary.created == 1
    assert families(school_a)["77"] == [("Ilse Wouters", "mother")]
    assert Pupil.objects.get().grade == 6


def test_a_generic_file_with_one_row_per_guardian_and_two_guardians_per_row(school_a):
    header = "Leerlingnummer;Voornaam;Naam;Klas;Ouder;E-mail ouder;Voornaam ouder 2;Naam ouder 2;E-mail ouder 2"
    columns = {"internal_number": "leerlingnummer", "first_name": "voornaam", "last_name": "naam",
               "class_name": "klas", "guardian1_name": "ouder", "guardian1_email": "e-mail ouder",
               "guardian2_first_name": "voornaam ouder 2", "guardian2_last_name": "naam ouder 2",
               "guardian2_email": "e-mail ouder 2"}
    rows = ["1;Zoë;Peeters;5A;An Peeters;an@example.be;;;",
            "1;Zoë;Peeters;5A;Tom Peeters;tom@example.be;;;",  # the same pupil: a second guardian
            "2;Jan;Claes;4B;Els Claes;els@example.be;Piet;Claes;piet@example.be"]
    summary = import_roster(school=school_a, data=("\r\n".join([header, *rows]) + "\r\n").encode(),
                            filename="x.csv", preset="generic", columns=columns)
    assert summary.created == 2
    assert families(school_a) == {"1": [("An Peeters", "guardian"), ("Tom Peeters", "guardian")],
                                  "2": [("Els Claes", "guardian"), ("Piet Claes", "guardian")]}


def test_rows_are_checked_alike_whatever_their_source():
    rows = [RosterRow(2, "5", "Zoë", "Peeters", "5A", date_of_birth="31/12/2015",
                      guardians=(GuardianIn(first_name="An", last_name="Peeters", relation="Mama"),)),
            RosterRow(3, "6", "Jan", "Claes", "5A", date_of_birth="2015-13-01"),
            RosterRow(4, "5", "Zoë", "Peeters", "5A", guardians=(GuardianIn(name="Tom", email="geen"),))]
    pupils, errors = check_rows(rows, highest=6)
    assert [(e.line, e.reason) for e in errors] == [
        (3, "date of birth “2015-13-01” is not a date such as 31/12/2014"),
        (4, "“geen” is not a valid e-mail address")]
    assert pupils[0].date_of_birth.isoformat() == "2015-12-31"
    assert pupils[0].guardians[0].name == "An Peeters" and pupils[0].guardians[0].relation == "mother"


# --- never destructive by surprise -------------------------------------------------------------------


@pytest.fixture
def school_of_33(school_a):
    for n in range(33):
        PupilFactory(school=school_a, internal_number=str(100 + n), grade=1 + n % 6, class_name=f"{1 + n % 6}A")
    return school_a


def one_row():
    return "Leerlingnummer;Voornaam;Naam;Klas\r\n100;Zoë;Peeters;1A\r\n".encode()


def test_a_one_row_file_is_part_of_the_school_and_marks_nobody_as_left(school_of_33):
    plan = plan_roster(school=school_of_33, data=one_row(), preset="generic")
    assert not plan.scope.whole and plan.scope.missing_grades == (2, 3, 4, 5, 6)
    assert plan.leavers == [] and len(plan.not_in_import) == 32 and plan.summary.deactivated == 0
    with pytest.raises(roster.LeaversNotConfirmed):
        import_roster(school=school_of_33, data=one_row(), filename="x.csv", preset="generic", leavers_confirmed=32)
    summary = import_roster(school=school_of_33, data=one_row(), filename="x.csv", preset="generic")
    assert summary.deactivated == 0 and Pupil.objects.filter(active=True).count() == 33


def test_more_than_a_quarter_leaving_is_confirmed_twice_with_the_count(school_of_33):
    options = {"filename": "x.csv", "preset": "generic", "whole_school": True}
    plan = plan_roster(school=school_of_33, data=one_row(), preset="generic", whole_school=True)
    assert len(plan.leavers) == 32 and plan.needs_second_confirmation
    classes = [p.class_name for p in plan.leavers]
    assert classes == sorted(classes) and "100" not in [p.internal_number for p in plan.leavers]
    with pytest.raises(roster.ManyLeavers):
        import_roster(school=school_of_33, data=one_row(), leavers_confirmed=32, **options)
    with pytest.raises(roster.PlanChanged):
        import_roster(school=school_of_33, data=one_row(), leavers_confirmed=31, many_leavers_confirmed=True, **options)
    assert Pupil.objects.filter(active=False).count() == 0

    summary = import_roster(school=school_of_33, data=one_row(), leavers_confirmed=32, many_leavers_confirmed=True,
                            **options)
    assert summary.deactivated == 32 and Pupil.objects.filter(active=True).count() == 1


def test_a_few_leavers_of_a_whole_school_need_one_confirmation(school_of_33):
    rows = [f"{100 + n};P{n};N{n};{1 + n % 6}A" for n in range(30)]
    text = ("\r\n".join(["Leerlingnummer;Voornaam;Naam;Klas", *rows]) + "\r\n").encode()
    plan = plan_roster(school=school_of_33, data=text, preset="generic")
    assert plan.scope.whole and len(plan.leavers) == 3 and not plan.needs_second_confirmation
    summary = import_roster(school=school_of_33, data=text, filename="x.csv", preset="generic", leavers_confirmed=3)
    assert summary.deactivated == 3


def test_the_import_writes_what_the_preview_showed_or_nothing(school_a):
    plan = plan_roster(school=school_a, data=data(WISA))
    PupilFactory(school=school_a, internal_number="3101", first_name="Someone", class_name="1A", grade=1)
    with pytest.raises(roster.PlanChanged):
        load(school_a, WISA, expected=plan.fingerprint())
    assert Pupil.objects.count() == 1 and not RosterImport.objects.exists()
    again = plan_roster(school=school_a, data=data(WISA))
    assert load(school_a, WISA, expected=again.fingerprint()).updated == 1


def test_the_same_confirmation_twice_imports_once(school_a, coordinator_a):
    first = load(school_a, WISA, key="k1", by=coordinator_a)
    second = load(school_a, WISA, key="k1", by=coordinator_a)
    assert second.repeated and (second.created, first.created) == (6, 6)
    assert RosterImport.objects.count() == 1 and Pupil.objects.count() == 6
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROSTER_IMPORTED).count() == 1


def test_two_confirmations_at_the_same_moment_import_once(transactional_db, school_a):
    outcomes = race(*[lambda: load(school_a, WISA, key="same") for _ in range(2)], own_transaction=False)
    assert outcomes == ["created", "created"]  # both answer as a single import did
    assert RosterImport.objects.count() == 1 and Pupil.objects.count() == 6


def test_a_class_the_name_does_not_tell_gets_its_grade_from_the_class_map(school_a, director_a):
    text = "Leerlingnummer;Voornaam;Naam;Klas\r\n1;Zoë;Peeters;OKAN\r\n2;Jan;Claes;K3\r\n".encode()
    with pytest.raises(ImportRejected) as refused:
        import_roster(school=school_a, data=text, filename="x.csv", preset="generic")
    assert [e.line for e in refused.value.errors] == [2, 3]

    class_map_update(school=school_a, grades={"OKAN": 1, " k3 ": 3, "L9": 9}, by=director_a)
    school_a.refresh_from_db()
    assert school_a.roster_class_grades == {"okan": 1, "k3": 3}  # grade 9 does not exist in primary
    import_roster(school=school_a, data=text, filename="x.csv", preset="generic")
    assert dict(Pupil.objects.values_list("class_name", "grade")) == {"OKAN": 1, "K3": 3}
    event = AuditEvent.objects.get(action=AuditEvent.Action.CLASS_MAP_CHANGED)
    assert event.after == {"roster_class_grades": {"okan": 1, "k3": 3}} and event.actor == director_a


def test_rows_from_another_source_feed_the_same_plan_and_import(school_a):
    """The entry point for a roster that is no file (the Smartschool sync): a list of RosterRow."""
    rows = [RosterRow(1, "3101", "Zoë", "Peeters", "L5A", guardians=(
                GuardianIn(first_name="An", last_name="Peeters", email="an@example.be", relation="Moeder"),
                GuardianIn(first_name="Tom", last_name="Peeters", email="tom@example.be", relation="Vader"))),
            RosterRow(2, "3102", "Noël", "Peeters", "L3B", guardians=(
                GuardianIn(first_name="An", last_name="Peeters", email="an@example.be", relation="Moeder"),))]
    plan = roster.plan_rows(school=school_a, rows=rows)
    assert (plan.summary.created, plan.summary.households_created, plan.summary.guardians_created) == (2, 1, 2)
    summary = roster.import_rows(school=school_a, rows=rows, source="Smartschool", expected=plan.fingerprint())
    assert summary.created == 2 and Household.objects.count() == 1


def test_detect_falls_back_to_the_generic_mapping():
    assert detect(["leerlingnummer", "voornaam", "naam", "klas"]) == "generic"


# --- the command -------------------------------------------------------------------------------------


def command(*args):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_pupils", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


@pytest.mark.parametrize("name, kind", [(SMARTSCHOOL, "Smartschool user export"), (WISA, "WISA export"),
                                        (INFORMAT, "Informat export")])
def test_the_command_recognises_each_export_without_options(school_a, name, kind):
    out = command(str(FILES / name), "--school", school_a.instellingsnummer)
    assert out[0].startswith(f"Read as: {kind}")
    assert out[1].startswith("pupils created: ")
    assert Guardian.objects.count() == (8 if name == SMARTSCHOOL else 10)


def test_the_command_marks_leavers_only_with_whole_school_and_the_count_above_a_quarter(school_of_33, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "one.csv"
    path.write_bytes(one_row())
    out = command(str(path), "--school", school_of_33.instellingsnummer, "--format", "generic")
    assert out[1].endswith("marked as left: 0")
    assert out[2].startswith("32 pupils of the school are not in the file; nobody was marked as left")
    with pytest.raises(CommandError, match="Run again with --leavers 32 to confirm"):
        command(str(path), "--school", school_of_33.instellingsnummer, "--whole-school")
    assert Pupil.objects.filter(active=False).count() == 0
    out = command(str(path), "--school", school_of_33.instellingsnummer, "--whole-school", "--leavers", "32")
    assert out[1].endswith("marked as left: 32") and Pupil.objects.filter(active=False).count() == 32
