"""The desk over a school year: leavers, hand-overs between schools, stocktakes, the calendar, adults."""
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from households.models import Pupil
from lending import desk
from lending.models import Agreement, Device, Loan, Stocktake, StocktakeScan, Transfer
from portal.models import AuditEvent, SchoolClosure
from portal.school_calendar import calendar_for, flemish_holidays
from reminders import digest

from ..factories import AgreementFactory, DeviceFactory, GuardianFactory, LoanFactory, PupilFactory

pytestmark = pytest.mark.django_db


def _open_loan(school, **pupil):
    return LoanFactory(device__school=school, device__status=Device.Status.ON_LOAN, pupil__school=school,
                       **{f"pupil__{key}": value for key, value in pupil.items()})


# --- leavers ---------------------------------------------------------------------------------------


def test_a_pupil_marked_as_left_by_hand_shows_on_the_worklist_with_the_days_since(coordinator_a, school_a, client):
    loan = _open_loan(school_a, first_name="Ayoub")
    still = _open_loan(school_a)
    client.force_login(coordinator_a)
    left_on = timezone.localdate() - timedelta(days=9)
    assert client.post(f"/pupils/{loan.pupil.pk}/left/", {"left_on": left_on.isoformat()}).status_code == 302
    assert AuditEvent.objects.filter(action="pupil.marked_left", object_id=str(loan.pupil.pk)).exists()
    page = client.get("/desk/leavers/")
    rows = page.context["loans"]
    assert [row.pk for row in rows] == [loan.pk] and still.pk not in [row.pk for row in rows]
    assert rows[0].days_gone == 9 and 0 < rows[0].school_days_gone <= 9
    body = page.content.decode()
    assert f"/desk/checkin/?tag={loan.device.asset_tag}" in body and f"/desk/loans/{loan.pk}/hand-over/" in body
    # "It came back": the check-in page opens with the device scanned.
    assert client.get(f"/desk/checkin/?tag={loan.device.asset_tag}").context["loan"] == loan


def test_leavers_reach_the_digest_only_after_the_grace_of_school_days(school_a, coordinator_a):
    loan = _open_loan(school_a)
    today = date(2026, 3, 10)  # a Tuesday outside holidays
    Pupil.objects.filter(pk=loan.pupil.pk).update(active=False, left_on=today - timedelta(days=5))  # 4 school days
    assert digest.digest_for(school_a, today)["leavers"]["count"] == 0
    assert school_a.pk not in digest.schools_with_news(today)
    later = today + timedelta(days=3)  # now 6 school days
    assert digest.digest_for(school_a, later)["leavers"] == {"count": 1, "tags": [loan.device.asset_tag], "more": 0}
    assert school_a.pk in digest.schools_with_news(later)
    with override_settings(LEAVER_GRACE_SCHOOL_DAYS=10):
        assert digest.digest_for(school_a, later)["leavers"]["count"] == 0


@pytest.mark.parametrize("size", [2, 20])
def test_leavers_worklist_queries_are_bounded(size, coordinator_a, school_a, client, django_assert_max_num_queries):
    for n in range(size):
        loan = _open_loan(school_a)
        Pupil.objects.filter(pk=loan.pupil.pk).update(active=False, left_on=timezone.localdate() - timedelta(days=n))
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(6):  # session, user, role, loans, the calendar
        assert len(client.get("/desk/leavers/").context["loans"]) == size


# --- hand-overs ------------------------------------------------------------------------------------


