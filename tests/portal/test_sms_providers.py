"""SMS through real providers' protocols, against local stubs: Twilio and a generic JSON gateway.
A text counts as sent only when the provider accepted it; its delivery receipt, signature-checked,
moves the Message row on; a refused number falls back; an unanswered request is never sent twice."""
import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from werkzeug import Response

from portal import messages, sms
from portal.models import FailingAddress
from portal.models import Message as MessageRow
from portal.phones import to_e164
from reminders import services as reminders
from reminders.models import Reminder

from ..reminders.test_reminders import MORNING, ON, family, unsigned_agreement
from ..stubs import form_of

pytestmark = pytest.mark.django_db
TOKEN = "twilio-auth-token"


@pytest.mark.parametrize("written", ["0470 12 34 56", "+32 470 12 34 56", "0032 470 123 456", "0470/12.34.56"])
def test_belgian_mobile_numbers_become_e164(written):
    assert to_e164(written) == "+32470123456"


@pytest.mark.parametrize("written", ["", "12", "0470 12 34", "not a number"])
def test_no_number_is_no_number(written):
    assert to_e164(written) is None


@pytest.fixture
def twilio(httpserver, settings):
    settings.SMS_URL = f"twilio://AC123:{TOKEN}@?from=%2B32460000000&api_url={httpserver.url_for('')}"
    settings.PUBLIC_URL = "https://uitleen.example.be"
    return httpserver


def _twilio_accepts(request):
    form = form_of(request)
    assert request.authorization.username == "AC123" and request.authorization.password == TOKEN
    assert form["From"] == "+32460000000"
    assert form["StatusCallback"] == "https://uitleen.example.be/hooks/sms/twilio/"
    return Response(json.dumps({"sid": "SM0001", "status": "queued", "to": form["To"]}), status=201,
                    content_type="application/json")


def _sms_reminder(school):
    household = family(school, channel="sms", phone="0470 12 34 56")
    unsigned_agreement(school, household, created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    return household


def _signed_post(client, params, *, token=TOKEN):
    url = "https://uitleen.example.be/hooks/sms/twilio/"
    signature = sms.TwilioBackend("AC123", token, sender="x").signature(url, params)
    return client.post("/hooks/sms/twilio/", params, headers={"X-Twilio-Signature": signature})


def test_an_sms_familys_reminder_reaches_twilio_and_its_receipt_is_recorded(school_a, twilio, client):
    twilio.expect_oneshot_request("/2010-04-01/Accounts/AC123/Messages.json", method="POST").respond_with_handler(
        _twilio_accepts)
    household = _sms_reminder(school_a)
    reminders.send_pending(now=MORNING)
    reminder = Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED)
    assert reminder.status == Reminder.Status.SENT
    row = MessageRow.objects.get(household_id=household.pk)
    assert (row.channel, row.recipient, row.provider, row.provider_id, row.status) == (
        "sms", "+32470123456", "twilio", "SM0001", "accepted")
    assert row.about == f"reminder:{reminder.pk}"
    # A receipt with a wrong signature changes nothing; the signed one says delivered.
    forged = client.post("/hooks/sms/twilio/", {"MessageSid": "SM0001", "MessageStatus": "delivered"},
                         headers={"X-Twilio-Signature": "forged"})
    assert forged.status_code == 403
    row.refresh_from_db()
    assert row.status == "accepted"
    assert _signed_post(client, {"MessageSid": "SM0001", "MessageStatus": "delivered"}).status_code == 204
    row.refresh_from_db()
    assert row.status == "delivered"
    # A late "sent" receipt never takes it back.
    _signed_post(client, {"MessageSid": "SM0001", "MessageStatus": "sent"})
    row.refresh_from_db()
    assert row.status == "delivered"


def test_a_refused_number_is_failed_marked_and_the_next_message_goes_on_paper(school_a, twilio):
    twilio.expect_request("/2010-04-01/Accounts/AC123/Messages.json", method="POST").respond_with_json(
        {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}, status=400)
    household = _sms_reminder(school_a)
    reminders.send_pending(now=MORNING)
    reminder = Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED)
    # Not "sent": the provider refused; the family gets a letter instead.
    assert reminder.status == Reminder.Status.PAPER
    row = MessageRow.objects.get(household_id=household.pk)
    assert row.status == "failed" and "21211" in row.error
    assert FailingAddress.objects.filter(channel="sms", address="+32470123456", reason="refused").exists()
    assert messages.reachable_channel(household, messages.contacts_of(household)) == messages.PAPER


def test_an_unreachable_provider_is_retried_with_backoff_then_accepts(school_a, twilio):
    endpoint = "/2010-04-01/Accounts/AC123/Messages.json"
    twilio.expect_ordered_request(endpoint, method="POST").respond_with_data("busy", status=503)
    twilio.expect_ordered_request(endpoint, method="POST").respond_with_data("busy", status=503)
    twilio.expect_ordered_request(endpoint, method="POST").respond_with_handler(_twilio_accepts)
    household = _sms_reminder(school_a)
    started = time.monotonic()
    reminders.send_pending(now=MORNING)
    assert time.monotonic() - started >= 0.3  # urllib3 waited between the tries
    assert len(twilio.log) == 3
    assert Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED).status == "sent"


