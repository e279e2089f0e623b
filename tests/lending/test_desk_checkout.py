"""Handing devices out at the desk: success and refusal side by side, double submits, races, speed."""
from datetime import date

import pytest
from django.utils import timezone

from lending import desk
from lending.due_dates import career_end, due_for_year_end, school_year_end
from lending.models import Agreement, Device, Loan
from portal.models import AuditEvent, School

from ..concurrency import race
from ..factories import DeviceFactory, LoanFactory, PupilFactory, SchoolFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _post(client, device, borrower, confirm=True, **extra):
    data = {"asset_tag": device.asset_tag.lower(), "borrower": borrower, "condition_out": "good",
            "accessories": ["charger"], **extra}
    if confirm:
        data["confirm"] = "1"
    return client.post("/desk/", data)


def test_checkout_hands_out_and_opens_an_agreement(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    pupil = PupilFactory(school=school_a, class_name="5B")
    client.force_login(coordinator_a)
    response = _post(client, device, f"pupil:{pupil.pk}", note="new sleeve")
    assert response.status_code == 302
    loan = Loan.objects.get(device=device)
    assert loan.pupil == pupil and loan.status == Loan.Status.ACTIVE and loan.handed_out_by == coordinator_a
    # 31 August is in the summer holiday: due on the first school day after it.
    assert loan.due_on == due_for_year_end(school=school_a, end=school_year_end(), today=timezone.localdate())
    assert loan.due_on.month == 9 and loan.due_on.weekday() < 5 and loan.accessories_out == ["charger"]
    device.refresh_from_db()
    assert device.status == Device.Status.ON_LOAN
    assert Agreement.objects.filter(loan=loan, status=Agreement.Status.DRAFT).count() == 1
    assert AuditEvent.objects.filter(action="loan.checked_out", object_id=str(loan.pk), actor=coordinator_a).exists()


def test_checkout_refuses_a_device_on_loan_and_names_only_the_class(coordinator_a, school_a, client):
    loan = LoanFactory(device__school=school_a, device__status=Device.Status.ON_LOAN,
                       pupil__class_name="6C", pupil__first_name="Yasmina")
    other = PupilFactory(school=school_a)
    client.force_login(coordinator_a)
    response = _post(client, loan.device, f"pupil:{other.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "6C" in page and "Yasmina" not in page
    assert Loan.objects.filter(device=loan.device).count() == 1


def test_staff_member_can_borrow_without_an_agreement(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    teacher = StaffMemberFactory(school=school_a)
    client.force_login(coordinator_a)
    assert _post(client, device, f"staff:{teacher.pk}").status_code == 302
    loan = Loan.objects.get(device=device)
    assert loan.staff_member == teacher and loan.pupil is None
    assert not Agreement.objects.filter(loan=loan).exists()


def test_without_confirmation_nothing_is_written_and_the_confirm_button_waits(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    pupil = PupilFactory(school=school_a)
    client.force_login(coordinator_a)
    response = _post(client, device, f"pupil:{pupil.pk}", confirm=False)
    assert response.status_code == 200
    assert 'id="confirm-button"' in response.content.decode()
    assert not Loan.objects.exists()


def test_typing_part_of_a_name_finds_the_one_pupil(coordinator_a, school_a, school_b, client):
    device = DeviceFactory(school=school_a)
    pupil = PupilFactory(school=school_a, first_name="Noor", last_name="Janssens")
    PupilFactory(school=school_b, first_name="Noor", last_name="Janssens")
    client.force_login(coordinator_a)
    response = client.post("/desk/", {"asset_tag": device.asset_tag, "q": "noor jan", "condition_out": "good"})
    assert response.context["ready"] is True
    assert response.context["form"].borrower_object == pupil


def test_a_double_submitted_form_makes_one_loan(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    pupil = PupilFactory(school=school_a, class_name="5A")
    client.force_login(coordinator_a)
    first = _post(client, device, f"pupil:{pupil.pk}")
    second = _post(client, device, f"pupil:{pupil.pk}")
    assert first.status_code == 302
    assert second.status_code == 200
    assert "5A" in second.content.decode()
    assert Loan.objects.filter(device=device).count() == 1
    assert Agreement.objects.filter(loan__device=device).count() == 1


def test_service_refuses_a_device_in_repair(school_a):
    device = DeviceFactory(school=school_a, status=Device.Status.IN_REPAIR)
    with pytest.raises(desk.DeviceNotAvailable):
        desk.loan_checkout(device=device, pupil=PupilFactory(school=school_a), by=None)
    assert not Loan.objects.exists()


def test_service_refuses_a_borrower_of_another_school(school_a, school_b):
    device = DeviceFactory(school=school_a)
    with pytest.raises(desk.DeskError):
        desk.loan_checkout(device=device, pupil=PupilFactory(school=school_b), by=None)


def test_career_policy_runs_to_the_end_of_primary(school_a):
    School.objects.filter(pk=school_a.pk).update(return_policy=School.ReturnPolicy.END_OF_CAREER)
    school_a.refresh_from_db()
    pupil = PupilFactory(school=school_a, grade=4)
    loan = desk.loan_checkout(device=DeviceFactory(school=school_a), pupil=pupil, by=None)
    assert loan.due_policy == Loan.DuePolicy.END_OF_CAREER
    end = school_year_end().replace(year=school_year_end().year + 2)
    assert loan.due_on == due_for_year_end(school=school_a, end=end, today=timezone.localdate())
    assert date(end.year, 9, 1) <= loan.due_on <= date(end.year, 9, 3)


def test_due_dates():
    assert school_year_end(date(2026, 9, 1)) == date(2027, 8, 31)
    assert school_year_end(date(2027, 8, 31)) == date(2027, 8, 31)
    assert career_end(grade=6, level="primary", today=date(2026, 11, 1)) == date(2027, 8, 31)
    assert career_end(grade=1, level="secondary", today=date(2026, 11, 1)) == date(2032, 8, 31)
    assert career_end(grade=7, level="secondary", today=date(2026, 11, 1)) == date(2027, 8, 31)


@pytest.mark.django_db(transaction=True)
def test_two_desks_racing_for_one_device_make_one_loan():
    school = SchoolFactory()
    device = DeviceFactory(school=school)
    pupils = [PupilFactory(school=school), PupilFactory(school=school)]
    user = UserFactory()

    def checkout(pupil):
        return lambda: desk.loan_checkout(device=device, pupil=pupil, by=user)

    outcomes = race(checkout(pupils[0]), checkout(pupils[1]), refused=desk.DeviceNotAvailable,
                    own_transaction=False)
    assert outcomes == ["created", "refused"]
    assert Loan.objects.filter(device=device, status=Loan.Status.ACTIVE).count() == 1
    assert Agreement.objects.filter(loan__device=device).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_constraint_catches_a_race_the_lock_missed():
    """Even when the status check is fooled (stale row), the partial unique index refuses."""
    school = SchoolFactory()
    loan = LoanFactory(device__school=school)  # open loan, but the device row still says available
    with pytest.raises(desk.DeviceNotAvailable):
        desk.loan_checkout(device=loan.device, pupil=PupilFactory(school=school), by=None)
    assert Loan.objects.filter(device=loan.device).count() == 1


@pytest.mark.parametrize("size", [2, 30])
def test_checkout_post_and_search_use_a_fixed_number_of_queries(size, coordinator_a, school_a, client,
                                                                 django_assert_max_num_queries):
    for _ in range(size):
        LoanFactory(device__school=school_a, device__status=Device.Status.ON_LOAN, pupil__first_name="Sam")
    PupilFactory.create_batch(size, school=school_a, first_name="Samira")
    StaffMemberFactory.create_batch(size, school=school_a, name="Sam Leraar")
    device = DeviceFactory(school=school_a)
    pupil = PupilFactory(school=school_a)
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(6):  # login and role, then one query for pupils and one for staff
        response = client.get("/desk/borrowers/", {"q": "sam"})
    assert response.status_code == 200
    # The school's first loan writes its terms version 1 and reads the calendar; after it, both come
    # from memory (portal/school_rules.py). Login and role (3), device and pupil (2), then the claim
    # of the device with the pupil's erasure lock in it, the three inserts and the transaction's
    # savepoint pair in tests.
    assert _post(client, DeviceFactory(school=school_a), f"pupil:{PupilFactory(school=school_a).pk}").status_code == 302
    with django_assert_max_num_queries(11):
        assert _post(client, device, f"pupil:{pupil.pk}").status_code == 302


def test_search_is_scoped_and_bounded(coordinator_a, school_a, school_b, client):
    PupilFactory.create_batch(15, school=school_a, first_name="Lina")
    PupilFactory(school=school_b, first_name="Lina", last_name="Anderschool")
    client.force_login(coordinator_a)
    response = client.get("/desk/borrowers/", {"q": "lina"})
    page = response.content.decode()
    assert page.count('type="radio"') == 10
    assert "Anderschool" not in page


def test_without_javascript_each_enter_moves_one_step(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    first = PupilFactory(school=school_a, first_name="Amir", class_name="6B")
    PupilFactory(school=school_a, first_name="Bo", class_name="6B")
    client.force_login(coordinator_a)
    scanned = client.post("/desk/", {"asset_tag": device.asset_tag, "condition_out": "good"})
    assert scanned.context["focus"] == "q" and not scanned.context["form"].errors
    several = client.post("/desk/", {"asset_tag": device.asset_tag, "q": "6b", "condition_out": "good"})
    assert several.context["focus"] == "borrower" and len(several.context["form"].candidates) == 2
    assert several.content.decode().count('name="borrower"') == 2
    chosen = client.post("/desk/", {"asset_tag": device.asset_tag, "q": "6b", "searched": "6b",
                                    "borrower": f"pupil:{first.pk}", "condition_out": "good"})
    assert chosen.context["ready"] and chosen.context["focus"] == "confirm"
    assert not Loan.objects.exists()


def test_a_due_date_in_the_past_is_refused(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    pupil = PupilFactory(school=school_a)
    client.force_login(coordinator_a)
    response = _post(client, device, f"pupil:{pupil.pk}", due_on="2020-08-31")
    assert response.status_code == 200 and "due_on" in response.context["form"].errors
    assert not Loan.objects.exists()
