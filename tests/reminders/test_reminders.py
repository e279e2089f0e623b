"""Nightly reminders: planned on the right day, in the family's language, never sent twice."""
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from households.models import InternetCode, Survey, SurveyInvite
from lending.models import Agreement, Loan
from portal import messages
from portal.sms import outbox as sms_sent
from reminders import plan as reminder_plan
from reminders import sending as reminder_sending
from reminders import services as reminders
from reminders.models import Reminder
from reminders.tasks import plan_nightly_reminders, send_due_reminders
from tests.concurrency import race
from tests.conftest import wait_for
from tests.factories import (
    AgreementFactory,
    DeviceFactory,
    GuardianFactory,
    HouseholdFactory,
    LoanFactory,
    PupilFactory,
)
from tests.figures import figures_refresh_paused

BRUSSELS = ZoneInfo("Europe/Brussels")
ON = date(2026, 3, 10)
MORNING = datetime(2026, 3, 10, 9, 0, tzinfo=BRUSSELS)
K = Reminder.Kind


def at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=BRUSSELS)


def family(school, *, language="en", channel="email", email=None, phone=""):
    household = HouseholdFactory(school=school, preferred_language=language, contact_channel=channel)
    GuardianFactory(household=household, email=email or f"parent-{household.pk}@example.org", phone=phone)
    PupilFactory(school=school, household=household)  # still at the school: reminders are for live subjects
    return household


def loan_for(school, household, *, due_on):
    pupil = PupilFactory(school=school, household=household, first_name="Mohammed")
    return LoanFactory(device=DeviceFactory(school=school), pupil=pupil, due_on=due_on)


def unsigned_agreement(school, household, *, created_on, status=Agreement.Status.SENT):
    loan = loan_for(school, household, due_on=ON + timedelta(days=200))
    agreement = AgreementFactory(loan=loan, status=status)
    Agreement.objects.filter(pk=agreement.pk).update(created_at=at(created_on))
    return agreement


def internet_code(school, household, *, issued_on, valid_until, activated=False, code="CODE-1"):
    return InternetCode.objects.create(
        school=school, provider="Telenet", code=code, valid_until=valid_until, household=household,
        issued_at=at(issued_on), activated_at=at(issued_on, 12) if activated else None,
    )


def survey_invite(school, household, *, sent_on, answered=False):
    survey = Survey.objects.create(school=school, title="Computer thuis?")
    return SurveyInvite.objects.create(
        survey=survey, household=household, token_hash=f"{household.pk:064d}", channel="email",
        sent_at=at(sent_on), expires_at=at(sent_on + timedelta(days=30)),
        answered_at=at(sent_on, 12) if answered else None,
    )


def planned(on):
    return {(p.kind, p.subject_id, p.step) for p in reminders.plan_reminders(on=on)}


# --- planning: each kind on the right day --------------------------------------------------------


@pytest.mark.django_db
def test_unsigned_agreement_steps_3_and_10_days_then_a_coordinator_note(school_a):
    agreement = unsigned_agreement(school_a, family(school_a), created_on=ON)
    day = lambda n: ON + timedelta(days=n)  # noqa: E731
    assert planned(day(2)) == set()
    assert planned(day(3)) == {(K.AGREEMENT_UNSIGNED, agreement.pk, 1)}
    assert planned(day(10)) == {(K.AGREEMENT_UNSIGNED, agreement.pk, 2)}
    assert planned(day(14)) == {(K.AGREEMENT_UNSIGNED, agreement.pk, 3)}
    step3 = reminders.plan_reminders(on=day(14))[0]
    assert reminders.channel_and_language(step3)[0] == Reminder.Channel.COORDINATOR


@pytest.mark.django_db
def test_signed_or_draft_agreements_get_no_reminder(school_a):
    household = family(school_a)
    unsigned_agreement(school_a, household, created_on=ON, status=Agreement.Status.DRAFT)
    signed = unsigned_agreement(school_a, household, created_on=ON)
    Agreement.objects.filter(pk=signed.pk).update(status="signed", signed_at=at(ON), signed_method="online")
    assert planned(ON + timedelta(days=3)) == set()


