"""Internet codes: import (all or nothing), hand-out with a letter, activation, extension, attention list."""
import io
import shutil
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from households import codes, selectors
from households.models import InternetCode
from portal.models import AuditEvent
from portal.sms import outbox as sms_sent
from tests.pdftext import pdf_text

from ..factories import GuardianFactory, HouseholdFactory, SchoolFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


GOOD = ("provider;code;valid until\n"
        "Telenet;TN-AAAA-1111;2027-06-30\n"
        "Telenet;TN-BBBB-2222;30/06/2027\n"
        "Proximus;PX-CCCC-3333;2027-08-31\n").encode()


def upload(client, data: bytes, url="code_import", **extra):
    return client.post(reverse(url), {"file": io.BytesIO(data), **extra}, format="multipart")


def make_code(school, code="TN-SECRET-9", provider="Telenet", valid_until=None, **kwargs):
    return InternetCode.objects.create(school=school, provider=provider, code=code,
                                       valid_until=valid_until or timezone.localdate() + timedelta(days=200), **kwargs)


@time_machine.travel("2026-11-23 10:00 +0100", tick=False)
def test_import_creates_every_code_for_the_school(client_as, coordinator_a, school_a):
    response = upload(client_as(coordinator_a), GOOD, batch="Levering 12")
    assert response.status_code == 302
    imported = InternetCode.objects.filter(school=school_a).order_by("code")
    assert [c.code for c in imported] == ["PX-CCCC-3333", "TN-AAAA-1111", "TN-BBBB-2222"]
    assert imported[1].valid_until == date(2027, 6, 30) == imported[2].valid_until
    assert {c.batch for c in imported} == {"Levering 12"}
    event = AuditEvent.objects.get(action="internet_codes.imported")
    assert event.after["count"] == 3
    assert "TN-AAAA" not in str(event.before) + str(event.after)


@time_machine.travel("2026-11-23 10:00 +0100", tick=False)
def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row(client_as, coordinator_a, school_a):
    make_code(SchoolFactory(), code="TN-TAKEN-0000")  # another school's: a provider's code exists once
    data = ("provider;code;valid until\n"
            "Telenet;TN-OK-1;2027-06-30\n"
            ";TN-NO-PROVIDER;2027-06-30\n"
            "Telenet;TN-BAD-DATE;soon\n"
            "Telenet;TN-OK-1;2027-06-30\n"
            "Telenet;TN-PAST;2020-01-01\n"
            "Telenet;TN-TAKEN-0000;2027-06-30\n").encode()
    response = upload(client_as(coordinator_a), data)
    assert response.status_code == 200
    html = response.content.decode()
    lines = [error.line for error in response.context["errors"]]
    assert lines == [3, 4, 5, 6, 7]
    assert "the same code is on line 2" in html
    assert "this code was already imported" in html
    assert InternetCode.objects.filter(school=school_a).count() == 0
    # The error list names lines, never the secret codes themselves.
    assert "TN-TAKEN-0000" not in html and "TN-OK-1" not in html


def test_the_management_command_imports_and_rejects(school_a, tmp_path):
    good = tmp_path / "codes.csv"
    good.write_bytes(GOOD)
    out = io.StringIO()
    call_command("import_internet_codes", str(good), school=school_a.instellingsnummer, stdout=out)
    assert InternetCode.objects.filter(school=school_a).count() == 3
    errors = io.StringIO()
    with pytest.raises(CommandError, match="3 problems; nothing was imported"):
        call_command("import_internet_codes", str(good), school=school_a.instellingsnummer, stderr=errors)
    assert [line.split(":")[0] for line in errors.getvalue().splitlines()] == ["line 2", "line 3", "line 4"]
    assert InternetCode.objects.filter(school=school_a).count() == 3


