"""E-mail through a provider's API (Brevo, via django-anymail, against a local stub of its
documented /v3/smtp/email endpoint), and its tracking webhook: a hard bounce marks the address as
failing, the family's next message goes by SMS or on the paper list, and the digest says so."""
import base64
import json
from datetime import timedelta

import pytest
from django.core import mail
from werkzeug import Response

from households.models import Household
from portal import messages
from portal.models import AuditEvent, FailingAddress
from portal.models import Message as MessageRow
from reminders import digest
from reminders import services as reminders
from reminders.models import Reminder
from reminders.texts import render_reminder

from ..factories import GuardianFactory, HouseholdFactory
from ..reminders.test_reminders import MORNING, ON, family, unsigned_agreement

pytestmark = pytest.mark.django_db
HOOK_AUTH = "brevo-hook:s3cret"


@pytest.fixture
def brevo(httpserver, settings):
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {"BREVO_API_KEY": "xkeysib-test", "BREVO_API_URL": httpserver.url_for("/v3/"),
                        "WEBHOOK_SECRET": HOOK_AUTH}
    sent = []

    def accept(request):
        assert request.headers["api-key"] == "xkeysib-test"
        payload = request.get_json()
        sent.append(payload)
        return Response(json.dumps({"messageId": f"<msg-{len(sent)}@smtp-relay.brevo.com>"}), status=201,
                        content_type="application/json")

    httpserver.expect_request("/v3/smtp/email", method="POST").respond_with_handler(accept)
    return sent


def _webhook(client, event, email, message_id, auth=HOOK_AUTH):
    body = {"event": event, "email": email, "message-id": message_id, "date": "2026-03-10 10:00:00",
            "ts_event": 1773133200, "reason": "550 5.1.1 mailbox unknown"}
    credentials = base64.b64encode(auth.encode()).decode()
    return client.post("/anymail/brevo/tracking/", json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Basic {credentials}"})


def test_a_bounced_email_puts_the_familys_next_message_on_the_paper_list(school_a, coordinator_a, brevo, client):
    household = family(school_a, channel="email", email="gone@example.org")
    unsigned_agreement(school_a, household, created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    row = MessageRow.objects.get(household_id=household.pk)
    assert (row.provider, row.provider_id, row.status) == ("email", "<msg-1@smtp-relay.brevo.com>", "accepted")
    assert brevo[0]["to"] == [{"email": "gone@example.org"}]

    assert _webhook(client, "hard_bounce", "gone@example.org", row.provider_id, auth="wrong:pw").status_code == 400
    assert not FailingAddress.objects.exists()
    assert _webhook(client, "hard_bounce", "gone@example.org", row.provider_id).status_code == 200
    row.refresh_from_db()
    assert row.status == "bounced"
    failing = FailingAddress.objects.get()
    assert (failing.channel, failing.address, failing.reason, failing.household_id) == (
        "email", "gone@example.org", "bounced", household.pk)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ADDRESS_FAILING, school=school_a).count() == 1

    # The next reminder (the second step, a week later) goes on the coordinator's print list.
    later = ON + timedelta(days=7)
    reminders.create_due_reminders(on=later, now=MORNING + timedelta(days=7))
    reminders.send_pending(now=MORNING + timedelta(days=7))
    second = Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED, step=2)
    assert second.status == Reminder.Status.PAPER
    to_family = [payload for payload in brevo if payload["to"] == [{"email": "gone@example.org"}]]
    assert len(to_family) == 1  # nothing more went to the address that bounced
    letters = client.get("/reminders/letters/")
    assert letters.status_code in (200, 302)  # the page itself is tested in tests/reminders


def test_the_digest_says_which_families_bounced(school_a, coordinator_a):
    household = family(school_a, channel="email", email="gone@example.org")
    messages.mark_failing(channel="email", address="gone@example.org", reason="bounced", school_id=school_a.pk,
                          household_id=household.pk)
    FailingAddress.objects.update(at=MORNING - timedelta(days=1))
    assert school_a.pk in digest.schools_with_news(ON)
    overview = digest.digest_for(school_a, ON)
    assert overview["failing"]["count"] == 1
    reminder = Reminder(kind=Reminder.Kind.COORDINATOR_DIGEST, subject_type="school", subject_id=school_a.pk,
                        step=digest.step_for(ON), school=school_a, channel="coordinator", language="en")
    _subject, body = render_reminder(reminder, details={})
    assert "Messages bounced or were refused for 1 family" in body


def test_after_a_bounce_a_family_with_a_phone_falls_back_to_sms(school_a, django_capture_on_commit_callbacks,
                                                                sms_outbox):
    household = HouseholdFactory(school=school_a, contact_channel=Household.Channel.EMAIL)
    GuardianFactory(household=household, email="gone@example.org", phone="0470 11 22 33")
    messages.mark_failing(channel="email", address="GONE@example.org", reason="bounced")
    with django_capture_on_commit_callbacks(execute=True):
        message = messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                            context={"url": "http://testserver/s/x/", "school": school_a})
    assert message.channel == "sms" and [to for to, _text in sms_outbox] == ["+32470112233"]
    assert mail.outbox == []


def test_a_complaint_also_stops_mail_to_that_address(school_a, brevo, client, django_capture_on_commit_callbacks):
    household = family(school_a, channel="email", email="angry@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                  context={"url": "http://testserver/s/x/", "school": school_a})
    row = MessageRow.objects.get(household_id=household.pk)
    assert _webhook(client, "spam", "angry@example.org", row.provider_id).status_code == 200
    assert FailingAddress.objects.get().reason == "complained"
    with pytest.raises(messages.NoAddress):
        messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                  context={"url": "x", "school": school_a})


def test_an_email_message_carries_an_attachment(school_a, django_capture_on_commit_callbacks):
    household = family(school_a, channel="email", email="ouder@example.org")
    calendar = messages.Attachment.from_bytes("afspraak.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    with django_capture_on_commit_callbacks(execute=True):
        messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                  context={"url": "http://testserver/s/x/", "school": school_a},
                                  attachments=[calendar])
    (sent,) = mail.outbox
    assert sent.attachments == [("afspraak.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")]


def test_a_message_the_provider_refuses_goes_by_sms_instead(school_a, httpserver, settings, sms_outbox):
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {"BREVO_API_KEY": "xkeysib-test", "BREVO_API_URL": httpserver.url_for("/v3/")}
    httpserver.expect_request("/v3/smtp/email", method="POST").respond_with_json(
        {"code": "invalid_parameter", "message": "email is not valid in to"}, status=400)
    household = family(school_a, channel="email", email="not-really@example", phone="0470 55 66 77")
    unsigned_agreement(school_a, household, created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    assert Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED).status == "sent"
    assert [to for to, _text in sms_outbox] == ["+32470556677"]
    assert sorted(MessageRow.objects.filter(household_id=household.pk).values_list("channel", "status")) == [
        ("email", "failed"), ("sms", "accepted")]