@pytest.mark.django_db
def test_return_coming_up_and_overdue_weekly_then_the_coordinator(school_a):
    loan = loan_for(school_a, family(school_a), due_on=ON)
    day = lambda n: ON + timedelta(days=n)  # noqa: E731
    assert planned(day(-15)) == set()
    assert planned(day(-14)) == {(K.RETURN_DUE, loan.pk, 1)}
    assert planned(day(0)) == {(K.RETURN_DUE, loan.pk, 2)}
    assert planned(day(6)) == set()
    assert planned(day(7)) == {(K.OVERDUE, loan.pk, 1)}
    assert planned(day(14)) == {(K.OVERDUE, loan.pk, 2)}
    assert planned(day(21)) == {(K.OVERDUE, loan.pk, 3)}
    # Day 28 is in the Easter holiday (6-19 April 2026): the school is closed, nobody is asked to bring
    # a device back; the coordinator's note comes on the first school day after it.
    assert planned(day(28)) == set()
    assert planned(date(2026, 4, 20)) == {(K.OVERDUE, loan.pk, 4)}
    note = reminders.plan_reminders(on=date(2026, 4, 20))[0]
    assert note.to_coordinator
    Loan.objects.filter(pk=loan.pk).update(status="returned", returned_at=at(day(20)))
    assert planned(day(21)) == set()


@pytest.mark.django_db
def test_a_loan_due_just_after_a_holiday_is_announced_on_the_last_school_day_before_it(school_a):
    """The "back soon" window of a loan due on the first school day after the summer (or the Christmas
    holiday) falls while the school is closed, when nobody is asked anything: the family hears it on
    the last school day before the holiday instead, once, and "today" on the day itself."""
    after_summer = loan_for(school_a, family(school_a), due_on=date(2027, 9, 1))
    after_christmas = loan_for(school_a, family(school_a), due_on=date(2027, 1, 4))
    later_in_january = loan_for(school_a, family(school_a), due_on=date(2027, 1, 20))
    # Christmas holiday 21 December 2026 to 3 January 2027: the last school day is Friday 18 December.
    assert planned(date(2026, 12, 17)) == set()
    assert planned(date(2026, 12, 18)) == {(K.RETURN_DUE, after_christmas.pk, 1)}
    assert planned(date(2027, 1, 4)) == {(K.RETURN_DUE, after_christmas.pk, 2)}
    assert planned(date(2027, 1, 6)) == {(K.RETURN_DUE, later_in_january.pk, 1)}
    Loan.objects.filter(pk__in=[after_christmas.pk, later_in_january.pk]).update(
        status="returned", returned_at=at(date(2027, 1, 6)))
    # Summer holiday 1 July to 31 August 2027: the last school day is Wednesday 30 June.
    assert planned(date(2027, 6, 29)) == set()
    assert planned(date(2027, 6, 30)) == {(K.RETURN_DUE, after_summer.pk, 1)}
    assert planned(date(2027, 8, 18)) == set()
    assert planned(date(2027, 9, 1)) == {(K.RETURN_DUE, after_summer.pk, 2)}
    # A second nightly run the same day (beat firing twice) makes no second reminder.
    for _run in range(2):
        reminders.create_due_reminders(on=date(2027, 6, 30), now=at(date(2027, 6, 30), 2))
    assert Reminder.objects.filter(kind=K.RETURN_DUE, subject_id=after_summer.pk).count() == 1


@pytest.mark.django_db
def test_internet_codes_expiring_in_14_days_and_not_activated_after_14_days(school_a):
    household = family(school_a)
    expiring = internet_code(school_a, household, issued_on=ON - timedelta(days=60), activated=True,
                             valid_until=ON + timedelta(days=14), code="A")
    later = internet_code(school_a, household, issued_on=ON - timedelta(days=60), activated=True,
                          valid_until=ON + timedelta(days=15), code="B")
    assert planned(ON) == {(K.CODE_EXPIRING, expiring.pk, 20260324)}  # the step is the end date
    InternetCode.objects.filter(pk=expiring.pk).update(extended_until=ON + timedelta(days=90))
    assert planned(ON) == set()
    assert (K.CODE_EXPIRING, later.pk, 20260325) in planned(ON + timedelta(days=1))
    # Extended: a new end date, so a new reminder two weeks before it, not blocked by the first one.
    assert planned(ON + timedelta(days=76)) == {(K.CODE_EXPIRING, expiring.pk, 20260608)}

    unused = internet_code(school_a, household, issued_on=ON, valid_until=ON + timedelta(days=300), code="C")
    not_activated = lambda n: {p for p in planned(ON + timedelta(days=n)) if p[0] == K.CODE_NOT_ACTIVATED}  # noqa
    assert not_activated(13) == set()
    assert not_activated(14) == {(K.CODE_NOT_ACTIVATED, unused.pk, 1)}
    InternetCode.objects.filter(pk=unused.pk).update(activated_at=at(ON + timedelta(days=5)))
    assert not_activated(14) == set()


