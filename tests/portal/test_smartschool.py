"""Smartschool as a channel and as a roster source, through zeep against a local stub of the V3
webservice (it serves the WSDL and answers SOAP 1.1 rpc/encoded envelopes): success, error codes,
retries with backoff when the platform cannot be reached, no answer in time, never two messages
for one reminder."""
import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command

from households.models import Household
from portal import messages, smartschool
from portal.models import AuditEvent
from portal.models import Message as MessageRow
from reminders import services as reminders
from reminders.models import Reminder

from ..factories import GuardianFactory, HouseholdFactory, PupilFactory
from ..reminders.test_reminders import MORNING, ON, unsigned_agreement
from ..stubs import SmartschoolSchool, SmartschoolStub

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(httpserver):
    return SmartschoolStub(httpserver)


@pytest.fixture
def connected_school(school_a, platform):
    smartschool.school_connect(school=school_a, platform=platform.platform, access_code="ws-code-123")
    school_a.refresh_from_db()
    return school_a


def smartschool_family(school, *, coaccount=1, email=""):
    household = HouseholdFactory(school=school, contact_channel=Household.Channel.SMARTSCHOOL, preferred_language="nl")
    GuardianFactory(household=household, email=email, phone="", smartschool_coaccount=coaccount)
    PupilFactory(school=school, household=household, internal_number="1001")
    return household


def test_the_access_code_is_stored_encrypted_and_audited(connected_school):
    assert "ws-code-123" not in connected_school.smartschool_access_code
    assert smartschool.decrypt_access_code(connected_school.smartschool_access_code) == "ws-code-123"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SMARTSCHOOL_CONNECTED).count() == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.SMARTSCHOOL_CONNECTED)
    assert "ws-code-123" not in str(event.after)


def test_the_command_reads_the_code_from_stdin(school_a, platform, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("from-stdin\n"))
    out = io.StringIO()
    call_command("smartschool_connect", school_a.instellingsnummer, platform.platform, "--check", stdout=out)
    assert "Connected: 2 groups and classes." in out.getvalue()
    assert platform.calls.named("getAllGroupsAndClasses")[0]["accesscode"] == "from-stdin"


def test_a_smartschool_schools_reminder_reaches_sendmsg_once(connected_school, platform):
    household = smartschool_family(connected_school)
    unsigned_agreement(connected_school, household, created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    reminders.send_pending(now=MORNING + timedelta(hours=2))  # a second beat, a rerun
    (call,) = platform.calls.named("sendMsg")
    assert call["accesscode"] == "ws-code-123" and call["userIdentifier"] == "1001" and call["coaccount"] == "1"
    assert call["title"] and "http" not in call["body"].split("\n")[0]
    reminder = Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED)
    assert reminder.status == Reminder.Status.SENT
    row = MessageRow.objects.get(household_id=household.pk)
    assert (row.channel, row.recipient, row.status) == ("smartschool", "1001#1", "accepted")


def test_an_error_code_is_a_refusal_and_the_family_falls_back_to_paper(connected_school, platform):
    platform.answers["sendMsg"] = 12  # e.g. an unknown user
    household = smartschool_family(connected_school)
    unsigned_agreement(connected_school, household, created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    assert Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED).status == "paper"
    row = MessageRow.objects.get(household_id=household.pk)
    assert row.status == "failed" and "12" in row.error