def test_a_provider_that_stays_down_leaves_the_reminder_for_a_later_run(school_a, twilio):
    twilio.expect_request("/2010-04-01/Accounts/AC123/Messages.json", method="POST").respond_with_data(
        "down", status=503)
    household = _sms_reminder(school_a)
    reminders.send_pending(now=MORNING)
    reminder = Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED)
    assert reminder.status == Reminder.Status.SENDING  # released after an hour, see release_stuck
    assert MessageRow.objects.get(household_id=household.pk).status == "queued"


def test_no_answer_in_time_is_unconfirmed_and_never_sent_again(school_a, twilio, monkeypatch):
    monkeypatch.setattr(sms, "TIMEOUT", (2, 0.3))

    def slow(request):
        time.sleep(0.8)
        return _twilio_accepts(request)

    twilio.expect_request("/2010-04-01/Accounts/AC123/Messages.json", method="POST").respond_with_handler(slow)
    household = _sms_reminder(school_a)
    reminders.send_pending(now=MORNING)
    reminders.send_pending(now=MORNING + timedelta(hours=2))
    time.sleep(1)  # the stub logs a request once its slow answer is written
    assert len(twilio.log) == 1
    reminder = Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED)
    assert reminder.status == Reminder.Status.UNCONFIRMED
    assert MessageRow.objects.get(household_id=household.pk).status == "unconfirmed"


# --- the generic JSON gateway -------------------------------------------------------------------

def test_the_json_gateway_sends_and_takes_signed_receipts(school_a, httpserver, settings, client):
    settings.SMS_URL = f"json+http://gw-token@{httpserver.host}:{httpserver.port}/v1/sms?from=Testschool"
    settings.SMS_WEBHOOK_SECRET = "receipt-secret"
    settings.PUBLIC_URL = "https://uitleen.example.be"

    def accept(request):
        body = request.get_json()
        assert request.headers["Authorization"] == "Bearer gw-token"
        assert body["to"] == "+32470123456" and body["from"] == "Testschool"
        assert body["callback_url"] == "https://uitleen.example.be/hooks/sms/json/"
        return Response(json.dumps({"id": "gw-42", "status": "accepted"}), content_type="application/json")

    httpserver.expect_request("/v1/sms", method="POST").respond_with_handler(accept)
    household = _sms_reminder(school_a)
    reminders.send_pending(now=MORNING)
    row = MessageRow.objects.get(household_id=household.pk)
    assert (row.provider, row.provider_id, row.status) == ("json", "gw-42", "accepted")
    receipt = json.dumps({"id": "gw-42", "status": "DELIVERED"}).encode()
    bad = client.post("/hooks/sms/json/", receipt, content_type="application/json", headers={"X-Signature": "00"})
    assert bad.status_code == 403
    good = client.post("/hooks/sms/json/", receipt, content_type="application/json",
                       headers={"X-Signature": sms.json_signature(receipt)})
    assert good.status_code == 204
    row.refresh_from_db()
    assert row.status == "delivered"


def test_log_backend_never_claims_a_text_was_sent(school_a, settings, caplog):
    settings.SMS_URL = "log://"
    household = _sms_reminder(school_a)
    reminders.send_pending(now=MORNING)
    assert MessageRow.objects.get(household_id=household.pk).status == "logged"
    assert Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED).status == "paper"
    assert "+32470123456" not in caplog.text and "/s/" not in caplog.text


def test_a_queued_message_row_never_holds_the_text_or_token(school_a, coordinator_a, django_capture_on_commit_callbacks,
                                                             sms_outbox):
    from lending import agreements

    from ..factories import AgreementFactory, LoanFactory, PupilFactory
    household = family(school_a, channel="sms", phone="0470123456")
    agreement = AgreementFactory(loan=LoanFactory(device__school=school_a,
                                                  pupil=PupilFactory(school=school_a, household=household)))
    with django_capture_on_commit_callbacks(execute=True):
        agreements.agreement_send(agreement=agreement, by=coordinator_a, base_url="http://testserver")
    token = sms_outbox[0][1].split("/s/")[1].split("/")[0]
    row = MessageRow.objects.get(household_id=household.pk)
    assert row.status == "accepted" and row.about == f"agreement:{agreement.pk}"
    stored = json.dumps(list(MessageRow.objects.values()), default=str)
    assert token not in stored and "/s/" not in stored


def test_deploy_check_command_refuses_log_only_sms(settings):
    from django.core.management.base import SystemCheckError

    settings.SMS_URL = "log://"
    with pytest.raises(SystemCheckError, match="portal.E001"):
        call_command("check", deploy=True, fail_level="ERROR")