def test_hand_out_gives_the_soonest_expiring_free_code_and_the_letter_carries_it(
        client_as, coordinator_a, school_a, settings):
    household = HouseholdFactory(school=school_a, preferred_language="fr")
    later = make_code(school_a, code="TN-LATER-1", valid_until=timezone.localdate() + timedelta(days=300))
    sooner = make_code(school_a, code="TN-SOONER-1", valid_until=timezone.localdate() + timedelta(days=100))
    client = client_as(coordinator_a)
    response = client.post(reverse("code_hand_out", args=[household.pk]), {"provider": ""})
    sooner.refresh_from_db()
    later.refresh_from_db()
    assert response["Location"] == reverse("code_detail", args=[sooner.pk])
    assert sooner.household == household and sooner.issued_by == coordinator_a and sooner.issued_at
    assert later.household is None
    event = AuditEvent.objects.get(action="internet_code.handed_out")
    assert "TN-SOONER-1" not in str(event.before) + str(event.after)

    detail = client.get(response["Location"]).content.decode()
    assert "TN-SOONER-1" in detail  # the coordinator who handed it out sees it
    letter = client.get(reverse("code_letter", args=[sooner.pk]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert "no-store" in letter["Cache-Control"]
    if shutil.which("pdftotext"):
        text = pdf_text(letter.content)
        assert "TN-SOONER-1" in text
        assert "Internet gratuit" in text or "Free internet at home" in text  # French once the catalog is compiled


def test_the_letters_of_every_code_not_printed_yet_come_as_one_private_document(
        client_as, coordinator_a, school_a, django_user_model, settings, tmp_path):
    from portal.models import Job, Role

    from ..jobs import downloaded, started_job

    settings.MEDIA_ROOT = tmp_path
    families = [HouseholdFactory(school=school_a, name=f"Familie {n}", preferred_language=language)
                for n, language in enumerate(("nl", "fr", "ar"))]
    for n, family in enumerate(families):
        make_code(school_a, code=f"TN-BATCH-{n}")
        codes.code_hand_out(school=school_a, household=family, by=coordinator_a)
    make_code(school_a, code="TN-DONE-9")
    printed = codes.code_hand_out(school=school_a, household=HouseholdFactory(school=school_a), by=coordinator_a)
    codes.code_letter_printed(codes=[printed], by=coordinator_a)
    client = client_as(coordinator_a)
    page = client.get(reverse("code_list")).content.decode()
    assert "Print the letters of 3 codes you handed out (PDF)" in page
    job = started_job(client, reverse("code_letters"), {"job_key": "print"})
    assert job.private and job.status == Job.Status.DONE and job.message == "3 letters with an internet code."
    if shutil.which("pdftotext"):
        text = pdf_text(downloaded(client, job))
        assert all(f"TN-BATCH-{n}" in text for n in range(3)) and "TN-DONE-9" not in text
    assert not codes.letters_waiting(school_a, coordinator_a).exists()
    assert AuditEvent.objects.filter(action="internet_code.letter_printed").count() == 4
    assert "Print the letters of" not in client.get(reverse("code_list")).content.decode()
    # The codes are the coordinator's who handed them out: a colleague sees neither document nor codes.
    colleague = django_user_model.objects.create_user(email="collega@devlieger.test", password="x-y-z-123456")
    Role.objects.create(user=colleague, kind=Role.Kind.COORDINATOR, school=school_a)
    other = client_as(colleague)
    assert other.get(reverse("document_download", args=[job.pk])).status_code == 404
    assert reverse("document_detail", args=[job.pk]) not in other.get(reverse("document_list")).content.decode()


def test_other_coordinators_of_the_school_do_not_see_the_code(client_as, coordinator_a, school_a, django_user_model):
    from portal.models import Role

    colleague = django_user_model.objects.create_user(email="collega@devlieger.test", password="x-y-z-123456")
    Role.objects.create(user=colleague, kind=Role.Kind.COORDINATOR, school=school_a)
    household = HouseholdFactory(school=school_a)
    make_code(school_a, code="TN-HIDDEN-7")
    code = codes.code_hand_out(school=school_a, household=household, by=coordinator_a)
    client = client_as(colleague)
    assert "TN-HIDDEN-7" not in client.get(reverse("code_detail", args=[code.pk])).content.decode()
    assert client.get(reverse("code_letter", args=[code.pk])).status_code == 302


def test_hand_out_without_free_codes_says_so(client_as, coordinator_a, school_a):
    household = HouseholdFactory(school=school_a)
    make_code(SchoolFactory(), code="OTHER-SCHOOL-1")
    response = client_as(coordinator_a).post(reverse("code_hand_out", args=[household.pk]), {}, follow=True)
    assert "There is no free internet code left" in response.content.decode()
    assert not InternetCode.objects.filter(household=household).exists()


def test_send_the_code_by_email_and_sms(client_as, coordinator_a, school_a, django_capture_on_commit_callbacks):
    household = HouseholdFactory(school=school_a)
    GuardianFactory(household=household, email="mama@example.org", phone="+32470000002")
    make_code(school_a, code="TN-MAIL-5")
    code = codes.code_hand_out(school=school_a, household=household, by=coordinator_a)
    client = client_as(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("code_send", args=[code.pk]), {"channel": "email"})
    assert mail.outbox[-1].to == ["mama@example.org"]
    assert "TN-MAIL-5" in mail.outbox[-1].body
    sms_sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("code_send", args=[code.pk]), {"channel": "sms"})
    assert sms_sent[-1][0] == "+32470000002" and "TN-MAIL-5" in sms_sent[-1][1]


def test_activation_by_tick_and_by_the_providers_list(client_as, coordinator_a, school_a):
    first, second = HouseholdFactory(school=school_a), HouseholdFactory(school=school_a)
    make_code(school_a, code="TN-ACT-1", valid_until=timezone.localdate() + timedelta(days=50))
    make_code(school_a, code="TN-ACT-2", valid_until=timezone.localdate() + timedelta(days=60))
    make_code(school_a, code="TN-NOT-OUT", valid_until=timezone.localdate() + timedelta(days=70))
    one = codes.code_hand_out(school=school_a, household=first, by=coordinator_a)
    two = codes.code_hand_out(school=school_a, household=second, by=coordinator_a)
    client = client_as(coordinator_a)

    client.post(reverse("code_activate", args=[one.pk]))
    one.refresh_from_db()
    assert one.activated_at is not None

    bad = upload(client, b"code;activated on\nTN-ACT-2;2026-11-20\nTN-NOT-OUT;\nNOPE-1;\n",
                 url="code_activation_import")
    assert [e.line for e in bad.context["errors"]] == [3, 4]
    two.refresh_from_db()
    assert two.activated_at is None  # all or nothing

    good = upload(client, b"code;activated on\nTN-ACT-2;20/11/2026\nTN-ACT-1;\n", url="code_activation_import")
    assert good.status_code == 302
    two.refresh_from_db()
    assert timezone.localtime(two.activated_at).date() == date(2026, 11, 20)
    assert AuditEvent.objects.filter(action="internet_code.activated").count() == 2


def test_extension_must_be_later_and_is_recorded(client_as, coordinator_a, school_a):
    household = HouseholdFactory(school=school_a)
    make_code(school_a, valid_until=date(2027, 6, 30))
    code = codes.code_hand_out(school=school_a, household=household, by=coordinator_a)
    client = client_as(coordinator_a)
    client.post(reverse("code_extend", args=[code.pk]), {"until": "2027-03-01"})
    code.refresh_from_db()
    assert code.extended_until is None
    client.post(reverse("code_extend", args=[code.pk]), {"until": "2027-12-31"})
    code.refresh_from_db()
    assert code.extended_until == date(2027, 12, 31) and code.expires_on == date(2027, 12, 31)
    assert AuditEvent.objects.filter(action="internet_code.extended", object_id=str(code.pk)).exists()


def test_attention_list_and_counts(client_as, coordinator_a, school_a, school_b, django_assert_max_num_queries):
    today = timezone.localdate()
    household = HouseholdFactory(school=school_a)
    now = timezone.now()
    expiring = make_code(school_a, code="E-1", valid_until=today + timedelta(days=10), household=household,
                         issued_at=now - timedelta(days=2), activated_at=now)
    never = make_code(school_a, code="N-1", household=household, issued_at=now - timedelta(days=20))
    fine = make_code(school_a, code="F-1", household=household, issued_at=now - timedelta(days=20),
                     activated_at=now - timedelta(days=19))
    fresh = make_code(school_a, code="R-1", household=household, issued_at=now - timedelta(days=3))
    extended = make_code(school_a, code="X-1", valid_until=today + timedelta(days=5),
                         extended_until=today + timedelta(days=90), household=household,
                         issued_at=now - timedelta(days=30), activated_at=now)
    make_code(school_a, code="FREE-1")
    make_code(school_b, code="B-1", household=HouseholdFactory(school=school_b), issued_at=now)

    attention = set(selectors.codes_needing_attention(InternetCode.objects.filter(school=school_a)))
    assert attention == {expiring, never}
    assert fine not in attention and fresh not in attention and extended not in attention

    counts = selectors.internet_code_counts([school_a.pk, school_b.pk])
    assert counts[school_a.pk] == {"total": 6, "available": 1, "issued": 5, "activated": 3, "activation_rate": 0.6}
    assert counts[school_b.pk]["issued"] == 1 and counts[school_b.pk]["activation_rate"] == 0

    client = client_as(coordinator_a)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("code_list")).content.decode()
    for secret in ("E-1", "N-1", "F-1", "R-1", "X-1", "FREE-1", "B-1"):
        assert f">{secret}<" not in html and f" {secret} " not in html
    assert html.count(f'data-code="{expiring.pk}"') == 2  # in the attention list and the hand-out list


