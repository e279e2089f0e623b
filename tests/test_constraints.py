"""The database itself refuses a second open loan and a duplicate asset tag."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lending.models import Device, Loan

from .concurrency import race
from .factories import DeviceFactory, LoanFactory, PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_asset_tag_is_unique_within_a_school(school_a):
    DeviceFactory(school=school_a, asset_tag="LT-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(school=school_a, asset_tag="lt-001", funding_source="digisprong")


def test_same_asset_tag_is_fine_in_another_school(school_a, school_b):
    DeviceFactory(school=school_a, asset_tag="LT-001")
    DeviceFactory(school=school_b, asset_tag="LT-001")
    assert Device.objects.filter(asset_tag="LT-001").count() == 2


def test_a_device_cannot_be_on_two_open_loans(school_a):
    loan = LoanFactory(device__school=school_a)
    other_pupil = PupilFactory(school=school_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(device=loan.device, pupil=other_pupil, due_policy="school_year", due_on=loan.due_on)


def test_a_returned_device_can_be_lent_again(school_a):
    loan = LoanFactory(device__school=school_a)
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.RETURNED, returned_at=timezone.now())
    again = Loan.objects.create(
        device=loan.device, pupil=PupilFactory(school=school_a), due_policy="school_year", due_on=loan.due_on
    )
    assert again.pk != loan.pk
    assert Loan.objects.filter(device=loan.device).count() == 2


def test_a_loan_has_exactly_one_borrower(school_a):
    device = DeviceFactory(school=school_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(device=device, due_policy="school_year", due_on=timezone.localdate())


def test_a_closed_loan_needs_a_return_time(school_a):
    loan = LoanFactory(device__school=school_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.RETURNED)


@pytest.mark.django_db(transaction=True)
def test_two_transactions_racing_for_one_device_make_one_loan():
    school = SchoolFactory()
    device = DeviceFactory(school=school)
    pupils = [PupilFactory(school=school), PupilFactory(school=school)]

    def checkout(pupil):
        return lambda: Loan.objects.create(device=device, pupil=pupil, due_policy="school_year",
                                           due_on=timezone.localdate())

    assert race(checkout(pupils[0]), checkout(pupils[1])) == ["created", "refused"]
    assert Loan.objects.filter(device=device, status=Loan.Status.ACTIVE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_transactions_racing_for_one_asset_tag_make_one_device():
    school = SchoolFactory()

    def register():
        Device.objects.create(school=school, asset_tag="RACE-1", funding_source="digisprong")

    assert race(register, register) == ["created", "refused"]
    assert Device.objects.filter(school=school, asset_tag="RACE-1").count() == 1
