"""The nightly plan writes its reminders batch by batch while it reads, so its memory is one
batch whatever the number of loans (issue 6: memory grows with batches, not loans)."""
from datetime import timedelta

import pytest

from reminders import plan as reminder_plan
from reminders import services as reminders
from reminders.models import Reminder
from tests.reminders.test_reminders import MORNING, ON, family, loan_for


@pytest.mark.django_db
def test_plan_writes_each_batch_before_reading_the_next(school_a, monkeypatch):
    for _ in range(5):
        loan_for(school_a, family(school_a), due_on=ON + timedelta(days=7))
    monkeypatch.setattr(reminder_plan, "BATCH_SIZE", 2)
    log = []
    batches, bulk_create = reminder_plan._batches, Reminder.objects.bulk_create

    def reading(queryset, size=None):
        for batch in batches(queryset, size):
            log.append(("read", len(batch)))
            yield batch

    def writing(rows, **kwargs):
        log.append(("write", len(rows)))
        return bulk_create(rows, **kwargs)

    monkeypatch.setattr(reminder_plan, "_batches", reading)
    monkeypatch.setattr(Reminder.objects, "bulk_create", writing)
    assert reminders.create_due_reminders(on=ON, now=MORNING) == 5
    assert Reminder.objects.count() == 5
    assert log == [("read", 2), ("write", 2), ("read", 2), ("write", 2), ("read", 1), ("write", 1)]
