"""Queued messages on a real Celery worker (Redis, PostgreSQL): the task claims its Message row, so
a task the broker hands out twice sends once, and the row holds what the provider said."""
from dataclasses import asdict

import pytest
from django.db import transaction

from portal import messages
from portal.models import Message as MessageRow

from ..conftest import wait_for
from ..factories import GuardianFactory, HouseholdFactory
from ..reminders.test_reminders import worker  # noqa: F401  (the real worker, mail files cleaned up)

pytestmark = [pytest.mark.worker]


def _mail_to(worker, address):
    return [path for path in worker.mail_dir.glob("*.log") if f"To: {address}" in path.read_text()]


def test_a_queued_email_is_sent_once_even_when_its_task_runs_twice(worker, school_a):  # noqa: F811
    household = HouseholdFactory(school=school_a, contact_channel="email", preferred_language="tr")
    GuardianFactory(household=household, email="worker-family@example.org", phone="")
    with transaction.atomic():
        message = messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                            context={"url": "http://testserver/s/x/", "school": school_a})
    row = MessageRow.objects.get(household_id=household.pk)
    assert wait_for(lambda: MessageRow.objects.filter(pk=row.pk, status="accepted").exists(), timeout=30)
    # The broker hands the same task out again (a worker died before acknowledging it): nothing leaves.
    payload = asdict(message) | {"to": [row.recipient]}
    assert messages.deliver_message.delay(row.pk, payload).get(timeout=30) == "taken"
    assert len(_mail_to(worker, "worker-family@example.org")) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.language) == ("accepted", 1, "tr")


def test_an_sms_through_the_log_backend_is_never_called_sent(worker, school_a):  # noqa: F811
    """The worker runs with the default SMS_URL (log://), as `make run` does: it says so."""
    household = HouseholdFactory(school=school_a, contact_channel="sms")
    GuardianFactory(household=household, email="", phone="0470 99 88 77")
    with transaction.atomic():
        messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                  context={"url": "http://testserver/s/x/", "school": school_a})
    assert wait_for(lambda: MessageRow.objects.filter(household_id=household.pk, status="logged").exists(), timeout=30)
    assert MessageRow.objects.get(household_id=household.pk).recipient == "+32470998877"