def test_without_a_connection_smartschool_families_fall_back_to_email(school_a, django_capture_on_commit_callbacks,
                                                                       mailoutbox):
    household = smartschool_family(school_a, email="ouder@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        message = messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                            context={"url": "http://testserver/s/x/", "school": school_a})
    assert message.channel == "email" and [m.to for m in mailoutbox] == [["ouder@example.org"]]


def test_a_platform_that_cannot_be_reached_is_retried_with_backoff(connected_school, platform, httpserver):
    attempts = []

    def busy_then_fine(call):
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            from werkzeug import Response
            return Response("busy", status=503)
        from ..stubs import soap_answer
        return soap_answer("sendMsg", "0", "xsd:int")

    platform.answers["sendMsg"] = busy_then_fine
    client = smartschool.SmartschoolClient.for_school(connected_school)
    client.send_message(user_identifier="1001", coaccount=2, title="Titel", body="Tekst")
    assert len(attempts) == 3 and attempts[2] - attempts[0] >= 0.3


def test_a_platform_that_is_down_raises_a_transient_error():
    client_error = None
    try:
        smartschool.SmartschoolClient("http://127.0.0.1:9", "code")
    except smartschool.SmartschoolUnavailable as error:
        client_error = error
    assert client_error is not None


def test_no_answer_in_time_is_unconfirmed_and_not_resent(connected_school, platform, monkeypatch):
    monkeypatch.setattr(smartschool, "ANSWER_TIMEOUT", 0.3)
    platform.slow_seconds = 0.8
    platform.answers["sendMsg"] = "slow"
    household = smartschool_family(connected_school)
    unsigned_agreement(connected_school, household, created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    reminders.send_pending(now=MORNING + timedelta(hours=2))
    time.sleep(1)
    assert len(platform.calls.named("sendMsg")) == 1
    assert Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED).status == "unconfirmed"


def test_roster_reads_accounts_and_classes(connected_school, platform):
    client = smartschool.SmartschoolClient.for_school(connected_school)
    accounts = client.all_accounts("5A")
    assert [(a.username, a.internal_number, a.last_name) for a in accounts] == [
        ("sara.elamrani", "1001", "El Amrani"), ("emre.yilmaz", "1002", "Yılmaz")]
    call = platform.calls.named("getAllAccountsExtended")[0]
    assert (call["code"], call["recursive"]) == ("5A", "1")
    groups = client.groups_and_classes()
    assert [(g.code, g.is_class) for g in groups] == [("5A", True), ("leerlingen", False)]


def test_the_tree_of_groups_knows_parents_and_official_classes(connected_school, platform):
    school = SmartschoolSchool(platform)
    school.group("lln", name="Leerlingen")
    school.group("5A", parent="lln", kind="K", official=True, institute="123456")
    school.group("zorg", parent="lln")
    school.add("5A", {"Gebruikersnaam": "sara", "Internnummer": 1001, "Voornaam": "Sara", "Naam": "Peeters",
                      "Basisrol": 1})
    client = smartschool.SmartschoolClient.for_school(connected_school)
    assert [(g.code, g.parent_code, g.is_class, g.is_official, g.official_code) for g in client.groups_and_classes()] == [
        ("lln", "", False, False, ""), ("5A", "lln", True, True, "123456"), ("zorg", "lln", False, False, "")]
    # Keys are read whatever their case, numbers as text.
    (account,) = client.all_accounts("lln")
    assert (account.username, account.internal_number, account.first_name, account.role) == ("sara", "1001", "Sara", "1")


def test_roster_read_error_codes_raise(connected_school, platform):
    platform.answers["getAllAccountsExtended"] = 8
    with pytest.raises(smartschool.SmartschoolError) as raised:
        smartschool.SmartschoolClient.for_school(connected_school).all_accounts("5Z")
    assert raised.value.code == 8


# --- the director's page ------------------------------------------------------------------------

@pytest.fixture
def stubbed_platform(platform, monkeypatch):
    """The real host name a director types, answered by the stub."""
    monkeypatch.setattr(smartschool, "webservice_url", lambda host: platform.platform + "/Webservices/V3")
    return platform


def test_the_director_connects_and_the_code_is_never_shown_again(director_a, school_a, client, stubbed_platform):
    client.force_login(director_a)
    page = client.get("/school/smartschool/")
    assert page.status_code == 200 and 'id="smartschool-connected"' not in page.content.decode()
    response = client.post("/school/smartschool/", {"platform": "https://De-Vlieger.smartschool.be/",
                                                    "access_code": "secret-ws-code"}, follow=True)
    body = response.content.decode()
    assert 'id="smartschool-connected"' in body and "de-vlieger.smartschool.be" in body
    assert "secret-ws-code" not in body
    school_a.refresh_from_db()
    assert smartschool.decrypt_access_code(school_a.smartschool_access_code) == "secret-ws-code"
    assert stubbed_platform.calls.named("getAllGroupsAndClasses")[0]["accesscode"] == "secret-ws-code"
    client.post("/school/smartschool/", {"disconnect": "1"})
    school_a.refresh_from_db()
    assert not smartschool.is_connected(school_a)


def test_a_wrong_code_or_another_host_saves_nothing(director_a, school_a, client, stubbed_platform):
    client.force_login(director_a)
    stubbed_platform.answers["getAllGroupsAndClasses"] = 3  # the platform refuses the code
    refused = client.post("/school/smartschool/", {"platform": "school.smartschool.be", "access_code": "wrong"})
    assert refused.status_code == 200 and "wrong" not in refused.content.decode()
    elsewhere = client.post("/school/smartschool/", {"platform": "evil.example.com", "access_code": "x"})
    assert elsewhere.status_code == 200
    assert len(stubbed_platform.calls) == 1  # the other host was never called
    school_a.refresh_from_db()
    assert not smartschool.is_connected(school_a)


def test_a_coordinator_cannot_open_the_smartschool_page(coordinator_a, client):
    client.force_login(coordinator_a)
    assert client.get("/school/smartschool/").status_code in (302, 403)


def test_a_refused_smartschool_message_goes_by_email_instead(connected_school, platform, mailoutbox):
    platform.answers["sendMsg"] = 12
    household = smartschool_family(connected_school, email="ouder@example.org")
    unsigned_agreement(connected_school, household, created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    assert Reminder.objects.get(household=household, kind=Reminder.Kind.AGREEMENT_UNSIGNED).status == "sent"
    assert [m.to for m in mailoutbox if m.to == ["ouder@example.org"]] == [["ouder@example.org"]]
    assert sorted(MessageRow.objects.filter(household_id=household.pk).values_list("channel", "status")) == [
        ("email", "accepted"), ("smartschool", "failed")]