def test_a_leaver_is_handed_over_to_another_school_which_sees_the_device_and_never_the_family(
        coordinator_a, coordinator_b, school_a, school_b, client):
    loan = _open_loan(school_a, first_name="Noor", last_name="Vermeulen")
    loan.device.make_model = "Lenovo 300e"
    loan.device.save()
    agreement = AgreementFactory(loan=loan, status=Agreement.Status.SENT)
    client.force_login(coordinator_a)
    refused = client.post(f"/desk/loans/{loan.pk}/hand-over/", {"school_number": school_a.instellingsnummer})
    assert refused.status_code == 200 and refused.context["form"].errors
    response = client.post(f"/desk/loans/{loan.pk}/hand-over/", {"school_number": school_b.instellingsnummer,
                                                                 "note": "5de leerjaar"})
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    loan.refresh_from_db()
    agreement.refresh_from_db()
    assert loan.status == Loan.Status.TRANSFERRED and agreement.status == Agreement.Status.ENDED
    assert Device.objects.get(pk=loan.device_id).status == Device.Status.RETIRED

    client.force_login(coordinator_b)
    page = client.get("/desk/transfers/").content.decode()
    assert loan.device.asset_tag in page and "Lenovo 300e" in page and "5de leerjaar" in page
    assert "Noor" not in page and "Vermeulen" not in page  # nothing of the family crosses
    accept = client.get(f"/desk/transfers/{transfer.pk}/accept/").content.decode()
    assert "Noor" not in accept and "Vermeulen" not in accept
    assert client.post(f"/desk/transfers/{transfer.pk}/accept/", {"asset_tag": "NEW-001"}).status_code == 302
    new = Device.objects.get(school=school_b, asset_tag="NEW-001")
    assert new.make_model == "Lenovo 300e" and new.status == Device.Status.AVAILABLE
    assert not Loan.objects.filter(device=new).exists()  # lent at the desk, with the new school's agreement
    assert AuditEvent.objects.filter(action="transfer.accepted", school=school_a).exists()
    assert AuditEvent.objects.filter(action="transfer.accepted", school=school_b).exists()
    # Handled once: a second accept is a 404 (no longer waiting).
    assert client.post(f"/desk/transfers/{transfer.pk}/accept/", {"asset_tag": "NEW-002"}).status_code == 404


def test_a_school_without_a_coordinator_is_not_on_the_portal(coordinator_a, school_a, client, english):
    from ..factories import SchoolFactory

    elsewhere = SchoolFactory(name="Nog niet op het portaal")
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    response = client.post(f"/desk/loans/{loan.pk}/hand-over/", {"school_number": elsewhere.instellingsnummer})
    assert "does not use the portal yet" in str(response.context["form"].errors)
    assert not Transfer.objects.exists()


def test_the_new_school_can_send_the_device_back(coordinator_a, coordinator_b, school_a, school_b, client):
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    client.post(f"/desk/loans/{loan.pk}/hand-over/", {"school_number": school_b.instellingsnummer})
    transfer = Transfer.objects.get()
    client.force_login(coordinator_b)
    assert client.post(f"/desk/transfers/{transfer.pk}/decline/").status_code == 302
    assert Device.objects.get(pk=loan.device_id).status == Device.Status.AVAILABLE
    assert Transfer.objects.get().status == Transfer.Status.DECLINED


# --- stocktake -------------------------------------------------------------------------------------


def test_a_stocktake_finds_the_device_that_is_missing(coordinator_a, school_a, client):
    here = [DeviceFactory(school=school_a, asset_tag=f"LT-{n}") for n in range(3)]
    gone = DeviceFactory(school=school_a, asset_tag="LT-GONE")
    on_loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    start = client.post("/desk/stocktake/")
    count = Stocktake.objects.get()
    assert start["Location"] == f"/desk/stocktake/{count.pk}/"
    assert client.post("/desk/stocktake/").status_code == 302 and Stocktake.objects.count() == 1  # double click
    for device in here:
        client.post(f"/desk/stocktake/{count.pk}/", {"asset_tag": device.asset_tag.lower()})
    client.post(f"/desk/stocktake/{count.pk}/", {"asset_tag": here[0].asset_tag})  # scanned twice counts once
    unknown = client.post(f"/desk/stocktake/{count.pk}/", {"asset_tag": "NOPE"})
    assert unknown.status_code == 200 and unknown.context["form"].errors
    result = client.get(f"/desk/stocktake/{count.pk}/").context["result"]
    assert result["scanned"] == 3 and result["missing_count"] == 1 and result["missing"] == [gone]
    assert on_loan.device not in result["missing"]
    assert client.post(f"/desk/stocktake/{count.pk}/close/").status_code == 302
    count.refresh_from_db()
    assert count.closed_at and count.summary["missing"] == 1 and count.summary["missing_tags"] == ["LT-GONE"]
    assert AuditEvent.objects.filter(action="stocktake.closed", object_id=str(count.pk)).exists()
    report = client.get("/desk/stocktake/devices/")
    counted = {device.asset_tag: device.last_counted for device in report.context["page"]}
    assert counted["LT-GONE"] is None and counted["LT-0"] is not None


