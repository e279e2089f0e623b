"""Hand-out day through HTTP: the queue, one scan and one confirmation per pupil."""
import pytest

from lending.models import Device, Loan

from ..factories import DeviceFactory, LoanFactory, PupilFactory

pytestmark = pytest.mark.django_db


def test_queue_lists_flagged_pupils_without_a_loan_in_class_order(coordinator_a, school_a, school_b, client):
    later = PupilFactory(school=school_a, needs_device=True, class_name="6A")
    first = PupilFactory(school=school_a, needs_device=True, class_name="5A")
    LoanFactory(device__school=school_a, pupil__needs_device=True, pupil__class_name="4A")
    PupilFactory(school=school_a, needs_device=True, class_name="3A", active=False)
    PupilFactory(school=school_a, needs_device=False, class_name="3B")
    PupilFactory(school=school_b, needs_device=True, class_name="1A")
    client.force_login(coordinator_a)
    response = client.get("/desk/handout/")
    assert [pupil.pk for pupil in response.context["queue"]] == [first.pk, later.pk]
    assert response.context["pupil"] == first
    assert 'autofocus' in response.content.decode().split('name="asset_tag"')[1].split(">")[0]


def test_scan_confirm_then_the_next_pupil_is_up(coordinator_a, school_a, client):
    first = PupilFactory(school=school_a, needs_device=True, class_name="5A")
    second = PupilFactory(school=school_a, needs_device=True, class_name="5B")
    device = DeviceFactory(school=school_a, asset_tag="LT-0001")
    client.force_login(coordinator_a)
    scanned = client.post("/desk/handout/", {"asset_tag": "lt-0001", "borrower": f"pupil:{first.pk}",
                                             "condition_out": "good"})
    assert scanned.context["ready"] and not Loan.objects.exists()
    confirmed = client.post("/desk/handout/", {"asset_tag": "lt-0001", "borrower": f"pupil:{first.pk}",
                                               "condition_out": "good", "confirm": "1"}, follow=True)
    assert Loan.objects.get(device=device).pupil == first
    assert Device.objects.get(pk=device.pk).status == Device.Status.ON_LOAN
    assert confirmed.context["pupil"] == second


def test_handout_refuses_a_device_on_loan_and_keeps_the_pupil_up(coordinator_a, school_a, client):
    pupil = PupilFactory(school=school_a, needs_device=True)
    loan = LoanFactory(device__school=school_a, device__status=Device.Status.ON_LOAN)
    client.force_login(coordinator_a)
    response = client.post("/desk/handout/", {"asset_tag": loan.device.asset_tag, "borrower": f"pupil:{pupil.pk}",
                                              "condition_out": "good", "confirm": "1"})
    assert response.status_code == 200 and response.context["pupil"] == pupil
    assert Loan.objects.count() == 1