def test_codes_never_appear_in_list_pages_or_str(client_as, coordinator_a, school_a):
    household = HouseholdFactory(school=school_a)
    make_code(school_a, code="ZZ-SECRET-CODE-42")
    code = codes.code_hand_out(school=school_a, household=household, by=coordinator_a)
    client = client_as(coordinator_a)
    for url in (reverse("code_list"), reverse("household_list"), reverse("household_detail", args=[household.pk])):
        assert "ZZ-SECRET-CODE-42" not in client.get(url).content.decode(), url
    assert "ZZ-SECRET-CODE-42" not in str(code)


def test_a_coordinator_never_reaches_another_schools_codes(client_as, coordinator_a, school_b):
    household = HouseholdFactory(school=school_b)
    code = make_code(school_b, code="B-ONLY-1", household=household, issued_at=timezone.now())
    client = client_as(coordinator_a)
    for name in ("code_detail", "code_letter"):
        assert client.get(reverse(name, args=[code.pk])).status_code == 404
    for name in ("code_activate", "code_extend", "code_send"):
        response = client.post(reverse(name, args=[code.pk]), {"until": "2030-01-01", "channel": "email"})
        assert response.status_code == 404
    assert client.post(reverse("code_hand_out", args=[household.pk])).status_code == 404
    code.refresh_from_db()
    assert code.activated_at is None and code.extended_until is None