@pytest.mark.django_db
def test_survey_not_answered_after_7_days_once(school_a):
    invite = survey_invite(school_a, family(school_a), sent_on=ON)
    survey_invite(school_a, family(school_a), sent_on=ON, answered=True)
    assert planned(ON + timedelta(days=6)) == set()
    assert planned(ON + timedelta(days=7)) == {(K.SURVEY_UNANSWERED, invite.pk, 1)}
    reminders.create_due_reminders(on=ON + timedelta(days=7), now=MORNING + timedelta(days=7))
    reminders.send_pending(now=MORNING + timedelta(days=7))
    invite.refresh_from_db()
    assert invite.reminded_at == MORNING + timedelta(days=7)
    assert planned(ON + timedelta(days=8)) == set()


@pytest.mark.django_db
def test_planning_queries_do_not_grow_with_rows(school_a, django_assert_num_queries, monkeypatch):
    for _ in range(3):
        unsigned_agreement(school_a, family(school_a), created_on=ON)
    monkeypatch.setattr(reminder_plan, "BATCH_SIZE", 1000)
    # One read per batch: agreements, loans, two for internet codes, surveys; one for the schools with a
    # loan due after the "back soon" window (none here: no calendars to read); six to find the schools
    # that get a digest (one for leavers with a device, one for failing addresses; no coordinator here,
    # so no seventh to load them).
    with django_assert_num_queries(12):
        assert len(reminders.plan_reminders(on=ON + timedelta(days=3))) == 3
    for _ in range(20):
        unsigned_agreement(school_a, family(school_a), created_on=ON)
    with django_assert_num_queries(12):
        assert len(reminders.plan_reminders(on=ON + timedelta(days=3))) == 23
    monkeypatch.setattr(reminder_plan, "BATCH_SIZE", 10)  # capped batches: 10 + 10 + 3 agreements
    with django_assert_num_queries(14):
        assert len(reminders.plan_reminders(on=ON + timedelta(days=3))) == 23


