"""The pupil pages over HTTP: list and filters, one pupil, and the three-step roster import."""
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from households.models import Household, Pupil
from lending.models import Agreement, Loan
from portal.models import AuditEvent

from ..factories import AgreementFactory, GuardianFactory, HouseholdFactory, LoanFactory, PupilFactory

pytestmark = pytest.mark.django_db

HEADER = "Leerlingnummer;Voornaam;Naam;Klas;E-mail ouder"
ROWS = ["1001;Zoë;Peeters;5A;an@example.be", "1002;Noël;Peeters;3B;an@example.be", "1003;Jan;Claes;1B-LAT;"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield settings.MEDIA_ROOT


@pytest.fixture
def coordinator(client_as, coordinator_a):
    client = client_as(coordinator_a)
    client.cookies["django_language"] = "en"
    return client


FILES = Path(__file__).resolve().parent.parent / "files"


def csv_upload(*rows, header=HEADER, name="leerlingen.csv", encoding="cp1252"):
    return SimpleUploadedFile(name, ("\r\n".join([header, *rows]) + "\r\n").encode(encoding), "text/csv")


def stored_uploads(media):
    folder = Path(media) / "roster-imports"
    return list(folder.iterdir()) if folder.exists() else []


# --- the roster import ---------------------------------------------------------------------------


def check_page(client):
    response = client.get(reverse("pupil_import_check"))
    assert response.status_code == 200
    return response


def confirm(client, response, **extra):
    """Post the confirm form as the browser would: every field it renders, with the checkbox unticked."""
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields if name != "mark_leavers"}
    return client.post(reverse("pupil_import_confirm"), {**data, **extra})


def test_upload_columns_check_and_confirm(coordinator, school_a, coordinator_a, media):
    PupilFactory(school=school_a, internal_number="0500", first_name="Leaver", last_name="Wouters", grade=5,
                 class_name="5A")
    assert coordinator.get(reverse("pupil_import")).status_code == 200

    # Step 1: upload; no known export, so the column page offers the file's own header.
    response = coordinator.post(reverse("pupil_import"), {"file": csv_upload(*ROWS), "preset": "auto"})
    assert response.status_code == 302 and response["Location"] == reverse("pupil_import_columns")
    assert len(stored_uploads(media)) == 1
    response = coordinator.get(reverse("pupil_import_columns"))
    form = response.context["form"]
    assert [value for value, _label in form.fields["first_name"].choices] == [
        "", "leerlingnummer", "voornaam", "naam", "klas", "e-mail ouder"]
    # The usual names are suggested when the school has no remembered mapping yet.
    assert form.initial == {"first_name": "voornaam", "last_name": "naam", "class_name": "klas",
                            "internal_number": "leerlingnummer", "guardian1_email": "e-mail ouder"}
    response = coordinator.post(reverse("pupil_import_columns"), form.initial)
    assert response["Location"] == reverse("pupil_import_check")

    # Step 2: the check shows the counts, the scope and the leavers by name, and writes nothing.
    response = check_page(coordinator)
    assert response.context["summary"].created == 3 and response.context["scope"].whole
    page = response.content.decode()
    assert "3 new pupils" in page and "This list is read as the whole school." in page
    assert "Leaver Wouters" in page and "Mark this 1 pupil as left the school" in page
    assert Pupil.objects.count() == 1

    # Step 3: confirm without ticking the leaver: nobody is marked as left.
    response = confirm(coordinator, response)
    assert response.status_code == 302 and response["Location"] == reverse("pupil_list")
    assert Pupil.objects.filter(active=True).count() == 4
    zoe, noel = Pupil.objects.get(internal_number="1001"), Pupil.objects.get(internal_number="1002")
    assert zoe.household_id == noel.household_id
    school_a.refresh_from_db()
    assert school_a.roster_columns == form.initial and school_a.roster_preset == "generic"
    assert AuditEvent.objects.get(action="pupils.roster_imported").actor == coordinator_a
    assert stored_uploads(media) == []  # the uploaded file is removed after the import
    assert "pupils created: 3, updated: 0, unchanged: 0, marked as left: 0" in coordinator.get(
        reverse("pupil_list")).content.decode()


