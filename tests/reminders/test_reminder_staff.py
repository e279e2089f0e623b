"""What the coordinator gets and sees of the reminders: the daily digest, the texts, the paper letters."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from lending.models import AgreementTerms, Device, Repair
from portal.models import AuditEvent, Role
from reminders import services as reminders
from reminders import texts as reminder_texts
from reminders.models import Reminder
from tests.factories import DeviceFactory, GuardianFactory, HouseholdFactory, LoanFactory, PupilFactory
from tests.jobs import downloaded, started_job
from tests.pdftext import pdf_text

BRUSSELS = ZoneInfo("Europe/Brussels")
ON = date(2026, 3, 10)
MORNING = datetime(2026, 3, 10, 9, 0, tzinfo=BRUSSELS)
K = Reminder.Kind
pytestmark = pytest.mark.django_db


def loan_due(school, due_on, *, tag, language="nl", channel="email", first_name="Yasmina", class_name="3B"):
    household = HouseholdFactory(school=school, preferred_language=language, contact_channel=channel)
    GuardianFactory(household=household, email=f"{tag.lower()}@example.org")
    pupil = PupilFactory(school=school, household=household, first_name=first_name, class_name=class_name)
    return LoanFactory(device=DeviceFactory(school=school, asset_tag=tag), pupil=pupil, due_on=due_on)


def run(on=ON, now=MORNING):
    reminders.create_due_reminders(on=on, now=now)
    reminders.send_pending(now=now)


def digests(mailoutbox):
    return [m for m in mailoutbox if m.subject.startswith(("Uitleenportaal", "Lending portal"))]


# --- the daily digest ----------------------------------------------------------------------------


def test_the_digest_lists_overdue_due_unsigned_and_long_repairs_without_names(
        school_a, school_b, coordinator_a, mailoutbox):
    loan_due(school_a, ON - timedelta(days=2), tag="LATE-1", first_name="Yasmina")
    loan_due(school_a, ON + timedelta(days=5), tag="SOON-1")
    loan_due(school_a, ON + timedelta(days=40), tag="LATER-1")  # not due yet: not in the digest
    broken = DeviceFactory(school=school_a, asset_tag="FIX-1", status=Device.Status.IN_REPAIR)
    Repair.objects.create(device=broken, sent_at=MORNING - timedelta(days=30))
    loan_due(school_b, ON - timedelta(days=2), tag="OTHER-1")  # school B has no coordinator: no digest
    run()
    [digest] = digests(mailoutbox)
    assert digest.to == [coordinator_a.email]
    assert digest.subject == "Uitleenportaal: uw overzicht van 10 maart 2026"
    body = digest.body
    assert "Te laat (niet op tijd teruggebracht): 1\n  LATE-1" in body
    assert "Terug te brengen binnen 14 dagen: 1\n  SOON-1" in body
    assert "Langer dan 21 dagen in herstelling: 1\n  FIX-1" in body
    assert "LATER-1" not in body and "OTHER-1" not in body
    assert "Yasmina" not in body and "3B" not in body  # asset tags only, never a child
    assert digest.extra_headers["Message-ID"].startswith(f"<reminder-{Reminder.objects.get(kind=K.COORDINATOR_DIGEST).pk}-nl@")


def test_one_digest_a_day_in_each_coordinators_language(school_a, coordinator_a, mailoutbox):
    english = Role.objects.create(kind=Role.Kind.COORDINATOR, school=school_a,
                                  user=type(coordinator_a).objects.create_user(
                                      email="english@school.test", password="x-long-password-1",
                                      preferred_language="en")).user
    loan_due(school_a, ON - timedelta(days=2), tag="LATE-1")
    run()
    run()  # beat twice, or a manual run after the nightly one
    run(on=ON, now=MORNING + timedelta(hours=3))
    by_address = {tuple(m.to): m.subject for m in digests(mailoutbox)}
    assert by_address == {(coordinator_a.email,): "Uitleenportaal: uw overzicht van 10 maart 2026",
                          (english.email,): "Lending portal: your overview of 10 March 2026"}
    run(on=ON + timedelta(days=1), now=MORNING + timedelta(days=1))  # the next day: a new digest
    assert len(digests(mailoutbox)) == 4


def test_no_digest_on_a_quiet_day_or_when_all_was_handled_before_the_morning(
        school_a, coordinator_a, mailoutbox):
    run()
    assert digests(mailoutbox) == []
    loan = loan_due(school_a, ON - timedelta(days=2), tag="LATE-1")
    reminders.create_due_reminders(on=ON, now=datetime.combine(ON, time(2), tzinfo=BRUSSELS))
    loan.status, loan.returned_at = "returned", MORNING - timedelta(hours=1)
    loan.save()
    reminders.send_pending(now=MORNING)
    assert digests(mailoutbox) == []
    assert Reminder.objects.get(kind=K.COORDINATOR_DIGEST).status == "skipped"


# --- the texts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language, hello, regards", [
    ("nl", "Hallo,", "Vriendelijke groeten,"), ("fr", "Bonjour,", "Bien à vous,"),
    # The other family languages of the agreement (machine-written, to be reviewed by native speakers).
    ("tr", "Merhaba,", "Saygılarımızla,"), ("pl", "Dzień dobry,", "Pozdrawiamy serdecznie,"),
    ("ro", "Bună ziua,", "Cu drag,"), ("uk", "Добрий день,", "З повагою,"), ("ar", "مرحبًا،", "مع أطيب التحيات،"),
])
def test_every_family_text_exists_in_each_family_language(school_a, language, hello, regards):
    AgreementTerms.objects.create(school=school_a, version=1, contact_name="Mevrouw Janssens",
                                  contact_phone="09 123 45 67")
    for kind, step, channel in reminder_texts.PREVIEWS:
        if channel == Reminder.Channel.COORDINATOR:
            continue
        subject, body = reminder_texts.preview(school_a, kind, step, channel, language)
        english_subject, english_body = reminder_texts.preview(school_a, kind, step, channel, "en")
        assert subject != english_subject, (kind, step)
        assert body.startswith(hello) and regards in body, (kind, step)
        # No English sentence left: every line differs from the English text except names and numbers.
        left = set(body.splitlines()) & set(english_body.splitlines())
        assert left <= {"", school_a.name}, (kind, step, left)
        assert "Mevrouw Janssens" in body


def test_return_texts_say_when_and_where(school_a):
    school_a.street, school_a.house_number, school_a.postcode, school_a.municipality = "Kerkstraat", "1", "9000", "Gent"
    _subject, body = reminder_texts.preview(school_a, K.RETURN_DUE, 1, Reminder.Channel.EMAIL, "fr")
    assert "Où : à l'école, Kerkstraat 1, 9000 Gent" in body
    assert "Quand : au plus tard le" in body


def test_the_coordinator_reads_every_text_in_the_familys_language(client_as, coordinator_a, school_a,
                                                                   django_assert_max_num_queries):
    client = client_as(coordinator_a)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("reminder_previews"), {"language": "fr"}).content.decode()
    assert page.count('class="card mb-3"') == len(reminder_texts.PREVIEWS)
    # Seven family texts in French; the two notes and the digest go to coordinators, so they stay in
    # the staff page's language (Dutch), not the family's.
    assert page.count("Bonjour,") == 7 and page.count("Hallo,") == 3
    assert "Uitleenportaal: uw overzicht van" in page and "Portail de prêt" not in page
    assert school_a.name in page
    page = client.get(reverse("reminder_previews"), {"language": "nl"}).content.decode()
    assert "Hallo," in page and "Bonjour" not in page


# --- paper letters -------------------------------------------------------------------------------


def test_paper_families_get_a_printable_letter_in_their_language(client_as, coordinator_a, school_a, school_b,
                                                                 settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    loan_due(school_a, ON - timedelta(days=8), tag="P-1", channel="paper", language="fr",
             first_name="Élise", class_name="2A")
    loan_due(school_a, ON + timedelta(days=5), tag="P-2", channel="paper", language="nl",
             first_name="Noah", class_name="5C")
    loan_due(school_b, ON + timedelta(days=5), tag="P-3", channel="paper", first_name="Otherschool")
    run()
    assert Reminder.objects.filter(status="paper").count() == 3
    client = client_as(coordinator_a)
    page = client.get(reverse("reminder_letters")).content.decode()
    assert "2 brieven wachten om afgedrukt te worden." in page
    job = started_job(client, reverse("reminder_letters_make"))
    assert job.message == "2 brieven." and job.params["upto"] == Reminder.objects.filter(
        school=school_a, status="paper").order_by("pk").last().pk
    text = pdf_text(downloaded(client, job))
    assert "Pour les parents de Élise" in text and "(2A)" in text
    assert "L'appareil de l'école : merci de le rapporter" in text
    assert "Voor de ouders van Noah" in text and "(5C)" in text
    assert "Otherschool" not in text


def test_marking_letters_handed_out_keeps_letters_planned_after_printing(client_as, coordinator_a, school_a):
    loan_due(school_a, ON + timedelta(days=5), tag="P-1", channel="paper")
    run()
    client = client_as(coordinator_a)
    upto = client.get(reverse("reminder_letters")).context["upto"]
    loan_due(school_a, ON + timedelta(days=5), tag="P-2", channel="paper")
    run()  # a letter planned after the coordinator printed
    for _ in range(2):  # a double click marks once
        client.post(reverse("reminder_letters_handed_out"), {"upto": upto})
    letters = Reminder.objects.filter(channel="paper").order_by("pk")
    assert list(letters.values_list("status", flat=True)) == ["sent", "paper"]
    assert AuditEvent.objects.filter(action="reminder.letters_handed_out").count() == 1


def test_the_reminder_list_shows_only_the_own_school_in_bounded_queries(
        client_as, coordinator_a, school_a, school_b, django_assert_max_num_queries):
    for n in range(3):
        loan_due(school_a, ON + timedelta(days=5), tag=f"A-{n}")
    loan_due(school_b, ON + timedelta(days=5), tag="B-0")
    run()
    client = client_as(coordinator_a)
    with django_assert_max_num_queries(12) as small:
        page = client.get(reverse("reminder_list")).content.decode()
    assert page.count("<tr>") == 1 + 3 + 1  # header, three families, the coordinator's digest
    assert Reminder.objects.filter(school=school_a).count() == 4
    for n in range(30):
        loan_due(school_a, ON + timedelta(days=5), tag=f"A-more-{n}")
    run()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("reminder_list"), {"kind": "return_due"})