@pytest.mark.django_db
def test_sending_reads_once_per_batch_and_writes_twice_per_message(school_a, monkeypatch):
    def queries_to_send(count):
        for _ in range(count):
            unsigned_agreement(school_a, family(school_a), created_on=ON - timedelta(days=3))
        reminders.create_due_reminders(on=ON, now=MORNING)
        with CaptureQueriesContext(connection) as captured:
            assert reminders.send_pending(now=MORNING) == count
        return len(captured.captured_queries)

    monkeypatch.setattr(reminder_sending, "SEND_BATCH", 10)
    overhead = {count: queries_to_send(count) - 4 * count for count in (3, 6, 12, 25)}  # 1, 1, 2, 3 batches
    # A claim and a status update per reminder (a crash loses or repeats at most the one in flight),
    # and its Message row written before and after the provider's answer; the rest is per batch.
    assert overhead[3] == overhead[6]
    assert overhead[25] - overhead[12] == overhead[12] - overhead[6] > 0


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_reminder_once(school_a, mailoutbox, monkeypatch):
    addresses = [f"race-{n}@example.org" for n in range(20)]
    with figures_refresh_paused():
        for address in addresses:
            unsigned_agreement(school_a, family(school_a, email=address), created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    monkeypatch.setattr(reminder_sending, "SEND_BATCH", 5)  # many small claims, so the two interleave
    send = lambda: reminders.send_pending(now=MORNING)  # noqa: E731
    assert race(send, send, own_transaction=False) == ["created", "created"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(addresses)
    assert Reminder.objects.filter(status="sent").count() == 20


# --- creating and sending ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_run_creates_and_sends_nothing_new(school_a, mailoutbox):
    unsigned_agreement(school_a, family(school_a, email="a@example.org"), created_on=ON - timedelta(days=3))
    loan_for(school_a, family(school_a, email="b@example.org"), due_on=ON + timedelta(days=14))
    for _ in range(2):
        reminders.create_due_reminders(on=ON, now=MORNING)
        reminders.send_pending(now=MORNING)
    assert Reminder.objects.count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "b@example.org"]
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_quiet_hours_nothing_leaves_at_night(school_a, mailoutbox):
    unsigned_agreement(school_a, family(school_a), created_on=ON - timedelta(days=3))
    with time_machine.travel(datetime(2026, 3, 10, 2, 0, tzinfo=BRUSSELS), tick=False):
        plan_nightly_reminders.delay()
        reminder = Reminder.objects.get()
        assert reminder.due_at == datetime(2026, 3, 10, 8, 0, tzinfo=BRUSSELS)
        assert send_due_reminders.delay().get() == 0
        assert mailoutbox == []
    with time_machine.travel(datetime(2026, 3, 10, 22, 0, tzinfo=BRUSSELS), tick=False):
        assert send_due_reminders.delay().get() == 0  # due, but it is night again
        assert mailoutbox == []
    with time_machine.travel(datetime(2026, 3, 11, 8, 5, tzinfo=BRUSSELS), tick=False):
        assert send_due_reminders.delay().get() == 1
    assert len(mailoutbox) == 1


def test_next_send_time_is_the_next_morning_outside_the_day():
    assert reminders.next_send_time(datetime(2026, 3, 10, 2, 0, tzinfo=BRUSSELS)) == \
        datetime(2026, 3, 10, 8, 0, tzinfo=BRUSSELS)
    assert reminders.next_send_time(datetime(2026, 3, 10, 21, 0, tzinfo=BRUSSELS)) == \
        datetime(2026, 3, 11, 8, 0, tzinfo=BRUSSELS)
    assert reminders.next_send_time(MORNING) == MORNING


@pytest.mark.django_db
def test_mail_is_in_the_household_language_and_friendly(school_a, mailoutbox):
    unsigned_agreement(school_a, family(school_a, language="en", email="en@example.org"),
                       created_on=ON - timedelta(days=3))
    unsigned_agreement(school_a, family(school_a, language="fr", email="fr@example.org"),
                       created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    assert dict(Reminder.objects.values_list("household__guardians__email", "language")) == {
        "en@example.org": "en", "fr@example.org": "fr"}
    english = next(m for m in mailoutbox if m.to == ["en@example.org"])
    assert english.subject == "Reminder: the agreement for the school device"
    assert school_a.name in english.body
    assert "We are happy to help." in english.body
    assert "Mohammed" not in english.body  # never the child's name
    assert any(m.to == ["fr@example.org"] and m.subject for m in mailoutbox)


@pytest.mark.django_db
def test_sms_paper_coordinator_and_no_address(school_a, coordinator_a, mailoutbox):
    sms_sent.clear()
    created = ON - timedelta(days=3)
    unsigned_agreement(school_a, family(school_a, channel="sms", phone="+32470000001"), created_on=created)
    unsigned_agreement(school_a, family(school_a, channel="paper"), created_on=created)
    nobody = HouseholdFactory(school=school_a, contact_channel="email")
    unsigned_agreement(school_a, nobody, created_on=created)
    overdue = loan_for(school_a, family(school_a), due_on=ON - timedelta(days=30))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    statuses = dict(Reminder.objects.exclude(household=nobody).exclude(kind=K.COORDINATOR_DIGEST)
                    .values_list("channel", "status"))
    assert statuses == {"sms": "sent", "paper": "paper", "coordinator": "sent"}
    # Nobody can be reached by e-mail or SMS: the family gets a letter, on the coordinator's print list.
    assert Reminder.objects.get(household=nobody).status == "paper"
    assert [to for to, _text in sms_sent] == ["+32470000001"]
    # The overdue note and the day's digest; nothing for the paper family or the one without address.
    assert [m.to for m in mailoutbox] == [[coordinator_a.email]] * 2
    assert Reminder.objects.get(subject_id=overdue.pk, kind=K.OVERDUE).step == 4


@pytest.mark.django_db
def test_a_reminder_whose_subject_was_handled_meanwhile_is_skipped(school_a, mailoutbox):
    agreement = unsigned_agreement(school_a, family(school_a), created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    Agreement.objects.filter(pk=agreement.pk).update(status="signed", signed_at=MORNING, signed_method="online")
    reminders.send_pending(now=MORNING)
    assert Reminder.objects.get().status == "skipped"
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_run_killed_half_way_sends_the_rest_exactly_once(school_a, mailoutbox):
    for _ in range(5):
        unsigned_agreement(school_a, family(school_a), created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)
    assert reminders.send_pending(now=MORNING, limit=2) == 2
    # A crashed run: one row claimed but never sent, recently.
    crashed = Reminder.objects.filter(status="pending").first()
    Reminder.objects.filter(pk=crashed.pk).update(status="sending", claimed_at=MORNING)
    assert reminders.send_pending(now=MORNING + timedelta(minutes=15)) == 2
    assert len(mailoutbox) == 4
    assert Reminder.objects.get(pk=crashed.pk).status == "sending"  # not yet: it may still be sending
    assert reminders.send_pending(now=MORNING + timedelta(minutes=75)) == 1
    assert reminders.send_pending(now=MORNING + timedelta(minutes=90)) == 0
    assert len(mailoutbox) == 5
    assert len({tuple(m.to) for m in mailoutbox}) == 5


# --- the command ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_prints_and_writes_and_sends_nothing(school_a, mailoutbox):
    household = family(school_a, language="fr")
    unsigned_agreement(school_a, household, created_on=ON - timedelta(days=3))
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--date", ON.isoformat(), stdout=out)
    output = out.getvalue()
    assert "agreement_unsigned\tstep 1\temail\tfr\t" + school_a.name in output
    assert "Mohammed" not in output and household.name not in output
    assert Reminder.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_manual_run_uses_the_same_records_as_the_nightly_job(school_a, mailoutbox):
    unsigned_agreement(school_a, family(school_a), created_on=ON - timedelta(days=3))
    with time_machine.travel(MORNING, tick=False):
        call_command("send_reminders", "--date", ON.isoformat(), stdout=StringIO())
        assert len(mailoutbox) == 1
        plan_nightly_reminders.delay(on=ON.isoformat())
        send_due_reminders.delay()
    assert Reminder.objects.count() == 1
    assert len(mailoutbox) == 1


# --- a real worker on Redis ----------------------------------------------------------------------


@pytest.fixture
def worker(celery_worker):
    """The real worker; the mail files this test makes are removed after it, because the mail
    directory is shared by the session and other worker tests read the first file in it."""
    before = set(celery_worker.mail_dir.glob("*.log"))
    yield celery_worker
    for path in set(celery_worker.mail_dir.glob("*.log")) - before:
        path.unlink(missing_ok=True)


def _worker_mail(worker, addresses):
    text = "".join(path.read_text() for path in worker.mail_dir.glob("*.log"))
    return [address for address in addresses for _ in range(text.count(f"To: {address}"))]


@pytest.mark.worker
def test_the_worker_sends_each_reminder_once(worker, school_a):
    addresses = [f"worker-{n}@example.org" for n in range(4)]
    for address in addresses:
        unsigned_agreement(school_a, family(school_a, email=address), created_on=ON - timedelta(days=3))
    now = MORNING.isoformat()
    assert plan_nightly_reminders.delay(on=ON.isoformat(), now=now).get(timeout=30) == 4
    # A first run stops after two (as if it was killed half-way); the next ones send the rest.
    assert send_due_reminders.delay(now=now, limit=2).get(timeout=30) == 2
    assert send_due_reminders.delay(now=now).get(timeout=30) == 2
    assert wait_for(lambda: len(_worker_mail(worker, addresses)) == 4)
    # Beat firing twice: nothing new is planned or sent.
    plan_nightly_reminders.delay(on=ON.isoformat(), now=now).get(timeout=30)
    assert send_due_reminders.delay(now=now).get(timeout=30) == 0
    assert sorted(_worker_mail(worker, addresses)) == sorted(addresses)
    assert Reminder.objects.filter(status="sent").count() == 4


@pytest.mark.worker
def test_the_worker_sends_nothing_at_night(worker, school_a):
    address = "night@example.org"
    unsigned_agreement(school_a, family(school_a, email=address), created_on=ON - timedelta(days=3))
    night = datetime(2026, 3, 10, 2, 0, tzinfo=BRUSSELS).isoformat()
    plan_nightly_reminders.delay(on=ON.isoformat(), now=night).get(timeout=30)
    assert send_due_reminders.delay(now=night).get(timeout=30) == 0
    assert timezone.localtime(Reminder.objects.get().due_at, BRUSSELS).hour == 8
    assert _worker_mail(worker, [address]) == []
    assert send_due_reminders.delay(now=datetime(2026, 3, 10, 8, 5, tzinfo=BRUSSELS).isoformat()).get(timeout=30) == 1
    assert wait_for(lambda: _worker_mail(worker, [address]) == [address])


@pytest.mark.django_db
def test_a_mail_server_failure_leaves_the_row_for_a_retry_an_hour_later(school_a, mailoutbox, monkeypatch):
    unsigned_agreement(school_a, family(school_a), created_on=ON - timedelta(days=3))
    reminders.create_due_reminders(on=ON, now=MORNING)

    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr(messages.EmailMessage, "send", refuse)
        assert reminders.send_pending(now=MORNING) == 0
    assert Reminder.objects.get().status == "sending"
    assert reminders.send_pending(now=MORNING + timedelta(minutes=30)) == 0
    assert reminders.send_pending(now=MORNING + timedelta(minutes=61)) == 1
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("language, subjects", [
    ("nl", {"Herinnering: de afspraken voor het toestel van school",
            "Het toestel van school gaat binnenkort terug naar school",
            "Het toestel van school gaat vandaag terug naar school", "Het toestel van school: breng het graag terug",
            "Je gratis internetcode stopt binnenkort", "Je gratis internetcode: heb je hulp nodig?",
            "Een korte vraag van de school"}),
    ("fr", {"Rappel : l'accord pour l'appareil de l'école", "L'appareil de l'école retourne bientôt à l'école",
            "L'appareil de l'école retourne à l'école aujourd'hui", "L'appareil de l'école : merci de le rapporter",
            "Votre code internet gratuit s'arrête bientôt", "Votre code internet gratuit : vous avez besoin d'aide ?",
            "Une petite question de l'école"}),
])
@pytest.mark.django_db
def test_every_kind_reaches_the_family_in_its_language(school_a, mailoutbox, language, subjects):
    """One family with a subject for every kind; one night and one morning send each in its language."""
    household = family(school_a, language=language, email="family@example.org")
    unsigned_agreement(school_a, household, created_on=ON - timedelta(days=3))
    loan_for(school_a, household, due_on=ON + timedelta(days=14))
    loan_for(school_a, household, due_on=ON)
    loan_for(school_a, household, due_on=ON - timedelta(days=7))
    internet_code(school_a, household, issued_on=ON - timedelta(days=60), activated=True,
                  valid_until=ON + timedelta(days=14), code="EXP")
    internet_code(school_a, household, issued_on=ON - timedelta(days=14), valid_until=ON + timedelta(days=300),
                  code="NEW")
    survey_invite(school_a, household, sent_on=ON - timedelta(days=7))
    reminders.create_due_reminders(on=ON, now=MORNING)
    reminders.send_pending(now=MORNING)
    assert {m.subject for m in mailoutbox} == subjects
    assert all(m.to == ["family@example.org"] for m in mailoutbox)
    assert len(mailoutbox) == 7


@pytest.mark.django_db
@pytest.mark.parametrize("ended", ["family left the school", "family data erased"])
def test_no_reminder_kind_is_planned_or_sent_for_an_ended_subject(school_a, ended):
    """Each kind against an ended subject: a returned loan, an agreement of an ended loan, a code and a
    survey of a family that left (or was erased), a digest of a school with nothing left to tell."""
    from households.models import Household, Pupil

    household = family(school_a)
    agreement = unsigned_agreement(school_a, household, created_on=ON - timedelta(days=3))
    loan = loan_for(school_a, household, due_on=ON)
    unused = internet_code(school_a, household, issued_on=ON - timedelta(days=14), valid_until=ON + timedelta(days=14),
                           code="ENDED")
    invite = survey_invite(school_a, household, sent_on=ON - timedelta(days=7))
    live = planned(ON)
    assert {(K.AGREEMENT_UNSIGNED, agreement.pk, 1), (K.RETURN_DUE, loan.pk, 2), (K.CODE_EXPIRING, unused.pk, 20260324),
            (K.CODE_NOT_ACTIVATED, unused.pk, 1), (K.SURVEY_UNANSWERED, invite.pk, 1)} <= live
    reminders.create_due_reminders(on=ON, now=MORNING)  # planned the night before it ended

    Loan.objects.filter(pk__in=[loan.pk, agreement.loan_id]).update(status="returned", returned_at=at(ON))
    Agreement.objects.filter(pk=agreement.pk).update(status="ended")
    if ended == "family left the school":
        Pupil.objects.filter(household=household).update(active=False, left_on=ON)
    else:
        Household.objects.filter(pk=household.pk).update(anonymised_at=at(ON))
    assert planned(ON) == set()
    from django.core import mail

    mail.outbox.clear()
    reminders.send_pending(now=MORNING)
    statuses = set(Reminder.objects.exclude(kind=K.COORDINATOR_DIGEST).values_list("status", flat=True))
    assert statuses == {Reminder.Status.SKIPPED} and mail.outbox == []