def test_a_double_click_on_import_imports_once(coordinator, school_a):
    coordinator.post(reverse("pupil_import"), {"file": csv_upload(*ROWS), "preset": "generic"})
    coordinator.post(reverse("pupil_import_columns"), {
        "first_name": "voornaam", "last_name": "naam", "class_name": "klas", "internal_number": "leerlingnummer"})
    response = check_page(coordinator)
    assert confirm(coordinator, response)["Location"] == reverse("pupil_list")
    again = confirm(coordinator, response)
    assert again["Location"] == reverse("pupil_list")
    assert "This list was imported already." in coordinator.get(reverse("pupil_list")).content.decode()
    assert Pupil.objects.count() == 3 and AuditEvent.objects.filter(action="pupils.roster_imported").count() == 1


def test_a_known_export_goes_straight_to_the_check_and_is_remembered(coordinator, school_a):
    smartschool = (FILES / "smartschool_gebruikers.csv").read_bytes()
    response = coordinator.post(reverse("pupil_import"), {
        "file": SimpleUploadedFile("gebruikers.csv", smartschool), "preset": "auto"})
    assert response["Location"] == reverse("pupil_import_check")
    response = check_page(coordinator)
    page = response.content.decode()
    assert "Smartschool user export" in page and "1 row is not a pupil" in page
    assert response.context["summary"].guardians_created == 8
    confirm(coordinator, response)
    school_a.refresh_from_db()
    assert school_a.roster_preset == "smartschool" and Pupil.objects.count() == 5
    assert "Last time: Smartschool user export" in coordinator.get(reverse("pupil_import")).content.decode()
    # A file whose columns tell nothing is read as the kind the school used last time.
    trimmed = smartschool.replace(b"Voornaam_Coaccount1", b"Co1_vn").replace(b"Email_Coaccount1", b"Co1_mail").replace(
        b"Type_Coaccount1", b"Co1_type")
    response = coordinator.post(reverse("pupil_import"), {
        "file": SimpleUploadedFile("gebruikers.csv", trimmed), "preset": "auto"})
    assert response["Location"] == reverse("pupil_import_check")
    assert coordinator.session["roster_import"]["preset"] == "smartschool"


def test_one_row_file_is_part_of_the_school_and_can_be_called_whole_on_purpose(coordinator, school_a):
    for n in range(8):
        PupilFactory(school=school_a, internal_number=str(2000 + n), grade=1 + n % 6, class_name=f"{1 + n % 6}A")
    coordinator.post(reverse("pupil_import"), {"file": csv_upload(ROWS[0]), "preset": "generic"})
    coordinator.post(reverse("pupil_import_columns"), {
        "first_name": "voornaam", "last_name": "naam", "class_name": "klas", "internal_number": "leerlingnummer"})
    page = check_page(coordinator).content.decode()
    assert "This list is read as part of the school." in page
    assert "8 pupils of the school are not in this list; nobody is marked as left." in page
    assert 'id="roster-leavers"' not in page and "marked as left: 8" not in page

    # The coordinator says it is the whole school: the 8 are listed by name, and more than a quarter asks twice.
    coordinator.post(reverse("pupil_import_scope"), {"whole_school": "1"})
    response = check_page(coordinator)
    assert len(response.context["leavers"]) == 8
    second = confirm(coordinator, response, mark_leavers="on")
    assert second.status_code == 200 and "more than a quarter" in second.content.decode()
    assert Pupil.objects.filter(active=False).count() == 0 and Pupil.objects.count() == 8
    form = second.context["form"]
    fields = {name: form[name].value() for name in form.fields if name != "typed_leavers"}
    assert fields["second_step"] == "1" and fields["mark_leavers"] is True
    wrong = coordinator.post(reverse("pupil_import_confirm"), {**fields, "typed_leavers": 7})
    assert wrong.status_code == 200 and Pupil.objects.filter(active=False).count() == 0
    done = coordinator.post(reverse("pupil_import_confirm"), {**fields, "typed_leavers": 8})
    assert done["Location"] == reverse("pupil_list")
    assert Pupil.objects.filter(active=False).count() == 8 and Pupil.objects.filter(active=True).count() == 1


def test_unknown_classes_get_a_grade_on_the_check_page(coordinator, school_a, coordinator_a):
    coordinator.post(reverse("pupil_import"), {"file": csv_upload("1;Jan;Claes;OKAN;", "2;Mia;Claes;OKAN;",
                                                                  "3;Els;Maes;5A;"), "preset": "generic"})
    coordinator.post(reverse("pupil_import_columns"), {
        "first_name": "voornaam", "last_name": "naam", "class_name": "klas", "internal_number": "leerlingnummer"})
    response = check_page(coordinator)
    assert response.context["class_form"].classes == ["OKAN"]
    coordinator.post(reverse("pupil_import_classes"), {"class_0": "1"})
    response = check_page(coordinator)
    assert response.context["summary"].created == 3
    school_a.refresh_from_db()
    assert school_a.roster_class_grades == {"okan": 1}


