"""Jobs on a real Celery worker and Redis (issue 15's "done when"): letters for 300 families come out
of a task whose progress the page can follow, and every one of their links works; a large import
runs on the worker, and a second post of it lands on the same job."""
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from households import survey as surveys
from households.models import Household, InternetCode, SurveyInvite
from portal.models import Job
from tests.pdftext import pdf_text

from ..conftest import wait_for
from ..factories import HouseholdFactory, PupilFactory

pytestmark = pytest.mark.worker

TOKEN_IN_TEXT = re.compile(r"/q/([A-Za-z0-9_-]{43})/")


def follow_progress(client, job_id, timeout=300.0):
    """Poll the page's status URL like static/js/progress.js does; every answer, up to the last."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(reverse("document_status", args=[job_id])).json()
        seen.append(state)
        if state["finished"]:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"the job did not finish in {timeout} s: last {seen[-1]}")


def test_letters_for_300_families_come_from_a_worker_with_progress_and_every_link_works(
        celery_worker, coordinator_a, school_a):
    households = [HouseholdFactory(school=school_a, name=f"Familie {n:03d}", contact_channel="paper")
                  for n in range(300)]
    for household in households:
        PupilFactory(school=school_a, household=household, grade=5)
    survey = surveys.survey_create(school=school_a, title="Computer thuis", grades=[5], class_names=[],
                                   channel="paper", by=coordinator_a, base_url="http://testserver/")
    old_hashes = set(SurveyInvite.objects.values_list("token_hash", flat=True))
    assert len(old_hashes) == 300

    client = Client()
    client.force_login(coordinator_a)
    response = client.post(reverse("survey_letters", args=[survey.pk]), {"job_key": "print-1"})
    job = Job.objects.get(kind=Job.Kind.SURVEY_LETTERS)
    assert response.status_code == 302 and response["Location"] == reverse("document_detail", args=[job.pk])
    # The request only queued the work: no link changed yet.
    assert set(SurveyInvite.objects.values_list("token_hash", flat=True)) == old_hashes

    seen = follow_progress(client, job.pk)
    partway = [state for state in seen if not state["finished"] and 0 < state["done"] < state["total"]]
    assert partway, f"no progress was reported on the way: {seen[:3]} ... {seen[-3:]}"
    assert all(state["total"] == 300 for state in partway)
    assert seen[-1] == {"status": "done", "finished": True, "done": 1, "total": 1}

    job.refresh_from_db()
    assert job.message == "300 brieven met een nieuwe link. Eerder afgedrukte brieven werken niet meer."
    download = client.get(reverse("document_download", args=[job.pk]))
    text = re.sub(r"\s", "", pdf_text(b"".join(download.streaming_content)))
    tokens = TOKEN_IN_TEXT.findall(text)
    assert len(tokens) == 300 == len(set(tokens))
    assert all(surveys.lookup(token).state == "ok" for token in tokens)
    assert not old_hashes & set(SurveyInvite.objects.values_list("token_hash", flat=True))
    assert Household.objects.filter(survey_invites__sent_at__isnull=False).count() == 300


def test_a_large_import_runs_on_the_worker_and_a_second_post_lands_on_the_same_job(
        celery_worker, coordinator_a, school_a, settings):
    settings.IMPORT_ROWS_IN_REQUEST = 5  # decided in the web process; the worker only runs the job
    rows = "\n".join(f"Telenet;TN-{n:04d};2030-06-30" for n in range(40))
    data = f"provider;code;valid until\n{rows}\n".encode()
    client = Client()
    client.force_login(coordinator_a)

    def post():
        from io import BytesIO

        upload = BytesIO(data)
        upload.name = "codes.csv"
        return client.post(reverse("code_import"), {"file": upload, "upload_key": "page-1"})

    first, second = post(), post()
    job = Job.objects.get(kind=Job.Kind.CODE_IMPORT)
    assert first["Location"] == second["Location"] == reverse("document_detail", args=[job.pk])
    assert follow_progress(client, job.pk)[-1]["status"] == "done"
    job.refresh_from_db()
    assert job.message == "40 internetcodes ingelezen." and not job.upload
    assert InternetCode.objects.filter(school=school_a).count() == 40
    page = client.get(reverse("document_detail", args=[job.pk])).content.decode()
    assert "40 internetcodes ingelezen." in page
    assert wait_for(lambda: Job.objects.count() == 1)


def test_a_large_pupil_list_and_device_file_are_written_by_the_worker(celery_worker, coordinator_a, school_a,
                                                                      settings):
    """Issue 13's checked list and device file, above IMPORT_ROWS_IN_REQUEST rows: confirmed in the
    page, written by the worker, followed on the documents page."""
    from io import BytesIO

    from households.models import Pupil
    from lending.models import Device

    settings.IMPORT_ROWS_IN_REQUEST = 5
    client = Client()
    client.force_login(coordinator_a)
    roster = BytesIO(("leerlingnummer;voornaam;naam;klas\n" + "".join(
        f"{n};Kind{n};Familie{n};5A\n" for n in range(1, 41))).encode())
    roster.name = "leerlingen.csv"
    client.post(reverse("pupil_import"), {"file": roster, "preset": "generic"})
    client.post(reverse("pupil_import_columns"), {
        "internal_number": "leerlingnummer", "first_name": "voornaam", "last_name": "naam", "class_name": "klas"})
    form = client.get(reverse("pupil_import_check")).context["confirm_form"]
    answer = client.post(reverse("pupil_import_confirm"),
                         {name: form[name].value() for name in form.fields if name != "mark_leavers"})
    job = Job.objects.get(kind=Job.Kind.ROSTER_IMPORT)
    assert answer["Location"] == reverse("document_detail", args=[job.pk])
    assert follow_progress(client, job.pk)[-1]["status"] == "done"
    assert Pupil.objects.filter(school=school_a, active=True).count() == 40

    devices = BytesIO(("asset_tag;kind;funding_source\n" + "".join(
        f"LT-{n:03d};laptop;digisprong\n" for n in range(30))).encode())
    devices.name = "toestellen.csv"
    client.post(reverse("device_import"), {"file": devices, "preset": "generic"})
    form = client.get(reverse("device_import_check")).context["confirm_form"]
    answer = client.post(reverse("device_import"), {"confirm": "1", **form.initial})
    job = Job.objects.get(kind=Job.Kind.DEVICE_IMPORT)
    assert answer["Location"] == reverse("document_detail", args=[job.pk])
    assert follow_progress(client, job.pk)[-1]["status"] == "done"
    assert Device.objects.filter(school=school_a).count() == 30
    # A second click on the confirm after the worker finished: the job's outcome, not a second import.
    again = client.post(reverse("device_import"), {"confirm": "1", **form.initial})
    assert again["Location"] == reverse("device_list") and Device.objects.filter(school=school_a).count() == 30