@pytest.mark.parametrize("size", [3, 30])
def test_stocktake_pages_have_bounded_queries(size, coordinator_a, school_a, client, django_assert_max_num_queries):
    count = Stocktake.objects.create(school=school_a)
    for device in DeviceFactory.create_batch(size, school=school_a):
        StocktakeScan.objects.create(stocktake=count, device=device)
    DeviceFactory.create_batch(size, school=school_a)
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(8):
        assert client.get(f"/desk/stocktake/{count.pk}/").context["result"]["missing_count"] == size
    with django_assert_max_num_queries(7):
        client.get("/desk/stocktake/devices/")
    with django_assert_max_num_queries(6):
        client.get("/desk/transfers/")
    with django_assert_max_num_queries(6):
        client.get("/desk/stocktake/")


# --- the calendar ----------------------------------------------------------------------------------


def test_flemish_holidays_follow_the_rules(english):
    holidays = {name: (start, end) for name, start, end in flemish_holidays(2025)}
    assert holidays["Autumn holiday"] == (date(2025, 10, 27), date(2025, 11, 2))
    assert holidays["Christmas holiday"] == (date(2025, 12, 22), date(2026, 1, 4))
    assert holidays["Carnival holiday"] == (date(2026, 2, 16), date(2026, 2, 22))
    assert holidays["Easter holiday"] == (date(2026, 4, 6), date(2026, 4, 19))
    assert holidays["Ascension Day"] == (date(2026, 5, 14), date(2026, 5, 15))
    assert holidays["Whit Monday"] == (date(2026, 5, 25), date(2026, 5, 25))
    assert holidays["Summer holiday"] == (date(2026, 7, 1), date(2026, 8, 31))
    # Easter after 15 April (2025: 20 April): from the 2nd Monday before Easter, plus Easter Monday.
    late = {name: (start, end) for name, start, end in flemish_holidays(2024)}
    assert late["Easter holiday"] == (date(2025, 4, 7), date(2025, 4, 21))


def test_the_director_edits_the_calendar_and_due_dates_follow_it(director_a, coordinator_a, school_a, client):
    client.force_login(director_a)
    assert client.post("/school/calendar/fill/?year=2026").status_code == 302
    assert SchoolClosure.objects.filter(school=school_a).count() == len(flemish_holidays(2026))
    client.post("/school/calendar/", {"name": "Studiedag", "starts_on": "2027-09-01", "ends_on": "2027-09-01",
                                      "kind": "closed"})
    assert AuditEvent.objects.filter(action="calendar.changed", school=school_a).count() == 2
    # 31 August 2027 is in the summer holiday, 1 September a closed day: due on Thursday 2 September.
    with time_machine.travel(date(2026, 11, 2), tick=False):
        due = desk.loan_checkout(device=DeviceFactory(school=school_a), pupil=PupilFactory(school=school_a), by=None)
    assert due.due_on == date(2027, 9, 2)
    # Devices back before the summer: two school days before it starts (Thursday 1 July 2027).
    client.post("/school/calendar/summer/", {"days_before": "2"})
    school_a.refresh_from_db()
    cal = calendar_for(school_a, date(2026, 9, 1))
    assert cal.summer_start(2026) == date(2027, 7, 1)
    from lending.due_dates import due_for_year_end

    assert due_for_year_end(school=school_a, end=date(2027, 8, 31), today=date(2026, 11, 2)) == date(2027, 6, 28)
    # The coordinator reads the calendar but cannot change it.
    client.force_login(coordinator_a)
    assert client.get("/school/calendar/").status_code == 200
    assert client.post("/school/calendar/fill/").status_code == 403


def test_a_due_date_typed_at_the_desk_on_a_closed_day_is_refused(coordinator_a, school_a, client, english):
    from lending.due_dates import closed_day_message

    christmas = date(2026, 12, 28)
    assert "Christmas holiday" in closed_day_message(school_a, christmas)
    assert closed_day_message(school_a, date(2027, 1, 4)) is None
    client.force_login(coordinator_a)
    with time_machine.travel(date(2026, 11, 2), tick=False):
        response = client.post("/desk/", {"asset_tag": DeviceFactory(school=school_a).asset_tag,
                                          "borrower": f"pupil:{PupilFactory(school=school_a).pk}",
                                          "condition_out": "good", "due_on": "2026-12-28", "confirm": "1"})
    assert response.status_code == 200 and "due_on" in response.context["form"].errors
    assert not Loan.objects.exists()


# --- pupils of 18 and over -------------------------------------------------------------------------