def test_remembered_mapping_is_prefilled(coordinator, school_a):
    school_a.roster_columns = {"first_name": "roepnaam", "last_name": "familienaam", "class_name": "klasgroep",
                               "internal_number": "stamnummer", "language": "thuistaal"}
    school_a.save()
    upload = csv_upload("1;Zoë;Peeters;5A;nl", header="Stamnummer;Roepnaam;Familienaam;Klasgroep;Thuistaal")
    coordinator.post(reverse("pupil_import"), {"file": upload, "preset": "generic"})

    response = coordinator.get(reverse("pupil_import_columns"))

    assert response.context["form"].initial == school_a.roster_columns
    assert '<option value="roepnaam" selected>' in response.content.decode()


def test_xlsx_upload_is_recognised_by_its_content(coordinator):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Leerlingnummer", "Voornaam", "Naam", "Klas"])
    workbook.active.append([1, "Zoë", "Peeters", "5A"])
    out = io.BytesIO()
    workbook.save(out)
    # Named .csv on purpose: the content decides.
    response = coordinator.post(reverse("pupil_import"), {"file": SimpleUploadedFile("export.csv", out.getvalue()),
                                                          "preset": "auto"})
    assert response.status_code == 302
    response = coordinator.get(reverse("pupil_import_columns"))
    assert response.context["form"].initial["first_name"] == "voornaam"


