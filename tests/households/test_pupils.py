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


def csv_upload(*rows, header=HEADER, name="leerlingen.csv", encoding="cp1252"):
    return SimpleUploadedFile(name, ("\r\n".join([header, *rows]) + "\r\n").encode(encoding), "text/csv")


def stored_uploads(media):
    folder = Path(media) / "roster-imports"
    return list(folder.iterdir()) if folder.exists() else []


# --- the roster import ---------------------------------------------------------------------------


def test_three_step_import(coordinator, school_a, coordinator_a, media):
    PupilFactory(school=school_a, internal_number="0500", first_name="Leaver")
    assert coordinator.get(reverse("pupil_import")).status_code == 200

    # Step 1: upload; the file waits on disk, and the column page offers the file's own header.
    response = coordinator.post(reverse("pupil_import"), {"file": csv_upload(*ROWS)})
    assert response.status_code == 302 and response["Location"] == reverse("pupil_import_columns")
    assert len(stored_uploads(media)) == 1
    response = coordinator.get(reverse("pupil_import_columns"))
    form = response.context["form"]
    assert [value for value, _label in form.fields["first_name"].choices] == [
        "", "leerlingnummer", "voornaam", "naam", "klas", "e-mail ouder"]
    # The usual names are suggested when the school has no remembered mapping yet.
    assert form.initial == {"first_name": "voornaam", "last_name": "naam", "class_name": "klas",
                            "internal_number": "leerlingnummer", "guardian_email": "e-mail ouder"}

    # Step 2: the check shows the counts and writes nothing.
    mapping = {**form.initial, "grade": "", "household_key": ""}
    response = coordinator.post(reverse("pupil_import_columns"), mapping)
    assert response.status_code == 200
    assert response.context["summary"].created == 3 and response.context["summary"].deactivated == 1
    page = response.content.decode()
    assert "3 new pupils" in page and "1 pupil not in the file: marked as left" in page
    assert 'id="roster-confirm"' in page
    assert Pupil.objects.count() == 1

    # Step 3: confirm.
    response = coordinator.post(reverse("pupil_import_confirm"))
    assert response.status_code == 302 and response["Location"] == reverse("pupil_list")
    assert set(Pupil.objects.filter(active=True).values_list("internal_number", flat=True)) == {"1001", "1002", "1003"}
    assert not Pupil.objects.get(internal_number="0500").active
    zoe, noel = Pupil.objects.get(internal_number="1001"), Pupil.objects.get(internal_number="1002")
    assert zoe.household_id == noel.household_id
    school_a.refresh_from_db()
    assert school_a.roster_columns == form.initial
    assert AuditEvent.objects.get(action="pupils.roster_imported").actor == coordinator_a
    assert stored_uploads(media) == []  # the uploaded file is removed after the import
    assert "pupils created: 3, updated: 0, unchanged: 0, marked as left: 1" in coordinator.get(
        reverse("pupil_list")).content.decode()

    # The pending upload is gone: confirming again imports nothing and goes back to step 1.
    response = coordinator.post(reverse("pupil_import_confirm"))
    assert response["Location"] == reverse("pupil_import")


def test_remembered_mapping_is_prefilled(coordinator, school_a):
    school_a.roster_columns = {"first_name": "roepnaam", "last_name": "familienaam", "class_name": "klasgroep",
                               "internal_number": "stamnummer", "language": "thuistaal"}
    school_a.save()
    upload = csv_upload("1;Zoë;Peeters;5A;nl", header="Stamnummer;Roepnaam;Familienaam;Klasgroep;Thuistaal")
    coordinator.post(reverse("pupil_import"), {"file": upload})

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
    response = coordinator.post(reverse("pupil_import"), {"file": SimpleUploadedFile("export.csv", out.getvalue())})
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
    response = coordinator.post(reverse("pupil_import"), {"file": SimpleUploadedFile("leerlingen.csv", content)})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert stored_uploads(media) == []


def test_upload_refuses_files_over_five_megabytes(coordinator):
    big = SimpleUploadedFile("big.csv", HEADER.encode() + b"\r\n" + b"1;a;b;5A;\r\n" * 500_000)
    assert big.size > 5 * 1024 * 1024
    response = coordinator.post(reverse("pupil_import"), {"file": big})
    assert "the limit is 5 MB" in " ".join(response.context["form"].errors["file"])


def test_check_lists_every_bad_line_and_cannot_be_confirmed(coordinator):
    upload = csv_upload(ROWS[0], ROWS[0], "1009;Jan;Claes;OKAN;", "1010;;X;5A;")
    coordinator.post(reverse("pupil_import"), {"file": upload})
    mapping = {"first_name": "voornaam", "last_name": "naam", "class_name": "klas", "internal_number": "leerlingnummer"}

    response = coordinator.post(reverse("pupil_import_columns"), mapping)

    page = response.content.decode()
    assert "The file has 3 problems; nothing will be imported." in page
    assert "line 3: pupil number 1001 already appears on line 2" in page
    assert "line 4: unknown class “OKAN”" in page
    assert "line 5: “voornaam” is empty" in page
    assert 'id="roster-confirm"' not in page
    response = coordinator.post(reverse("pupil_import_confirm"))
    assert response["Location"] == reverse("pupil_import_columns")
    assert Pupil.objects.count() == 0


def test_mapping_needs_required_fields_and_one_field_per_column(coordinator):
    coordinator.post(reverse("pupil_import"), {"file": csv_upload(*ROWS)})
    response = coordinator.post(reverse("pupil_import_columns"), {
        "first_name": "naam", "last_name": "naam", "class_name": "klas", "internal_number": ""})
    form = response.context["form"]
    assert "internal_number" in form.errors
    assert "chosen more than once: naam" in " ".join(form.non_field_errors())
    assert "summary" not in response.context


def test_column_step_without_an_upload_goes_back_to_step_one(coordinator):
    response = coordinator.get(reverse("pupil_import_columns"))
    assert response["Location"] == reverse("pupil_import")


def test_another_schools_user_cannot_use_a_pending_upload(client, coordinator_a, coordinator_b, school_b):
    client.force_login(coordinator_a)
    client.post(reverse("pupil_import"), {"file": csv_upload(*ROWS)})
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
    for name in ("pupil_list", "pupil_import", "pupil_import_columns", "pupil_import_confirm"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("pupil_detail", kwargs={"pupil_id": pupils["zoe"].pk})).status_code == 403
    assert Household.objects.count() >= 1


def test_upload_without_a_file_says_so(coordinator):
    response = coordinator.post(reverse("pupil_import"), {})
    assert response.status_code == 200 and "file" in response.context["form"].errors