def test_an_adult_pupil_signs_the_agreement_and_the_texts_say_so(coordinator_a, school_a, client,
                                                                 django_capture_on_commit_callbacks):
    adult = PupilFactory(school=school_a, first_name="Yasmine", date_of_birth=date(2000, 1, 1), grade=7)
    minor = PupilFactory(school=school_a, date_of_birth=timezone.localdate() - timedelta(days=365 * 15))
    GuardianFactory(household=adult.household, email="thuis@example.org")
    adult.household.preferred_language = "en"
    adult.household.save()
    grown = desk.loan_checkout(device=DeviceFactory(school=school_a), pupil=adult, by=coordinator_a)
    young = desk.loan_checkout(device=DeviceFactory(school=school_a), pupil=minor, by=coordinator_a)
    assert grown.agreements.get().signer == Agreement.Signer.PUPIL
    assert young.agreements.get().signer == Agreement.Signer.GUARDIAN
    from lending import agreements, pdf

    text = pdf.render_text(grown.agreements.get(), "en")
    assert "Yasmine Peeters is 18 or older and signs this agreement" in text
    with django_capture_on_commit_callbacks(execute=True):
        agreements.agreement_send(agreement=grown.agreements.get(), by=coordinator_a, base_url="http://portal.test/")
    assert "Yasmine Peeters is 18 or older" in mail.outbox[-1].body


def test_the_due_date_goes_along_as_a_calendar_file(coordinator_a, school_a, django_capture_on_commit_callbacks):
    import icalendar

    from lending import agreements

    loan = _open_loan(school_a)
    GuardianFactory(household=loan.pupil.household, email="ouder@example.org")
    agreement = AgreementFactory(loan=loan)
    with django_capture_on_commit_callbacks(execute=True):
        agreements.agreement_send(agreement=agreement, by=coordinator_a, base_url="http://portal.test/")
    (name, data, mimetype), = mail.outbox[-1].attachments
    assert name == "due-date.ics" and mimetype.startswith("text/calendar")
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == loan.due_on and loan.device.asset_tag in str(event.get("summary"))


def test_the_roster_reads_an_optional_date_of_birth(coordinator_a, school_a):
    from households.roster import import_roster

    csv = ("voornaam;naam;klas;leerlingnummer;geboortedatum\n"
           "Yasmine;Benali;6B;100;14/03/2008\nLars;Peeters;6B;101;\n").encode()
    columns = {"first_name": "voornaam", "last_name": "naam", "class_name": "klas", "internal_number": "leerlingnummer",
               "date_of_birth": "geboortedatum"}
    import_roster(school=school_a, data=csv, filename="lijst.csv", columns=columns, by=coordinator_a)
    assert Pupil.objects.get(internal_number="100").date_of_birth == date(2008, 3, 14)
    assert Pupil.objects.get(internal_number="101").date_of_birth is None
    from portal.csvfiles import ImportRejected

    with pytest.raises(ImportRejected) as rejected:
        import_roster(school=school_a, data=csv.replace(b"14/03/2008", b"veertien maart"), filename="x.csv",
                      columns=columns, by=coordinator_a)
    assert [error.line for error in rejected.value.errors] == [2]


def test_nobody_can_reach_the_year_pages_of_another_school_by_id(coordinator_b, school_a, client):
    count = Stocktake.objects.create(school=school_a)
    client.force_login(coordinator_b)
    assert client.get(f"/desk/stocktake/{count.pk}/").status_code == 404
    assert client.post(f"/desk/stocktake/{count.pk}/", {"asset_tag": "X"}).status_code == 404
    assert not StocktakeScan.objects.exists()


@pytest.mark.parametrize("size", [2, 25])
def test_the_calendar_and_checkin_pages_have_bounded_queries(size, director_a, coordinator_a, school_a, client,
                                                            django_assert_max_num_queries):
    start = date(2026, 9, 7)
    SchoolClosure.objects.bulk_create([SchoolClosure(school=school_a, starts_on=start + timedelta(days=7 * n),
                                                     ends_on=start + timedelta(days=7 * n), name=f"Studiedag {n}")
                                       for n in range(size)])
    for _ in range(size):
        desk.loan_checkin(loan=_open_loan(school_a), by=coordinator_a, condition_in="good")
    client.force_login(director_a)
    with django_assert_max_num_queries(8):
        assert len(client.get("/school/calendar/?year=2026").context["periods"]) == size
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(7):
        assert client.get("/desk/checkin/").context["last"] is not None
