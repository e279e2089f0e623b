"""The needs survey: sending, link rules, answers and the flags they set, the coordinator's view."""
import hashlib
import re
import shutil
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from households import survey
from households.models import Household, Pupil, SurveyAnswer, SurveyInvite
from portal.models import AuditEvent, Job
from portal.sms import outbox as sms_sent
from tests.pdftext import pdf_text

from ..factories import GuardianFactory, HouseholdFactory, PupilFactory
from ..jobs import started_job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ANSWERS = {"computer": "shared", "shared_with": "3", "internet": "weak", "wants_device": "yes",
           "wants_internet": "no", "wants_help": "yes"}


@pytest.fixture
def families(school_a):
    """5A: an e-mail family with two children (one in 3B), an SMS family, a family without contact details."""
    mail_family = HouseholdFactory(school=school_a, name="Familie Mail", contact_channel="email")
    GuardianFactory(household=mail_family, email="ouder@example.org")
    sms_family = HouseholdFactory(school=school_a, name="Familie Sms", contact_channel="sms",
                                  preferred_language="fr")
    GuardianFactory(household=sms_family, email="", phone="+32470000003")
    paper_family = HouseholdFactory(school=school_a, name="Familie Papier", contact_channel="email")
    GuardianFactory(household=paper_family, email="")
    pupils = {
        "mail": PupilFactory(school=school_a, household=mail_family, class_name="5A", grade=5),
        "mail_sibling": PupilFactory(school=school_a, household=mail_family, class_name="3B", grade=3),
        "sms": PupilFactory(school=school_a, household=sms_family, class_name="5A", grade=5),
        "paper": PupilFactory(school=school_a, household=paper_family, class_name="5B", grade=5),
        "other_grade": PupilFactory(school=school_a, class_name="2A", grade=2),
    }
    return pupils


def create(client, **data):
    return client.post(reverse("survey_create"), {"title": "Computer thuis", "channel": "household", **data})


def token_from(text):
    return re.search(r"/q/([A-Za-z0-9_-]+)/", text).group(1)