@pytest.mark.parametrize("content, message", [
    ("\r\n".join([HEADER, *ROWS]).encode("utf-16"), "the file is saved as UTF-16"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is not a text file"),
    (b"PK\x03\x04 not really a zip", "the Excel file cannot be read"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel format (.xls)"),
    (b"Leerlingnummer;Voornaam\r\n", "header line but no data rows"),
])
def test_upload_refuses_files_that_are_not_a_roster(coordinator, media, content, message):
    response = coordinator.post(reverse("pupil_import"), {"file": SimpleUploadedFile("leerlingen.csv", content),
                                                          "preset": "auto"})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert stored_uploads(media) == []


def test_upload_refuses_files_over_five_megabytes(coordinator):
    big = SimpleUploadedFile("big.csv", HEADER.encode() + b"\r\n" + b"1;a;b;5A;\r\n" * 500_000)
    assert big.size > 5 * 1024 * 1024
    response = coordinator.post(reverse("pupil_import"), {"file": big, "preset": "auto"})
    assert "the limit is 5 MB" in " ".join(response.context["form"].errors["file"])


def test_check_lists_every_bad_line_and_cannot_be_confirmed(coordinator):
    upload = csv_upload(ROWS[0], ROWS[0].replace(";5A;", ";5B;"), "1009;Jan;Claes;OKAN;", "1010;;X;5A;")
    coordinator.post(reverse("pupil_import"), {"file": upload, "preset": "generic"})
    mapping = {"first_name": "voornaam", "last_name": "naam", "class_name": "klas", "internal_number": "leerlingnummer"}
    coordinator.post(reverse("pupil_import_columns"), mapping)

    response = check_page(coordinator)

    page = response.content.decode()
    assert "The list has 3 problems; nothing will be imported." in page
    assert "line 3: pupil number 1001 already appears on line 2" in page
    assert "line 4: unknown class “OKAN”" in page
    assert "line 5: “voornaam” is empty" in page
    assert 'id="roster-confirm"' not in page
    pending_key = coordinator.session["roster_import"]["key"]
    response = coordinator.post(reverse("pupil_import_confirm"), {"key": pending_key, "fingerprint": "x", "leavers": 0})
    assert response["Location"] == reverse("pupil_import_check")
    assert Pupil.objects.count() == 0


def test_mapping_needs_required_fields_and_one_field_per_column(coordinator):
    coordinator.post(reverse("pupil_import"), {"file": csv_upload(*ROWS), "preset": "generic"})
    response = coordinator.post(reverse("pupil_import_columns"), {
        "first_name": "naam", "last_name": "naam", "class_name": "klas", "internal_number": ""})
    form = response.context["form"]
    assert "internal_number" in form.errors
    assert "chosen more than once: naam" in " ".join(form.non_field_errors())


def test_column_step_without_an_upload_goes_back_to_step_one(coordinator):
    response = coordinator.get(reverse("pupil_import_columns"))
    assert response["Location"] == reverse("pupil_import")


def test_another_schools_user_cannot_use_a_pending_upload(client, coordinator_a, coordinator_b, school_b):
    client.force_login(coordinator_a)
    client.post(reverse("pupil_import"), {"file": csv_upload(*ROWS), "preset": "generic"})
    # Same browser session, now working for school B (e.g. a user with a role that changed).
    coordinator_a.roles.update(school=school_b)
    response = client.get(reverse("pupil_import_columns"))
    assert response["Location"] == reverse("pupil_import")


# --- the pupil list ------------------------------------------------------------------------------


@pytest.fixture
def pupils(school_a):
    zoe = PupilFactory(school=school_a, first_name="Zoë", last_name="Peeters", class_name="5A", grade=5,
                       needs_device=True, internal_number="1001")
    jan = PupilFactory(school=school_a, first_name="Jan", last_name="Claes", class_name="3B", grade=3,
                       internal_number="1002")
    AgreementFactory(loan=LoanFactory(device__school=school_a, device__asset_tag="LAP-7", pupil=jan),
                     status=Agreement.Status.SENT)
    left = PupilFactory(school=school_a, first_name="Lies", last_name="Maes", class_name="5A", grade=5,
                        active=False, internal_number="1003")
    return {"zoe": zoe, "jan": jan, "left": left}


def listed(client, **params):
    response = client.get(reverse("pupil_list"), params)
    assert response.status_code == 200
    return [pupil.internal_number for pupil in response.context["page"]]


def test_list_shows_open_loan_and_agreement_status(coordinator, pupils, school_b):
    PupilFactory(school=school_b, first_name="Other", internal_number="1001")
    response = coordinator.get(reverse("pupil_list"))
    page = response.content.decode()
    assert [p.internal_number for p in response.context["page"]] == ["1002", "1001"]  # by class, then name
    assert "LAP-7" in page and "Waiting for signature" in page
    assert "Other" not in page and "Lies" not in page


@pytest.mark.parametrize("params, expected", [
    ({"class_name": "5A"}, ["1001"]),
    ({"grade": "3"}, ["1002"]),
    ({"needs_device": "yes"}, ["1001"]),
    ({"needs_device": "no"}, ["1002"]),
    ({"open_loan": "yes"}, ["1002"]),
    ({"open_loan": "no"}, ["1001"]),
    ({"q": "zoë"}, ["1001"]),
    ({"q": "1002"}, ["1002"]),
    ({"q": "jan peeters"}, []),
    ({"status": "left"}, ["1003"]),
    ({"status": "all", "class_name": "5A"}, ["1003", "1001"]),  # Maes before Peeters
])
def test_list_filters(coordinator, pupils, params, expected):
    assert listed(coordinator, **params) == expected


def test_returned_loans_do_not_count_as_open(coordinator, pupils, school_a):
    Loan.objects.filter(pupil=pupils["jan"]).update(status=Loan.Status.RETURNED, returned_at=timezone.now())
    assert listed(coordinator, open_loan="yes") == []


def test_list_pages_by_fifty(coordinator, school_a):
    PupilFactory.create_batch(120, school=school_a)
    assert len(listed(coordinator)) == 50
    assert len(listed(coordinator, page=3)) == 20
    page = coordinator.get(reverse("pupil_list"), {"grade": "5", "page": "2"}).content.decode()
    assert "grade=5&amp;page=3" in page or "page=3&amp;grade=5" in page  # paging keeps the filters


@pytest.mark.parametrize("count", [5, 200])
def test_list_runs_the_same_number_of_queries_at_any_size(coordinator, school_a, count,
                                                          django_assert_max_num_queries):
    households = HouseholdFactory.create_batch(3, school=school_a)
    for n in range(count):
        pupil = PupilFactory(school=school_a, household=households[n % 3], class_name=f"{1 + n % 6}A")
        if n % 2:
            AgreementFactory(loan=LoanFactory(device__school=school_a, pupil=pupil))
    with django_assert_max_num_queries(9):
        response = coordinator.get(reverse("pupil_list"), {"open_loan": "yes", "q": "kind"})
    assert response.status_code == 200 and len(response.context["page"]) == min(count // 2, 50)


# --- one pupil -----------------------------------------------------------------------------------


def test_pupil_page_shows_loans_household_and_siblings(coordinator, pupils, school_a, django_assert_max_num_queries):
    jan = pupils["jan"]
    household = jan.household
    household.preferred_language = "fr"
    household.save()
    GuardianFactory(household=household, name="Karin Claes", email="karin@example.be", phone="0470112233")
    sister = PupilFactory(school=school_a, household=household, first_name="Mira", last_name="Claes")
    old = LoanFactory(device__school=school_a, device__asset_tag="TAB-1", pupil=jan, status=Loan.Status.RETURNED,
                      returned_at=timezone.now())

    with django_assert_max_num_queries(10):
        response = coordinator.get(reverse("pupil_detail", kwargs={"pupil_id": jan.pk}))

    page = response.content.decode()
    assert response.status_code == 200
    assert "LAP-7" in page and "Waiting for signature" in page
    assert "TAB-1" in page and "Returned" in page and f'data-loan="{old.pk}"' in page
    assert "Karin Claes" in page and "karin@example.be" in page and "Français" in page
    assert reverse("pupil_detail", kwargs={"pupil_id": sister.pk}) in page
    assert "Zoë" not in page  # not a sibling


def test_coordinator_of_school_b_gets_404_on_a_pupil_of_school_a(client_as, coordinator_b, pupils):
    client = client_as(coordinator_b)
    assert client.get(reverse("pupil_detail", kwargs={"pupil_id": pupils["zoe"].pk})).status_code == 404
    assert pupils["zoe"].first_name not in client.get(reverse("pupil_list")).content.decode()


def test_lop_staff_and_anonymous_visitors_get_no_pupil_pages(client, lop_staff_a, pupils):
    assert client.get(reverse("pupil_list")).status_code == 302
    client.force_login(lop_staff_a)
    for name in ("pupil_list", "pupil_import", "pupil_import_columns", "pupil_import_check", "pupil_create"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("pupil_detail", kwargs={"pupil_id": pupils["zoe"].pk})).status_code == 403
    assert Household.objects.count() >= 1


def test_upload_without_a_file_says_so(coordinator):
    response = coordinator.post(reverse("pupil_import"), {})
    assert response.status_code == 200 and "file" in response.context["form"].errors


@pytest.mark.parametrize("size", [10, 400])
def test_the_check_page_runs_the_same_queries_at_any_size(coordinator, school_a, size, django_assert_max_num_queries):
    for n in range(size):
        PupilFactory(school=school_a, internal_number=str(5000 + n), grade=1 + n % 6, class_name=f"{1 + n % 6}A")
    rows = [f"{5000 + n};Kind{n};Gezin{n // 2};{1 + n % 6}B;ouder{n // 2}@example.be" for n in range(size)]
    coordinator.post(reverse("pupil_import"), {"file": csv_upload(*rows), "preset": "generic"})
    coordinator.post(reverse("pupil_import_columns"), {
        "first_name": "voornaam", "last_name": "naam", "class_name": "klas", "internal_number": "leerlingnummer",
        "guardian1_email": "e-mail ouder"})
    with django_assert_max_num_queries(14):
        response = coordinator.get(reverse("pupil_import_check"))
    assert response.context["summary"].updated == size


def test_rows_from_another_source_go_through_the_same_check_and_confirmation(client, coordinator_a, school_a, rf):
    """The entry point for the Smartschool sync: stash the rows, then the same pages as for a file."""
    from households.roster_pending import stash_rows
    from households.roster_rows import GuardianIn, RosterRow

    client.force_login(coordinator_a)
    client.cookies["django_language"] = "en"
    session = client.session
    request = rf.get("/")
    request.session, request.school = session, school_a
    stash_rows(request, [RosterRow(1, "3101", "Zoë", "Peeters", "L5A", guardians=(
        GuardianIn(first_name="An", last_name="Peeters", email="an@example.be", relation="Moeder"),))],
        label="Smartschool")
    session.save()

    response = check_page(client)
    assert response.context["summary"].created == 1 and "Smartschool" in response.content.decode()
    assert confirm(client, response)["Location"] == reverse("pupil_list")
    pupil = Pupil.objects.get(school=school_a)
    assert pupil.household.guardians.get().relation == "mother"
    assert AuditEvent.objects.get(action="pupils.roster_imported").after["source"] == "Smartschool"
