"""portal.messages: every sender reaches a family the same way (one address once, the family's
language, nothing before commit). Each sender is driven through its own service."""
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation

from households import codes
from households import survey as surveys
from households.models import InternetCode
from lending import agreements
from portal import messages
from portal.sms import outbox as sms_sent
from reminders import services as reminders

from ..factories import AgreementFactory, GuardianFactory, HouseholdFactory, LoanFactory, PupilFactory
from ..reminders.test_reminders import MORNING, ON, unsigned_agreement

pytestmark = pytest.mark.django_db


def two_guardians_one_phone(school, *, language="tr", channel="sms"):
    """Mother and father share a phone, written two ways, and type their e-mail differently."""
    household = HouseholdFactory(school=school, preferred_language=language, contact_channel=channel)
    GuardianFactory(household=household, name="Ayse", email="ouders@example.org", phone="0470 12 34 56")
    GuardianFactory(household=household, name="Mehmet", email="Ouders@Example.org", phone="+32 470 12 34 56")
    return household


def test_addresses_are_each_reached_once_in_the_guardians_order():
    contacts = [messages.Contact(email="a@example.org", phone="0470 12 34 56"),
                messages.Contact(email="A@EXAMPLE.ORG", phone="0032470123456"),
                messages.Contact(email="b@example.org", phone="+32470123457"),
                messages.Contact(email="", phone="")]
    assert messages.addresses(contacts, messages.EMAIL) == ["a@example.org", "b@example.org"]
    assert messages.addresses(contacts, messages.SMS) == ["+32470123456", "+32470123457"]
    assert messages.addresses(contacts, messages.PAPER) == []


def test_a_channel_without_any_address_becomes_paper(school_a):
    household = HouseholdFactory(school=school_a, contact_channel="sms")
    GuardianFactory(household=household, email="x@example.org", phone="")
    guardians = list(household.guardians.all())
    assert messages.reachable_channel(household, guardians) == messages.PAPER
    assert messages.reachable_channel(household, guardians, "email") == messages.EMAIL


def _send_agreement(school, household, coordinator):
    loan = LoanFactory(device__school=school, pupil=PupilFactory(school=school, household=household))
    agreement = AgreementFactory(loan=loan, language=household.preferred_language)
    agreements.agreement_send(agreement=agreement, by=coordinator, base_url="http://testserver")


def _send_survey(school, household, coordinator):
    PupilFactory(school=school, household=household, grade=5)
    surveys.survey_create(school=school, title="Thuis", grades=[5], class_names=[], channel="household",
                          by=coordinator, base_url="http://testserver")


def _send_code(school, household, coordinator):
    InternetCode.objects.create(school=school, provider="Telenet", code="TN-1",
                                valid_until=timezone.localdate() + timedelta(days=60))
    code = codes.code_hand_out(school=school, household=household, by=coordinator)
    codes.code_send(code=code, channel=household.contact_channel, by=coordinator)


SENDERS = {"agreement link": _send_agreement, "survey invitation": _send_survey, "internet code": _send_code}
IN_FRENCH = {"agreement link": "convention de prêt", "survey invitation": "quelques petites questions",
             "internet code": "internet gratuit"}


@pytest.mark.parametrize("sender", SENDERS)
def test_two_guardians_sharing_a_phone_get_one_sms_in_their_language(
        sender, school_a, coordinator_a, django_capture_on_commit_callbacks):
    household = two_guardians_one_phone(school_a, language="fr")
    sms_sent.clear()
    with translation.override("nl"), django_capture_on_commit_callbacks(execute=True):
        SENDERS[sender](school_a, household, coordinator_a)
    assert [to for to, _text in sms_sent] == ["+32470123456"], sender
    assert IN_FRENCH[sender] in sms_sent[0][1]  # the family's language, not the coordinator's Dutch


@pytest.mark.parametrize("sender", SENDERS)
def test_two_guardians_sharing_an_address_get_one_mail(sender, school_a, coordinator_a,
                                                       django_capture_on_commit_callbacks):
    household = two_guardians_one_phone(school_a, language="nl", channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        SENDERS[sender](school_a, household, coordinator_a)
    assert [message.to for message in mail.outbox] == [["ouders@example.org"]], sender


def test_a_reminder_reaches_a_shared_phone_once(school_a):
    household = two_guardians_one_phone(school_a, language="nl")
    unsigned_agreement(school_a, household, created_on=ON - timedelta(days=3))
    sms_sent.clear()
    reminders.create_due_reminders(on=ON, now=MORNING)
    assert reminders.send_pending(now=MORNING) == 1
    assert [to for to, _text in sms_sent] == ["+32470123456"]


def test_nothing_leaves_when_the_action_is_rolled_back(school_a, coordinator_a, django_capture_on_commit_callbacks):
    household = two_guardians_one_phone(school_a, channel="email")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                      context={"url": "http://testserver/s/x/", "school": school_a})
            raise RuntimeError("the action failed after the message was composed")
    assert callbacks == [] and mail.outbox == []


def test_paper_and_unreachable_households_raise_before_anything_is_queued(school_a,
                                                                          django_capture_on_commit_callbacks):
    household = HouseholdFactory(school=school_a, contact_channel="paper")
    GuardianFactory(household=household, email="", phone="")
    for channel in (None, "email", "sms"):
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(messages.NoAddress):
            messages.notify_household(household=household, channel=channel, template="emails/agreement_link_sms.txt",
                                      context={"url": "x", "school": school_a})
        assert callbacks == []
