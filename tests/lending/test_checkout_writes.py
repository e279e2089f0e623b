"""A checkout makes its writes and nothing more (issue 17, point 10): the terms and the calendar
come from memory under the school's rules stamp, the erasure lock rides on the device's claim.
Every change to terms or closed days must reach the next checkout at once."""
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from households.models import Pupil
from lending import desk
from lending.agreements import terms_save
from lending.models import Agreement, AgreementTerms, Device, Loan
from lending.terms import current_terms
from portal import school_calendar
from portal.models import School, SchoolClosure

from ..factories import DeviceFactory, PupilFactory

pytestmark = pytest.mark.django_db


def _erased():
    return gettext("This pupil's data was erased. Add the pupil again to lend a device.")


def _checkout(school_id, **kwargs):
    """As a request makes it: the school row read anew, the device and pupil loaded by the form."""
    school = School.objects.get(pk=school_id)
    device = DeviceFactory(school=school)
    pupil = PupilFactory(school=school)
    device.school = school
    return desk.loan_checkout(device=device, pupil=pupil, by=None, **kwargs)


def _statements(captured):
    return [query["sql"] for query in captured.captured_queries
            if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]


def test_a_checkout_sends_its_four_writes_and_no_read(school_a):
    _checkout(school_a.pk)  # the school's first loan writes its terms version 1
    school = School.objects.get(pk=school_a.pk)
    device, pupil = DeviceFactory(school=school), PupilFactory(school=school)
    device.school = school
    with CaptureQueriesContext(connection) as captured:
        loan = desk.loan_checkout(device=device, pupil=pupil, by=None)
    statements = _statements(captured)
    assert [sql.split()[0] for sql in statements] == ["UPDATE", "INSERT", "INSERT", "INSERT"], statements
    claim = statements[0]
    assert "lending_device" in claim and "households_pupil" in claim and "anonymised_at" in claim
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in claim
    assert Agreement.objects.get(loan=loan).terms == AgreementTerms.objects.get(school=school, version=1)


def test_new_terms_reach_the_next_checkout_at_once(school_a, director_a):
    first = _checkout(school_a.pk)
    # The director's request has its own school object; the desk's next request reads the row anew.
    terms_save(school=School.objects.get(pk=school_a.pk), data={"deposit": Decimal("20.00")}, by=director_a,
               acknowledged=True)
    second = _checkout(school_a.pk)
    assert (first.agreements.get().terms.version, second.agreements.get().terms.version) == (1, 2)
    assert second.agreements.get().deposit == Decimal("20.00")
    # Written around the service (the admin site): the save signal moves the stamp all the same.
    AgreementTerms.objects.create(school_id=school_a.pk, version=3, deposit=Decimal("5.00"))
    assert _checkout(school_a.pk).agreements.get().terms.version == 3


def _a_weekday_after(day):
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_every_change_of_closed_days_reaches_the_next_due_date_at_once(school_a, director_a):
    due = _checkout(school_a.pk).due_on
    school_calendar.closure_add(school=School.objects.get(pk=school_a.pk), starts_on=due, ends_on=due,
                                kind=SchoolClosure.Kind.CLOSED, name="Pedagogische studiedag", by=director_a)
    moved = _checkout(school_a.pk).due_on
    assert moved == _a_weekday_after(due)
    closure = SchoolClosure.objects.get(school=school_a, name="Pedagogische studiedag")
    school_calendar.closure_delete(closure=closure, by=director_a)
    assert _checkout(school_a.pk).due_on == due
    # Bulk writes send no save signals: the fill moves the stamp itself, a queryset delete signals per row.
    SchoolClosure.objects.create(school_id=school_a.pk, starts_on=due, ends_on=due, name="Dicht")
    assert _checkout(school_a.pk).due_on == moved
    SchoolClosure.objects.filter(school_id=school_a.pk).delete()
    assert _checkout(school_a.pk).due_on == due
    before = School.objects.get(pk=school_a.pk).rules_stamp
    added = school_calendar.flemish_holidays_fill(school=School.objects.get(pk=school_a.pk),
                                                  start_year=due.year - 1 if due.month < 9 else due.year, by=director_a)
    assert added and School.objects.get(pk=school_a.pk).rules_stamp != before


def test_terms_made_in_a_transaction_that_rolled_back_are_not_remembered(school_a):
    school = School.objects.get(pk=school_a.pk)
    with transaction.atomic():
        made = current_terms(school)  # version 1 is written, and the stamp moves with it
        transaction.set_rollback(True)
    assert not AgreementTerms.objects.filter(pk=made.pk).exists()
    loan = _checkout(school_a.pk)  # the school row read anew has its old stamp: nothing kept under it
    assert loan.agreements.get().terms == AgreementTerms.objects.get(school=school_a)


def test_what_is_remembered_is_a_copy(school_a):
    school = School.objects.get(pk=school_a.pk)
    current_terms(school).deposit = Decimal("999")
    assert current_terms(school).deposit == Decimal("0")


@pytest.mark.django_db(transaction=True)
def test_a_checkout_waits_for_an_erasure_under_way_and_then_refuses(school_a):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are checked on PostgreSQL")
    device, pupil = DeviceFactory(school=school_a), PupilFactory(school=school_a)
    locked, release = threading.Event(), threading.Event()

    def erase():  # what privacy/retention.py does: lock the pupil, erase, commit a moment later
        try:
            with transaction.atomic():
                list(Pupil.objects.select_for_update().filter(pk=pupil.pk).values_list("pk", flat=True))
                Pupil.objects.filter(pk=pupil.pk).update(first_name="", anonymised_at=timezone.now())
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    eraser = threading.Thread(target=erase)
    eraser.start()
    assert locked.wait(10)
    outcome = []

    def checkout():
        try:
            desk.loan_checkout(device=device, pupil=pupil, by=None)
            outcome.append("lent")
        except desk.DeskError as error:
            outcome.append(str(error))
        finally:
            connections.close_all()

    desk_thread = threading.Thread(target=checkout)
    desk_thread.start()
    desk_thread.join(1.0)
    waited = desk_thread.is_alive()  # still waiting on the pupil's row
    release.set()
    eraser.join(10)
    desk_thread.join(10)
    assert waited
    assert outcome == [_erased()]
    assert not Loan.objects.filter(pupil=pupil).exists()
    assert Device.objects.get(pk=device.pk).status == Device.Status.AVAILABLE


def test_a_checkout_for_an_erased_pupil_says_so(school_a):
    pupil = PupilFactory(school=school_a)
    Pupil.objects.filter(pk=pupil.pk).update(anonymised_at=timezone.now())
    device = DeviceFactory(school=school_a)
    with pytest.raises(desk.DeskError) as refused:
        desk.loan_checkout(device=device, pupil=pupil, by=None)
    assert str(refused.value) == _erased()
    assert Device.objects.get(pk=device.pk).status == Device.Status.AVAILABLE


def test_a_school_without_a_stamp_is_read_from_the_database_each_time(school_a, django_assert_num_queries):
    AgreementTerms.objects.create(school=school_a, version=1)
    School.objects.filter(pk=school_a.pk).update(rules_stamp=None)  # a row written around the ORM
    school = School.objects.get(pk=school_a.pk)
    current_terms(school)
    with django_assert_num_queries(1):
        current_terms(school)
    with django_assert_num_queries(1):
        school_calendar.calendar_for(school, date(2026, 9, 1))