def test_sending_invites_every_family_once_by_its_channel(
        client_as, coordinator_a, school_a, families, django_capture_on_commit_callbacks):
    sms_sent.clear()
    client = client_as(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = create(client, grades=["5"])
    assert response.status_code == 302
    invites = {i.household.name: i for i in SurveyInvite.objects.select_related("household")}
    assert set(invites) == {"Familie Mail", "Familie Sms", "Familie Papier"}
    assert invites["Familie Mail"].channel == "email" and invites["Familie Mail"].sent_at
    assert invites["Familie Sms"].channel == "sms"
    assert invites["Familie Papier"].channel == "paper" and invites["Familie Papier"].sent_at is None
    assert all(i.reminded_at is None for i in invites.values())
    assert mail.outbox[-1].to == ["ouder@example.org"]
    token = token_from(mail.outbox[-1].body)
    assert len(token) >= 22  # at least 128 bits
    assert invites["Familie Mail"].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert sms_sent[-1][0] == "+32470000003" and "/q/" in sms_sent[-1][1]
    # Only hashes are stored.
    assert not SurveyInvite.objects.filter(token_hash=token).exists()
    assert AuditEvent.objects.filter(action="survey.created").exists()


def test_a_class_can_be_chosen_instead_of_a_grade(client_as, coordinator_a, families):
    create(client_as(coordinator_a), class_names=["5B"])
    assert list(SurveyInvite.objects.values_list("household__name", flat=True)) == ["Familie Papier"]
    response = create(client_as(coordinator_a))
    assert response.status_code == 200 and response.context["form"].errors


def test_printed_letters_make_new_links_one_page_per_household(client_as, coordinator_a, families, settings,
                                                               django_capture_on_commit_callbacks, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(coordinator_a)
    create(client, grades=["5"])
    created = SurveyInvite.objects.get(household__name="Familie Papier")
    old_hash = created.token_hash
    # Made by a worker (here in-process, after commit); the coordinator lands on its progress page.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("survey_letters", args=[created.survey_id]))
    job = Job.objects.get(kind=Job.Kind.SURVEY_LETTERS)
    assert response.status_code == 302 and response["Location"] == reverse("document_detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.message.startswith("1 letter with a new link")
    download = client.get(reverse("document_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    created.refresh_from_db()
    assert created.token_hash != old_hash and created.sent_at is not None
    if shutil.which("pdftotext"):
        text = pdf_text(b"".join(download.streaming_content))
        assert "Familie Papier" in text and "Familie Mail" not in text
        token = token_from(text.replace(" ", ""))
        assert survey.lookup(token).state == "ok"


def _invite(household, **kwargs):
    survey_row = household.school.surveys.create(title="Test", grades=[5])
    token = "t" * 10 + kwargs.pop("suffix", "abcdefghijklmnopqrstuvwxyz0123456789")
    invite = SurveyInvite.objects.create(survey=survey_row, household=household,
                                         token_hash=hashlib.sha256(token.encode()).hexdigest(), channel="email",
                                         expires_at=kwargs.pop("expires_at", timezone.now() + timedelta(days=30)))
    return invite, token


def test_a_valid_link_shows_the_form_in_the_familys_language(client, school_a):
    household = HouseholdFactory(school=school_a, preferred_language="fr")
    _invite_row, token = _invite(household)
    response = client.get(f"/q/{token}/")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.get(f"/q/{token}/?lang=nl")["Content-Language"] == "nl"


def test_answers_set_flags_and_the_household(client, school_a):
    household = HouseholdFactory(school=school_a)
    first = PupilFactory(school=school_a, household=household)
    second = PupilFactory(school=school_a, household=household)
    invite, token = _invite(household)
    response = client.post(f"/q/{token}/", {**ANSWERS, "lang": "fr"})
    assert response.status_code == 200 and "survey-thanks" in response.content.decode()
    answer = SurveyAnswer.objects.get(invite=invite)
    assert (answer.computer, answer.shared_with, answer.internet) == ("shared", 3, "weak")
    assert (answer.wants_device, answer.wants_internet, answer.wants_help) == (True, False, True)
    assert (answer.answered_by, answer.method, answer.language) == ("family", "online", "fr")
    for pupil in (first, second):
        pupil.refresh_from_db()
        assert pupil.needs_device is True and pupil.needs_internet is True  # weak internet is not adequate
    household.refresh_from_db()
    assert household.device_at_home == Household.Access.SHARED
    assert household.internet_at_home == Household.Access.SHARED


@pytest.mark.parametrize("answers, device, internet", [
    ({"computer": "no", "internet": "good", "wants_device": "no", "wants_internet": "no"}, True, False),
    ({"computer": "yes", "internet": "no", "wants_device": "no", "wants_internet": "no"}, False, True),
    ({"computer": "yes", "internet": "good", "wants_device": "no", "wants_internet": "yes"}, False, True),
    ({"computer": "yes", "internet": "good", "wants_device": "no", "wants_internet": "no"}, False, False),
    ({"computer": "shared", "internet": "weak", "wants_device": "no", "wants_internet": "no"}, False, True),
    ({"computer": "shared", "internet": "good", "wants_device": "yes", "wants_internet": "no"}, True, False),
])
def test_flags_derived_from_answers(client, school_a, answers, device, internet):
    household = HouseholdFactory(school=school_a)
    pupil = PupilFactory(school=school_a, household=household)
    _invite_row, token = _invite(household)
    client.post(f"/q/{token}/", {"wants_help": "no", **answers})
    pupil.refresh_from_db()
    assert (pupil.needs_device, pupil.needs_internet) == (device, internet)


def test_a_used_link_cannot_answer_again(client, school_a):
    household = HouseholdFactory(school=school_a)
    invite, token = _invite(household)
    client.post(f"/q/{token}/", ANSWERS)
    again = client.post(f"/q/{token}/", {**ANSWERS, "computer": "no"})
    assert again.status_code == 200 and "link-problem" in again.content.decode()
    assert SurveyAnswer.objects.get(invite=invite).computer == "shared"
    assert SurveyAnswer.objects.count() == 1


def test_an_expired_link_changes_nothing(client, school_a):
    household = HouseholdFactory(school=school_a)
    pupil = PupilFactory(school=school_a, household=household)
    invite, token = _invite(household)
    with time_machine.travel(timezone.now() + timedelta(days=survey.LINK_DAYS + 1)):
        page = client.get(f"/q/{token}/?lang=en")
        posted = client.post(f"/q/{token}/", ANSWERS)
    assert page.status_code == 410 and posted.status_code == 410
    assert "This link is too old" in page.content.decode()
    pupil.refresh_from_db()
    assert not SurveyAnswer.objects.exists() and pupil.needs_device is False


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
    lambda t: t[:-3],  # cut short
    lambda t: "x" * 200,  # too long: no query at all
    lambda t: "unknown-token",
])
def test_tampered_or_unknown_links_get_a_friendly_404(client, school_a, mangle):
    household = HouseholdFactory(school=school_a)
    _invite_row, token = _invite(household)
    response = client.post(f"/q/{mangle(token)}/", {**ANSWERS, "lang": "en"})
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_new_tokens_are_unguessable():
    from portal.tokens import new_token

    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50 and all(len(t) >= 43 for t in tokens)


def test_coordinator_records_a_paper_answer_and_sees_the_rate_per_class(
        client_as, coordinator_a, families, django_assert_max_num_queries):
    client = client_as(coordinator_a)
    create(client, grades=["5"])
    invite = SurveyInvite.objects.get(household__name="Familie Papier")
    response = client.post(reverse("survey_record", args=[invite.pk]), {**ANSWERS, "method": "paper"})
    assert response.status_code == 302
    answer = SurveyAnswer.objects.get(invite=invite)
    assert (answer.answered_by, answer.method, answer.recorded_by) == ("coordinator", "paper", coordinator_a)
    families["paper"].refresh_from_db()
    assert families["paper"].needs_device is True

    with django_assert_max_num_queries(12):
        detail = client.get(reverse("survey_detail", args=[invite.survey_id]))
    rates = {row["class_name"]: (row["invited"], row["answered"]) for row in detail.context["by_class"]}
    assert rates == {"5A": (2, 0), "5B": (1, 1)}
    html = detail.content.decode()
    assert f"/desk/handout/?pupil={families['paper'].pk}" in html
    assert reverse("code_hand_out", args=[invite.household_id]) in html  # weak internet: one click hands out a code
    with django_assert_max_num_queries(8):
        listed = client.get(reverse("survey_list"))
    assert [(s.invited, s.answered) for s in listed.context["page"]] == [(3, 1)]


def test_letters_that_fail_to_render_change_no_link(client_as, coordinator_a, families, settings, tmp_path,
                                                    monkeypatch):
    """New links are committed only with the stored PDF: a render that fails leaves the printed letters working."""
    settings.MEDIA_ROOT = tmp_path
    client = client_as(coordinator_a)
    create(client, grades=["5"])
    before = dict(SurveyInvite.objects.values_list("pk", "token_hash"))

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint ran out of memory")

    monkeypatch.setattr(survey, "htmls_to_pdf", broken)
    job = started_job(client, reverse("survey_letters", args=[SurveyInvite.objects.first().survey_id]))
    assert job.status == Job.Status.FAILED and not job.file
    assert dict(SurveyInvite.objects.values_list("pk", "token_hash")) == before
    assert not AuditEvent.objects.filter(action="survey.letters_printed").exists()


def test_other_schools_surveys_are_404(client_as, coordinator_a, school_b):
    household = HouseholdFactory(school=school_b)
    invite, _token = _invite(household)
    client = client_as(coordinator_a)
    assert client.get(reverse("survey_detail", args=[invite.survey_id])).status_code == 404
    assert client.post(reverse("survey_letters", args=[invite.survey_id])).status_code == 404
    assert client.post(reverse("survey_record", args=[invite.pk]), {**ANSWERS, "method": "phone"}).status_code == 404
    assert not SurveyAnswer.objects.exists()
    assert not Pupil.objects.filter(needs_device=True).exists()
