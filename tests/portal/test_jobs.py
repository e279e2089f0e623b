"""portal/jobs.py and the documents page: a job per submitted form, claimed once, its writes committed
with its result, kept a few days, seen only by whom it is for."""
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

import lending.tasks  # noqa: F401  (registers the task the lost job is queued again with)
from households.models import InternetCode
from portal import jobs
from portal.csvfiles import ImportRejected, RowError
from portal.models import Job, Role
from portal.tasks import jobs_housekeeping

from ..concurrency import race
from ..factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class FakeTask:
    """What job_start needs of a Celery task, recording what was queued."""

    name = "tests.fake"

    def __init__(self):
        self.queued = []

    def apply_async(self, args, task_id):
        self.queued.append((args, task_id))


def start(school, user, *, task=None, key="k1", subject="", **kwargs):
    task = task or FakeTask()
    with TestCase.captureOnCommitCallbacks(execute=True):
        job, created = jobs.job_start(school=school, by=user, kind=Job.Kind.LABELS, title="Labels", task=task,
                                      key=key, subject=subject, **kwargs)
    return job, created, task


def test_the_same_key_gives_the_first_job_and_queues_once(school_a, coordinator_a):
    first, created, task = start(school_a, coordinator_a)
    again, created_again, task_again = start(school_a, coordinator_a)
    assert created and not created_again and again == first
    assert task.queued == [([first.pk], first.token)] and task_again.queued == []
    other, created_other, _task = start(school_a, coordinator_a, key="k2")
    assert created_other and other != first


def test_one_active_job_per_subject(school_a, coordinator_a):
    first, _created, _task = start(school_a, coordinator_a, key="a", subject="survey:1")
    second, created, _task = start(school_a, coordinator_a, key="b", subject="survey:1")
    assert not created and second == first
    Job.objects.filter(pk=first.pk).update(status=Job.Status.DONE)
    third, created, _task = start(school_a, coordinator_a, key="c", subject="survey:1")
    assert created and third != first


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_the_same_moment_make_one_job(school_a, coordinator_a):
    task = FakeTask()
    made = []

    def submit():
        job, created = jobs.job_start(school=school_a, by=coordinator_a, kind=Job.Kind.LABELS, title="", task=task,
                                      key="double-click")
        made.append((job.pk, created))

    assert race(submit, submit, own_transaction=False) == ["created", "created"]
    assert Job.objects.count() == 1
    assert sorted(created for _pk, created in made) == [False, True] and len({pk for pk, _created in made}) == 1


def test_a_job_runs_once_and_stores_its_file(school_a, coordinator_a):
    job, _created, _task = start(school_a, coordinator_a)
    calls = []

    def work(job, progress):
        calls.append(job.pk)
        progress(1, 2)  # in-process (no task): a no-op, never an error
        return jobs.Outcome(file=b"%PDF-1.7 labels", filename="labels.pdf", message="Ready")

    assert jobs.run_job(None, job.pk, work) == "done"
    assert jobs.run_job(None, job.pk, work) == "gone or finished"  # a second delivery of the task
    job.refresh_from_db()
    assert calls == [job.pk] and job.status == Job.Status.DONE and job.message == "Ready"
    assert job.file.read() == b"%PDF-1.7 labels" and job.filename == "labels.pdf"
    assert str(school_a.pk) in job.file.name and "labels.pdf" in job.file.name


def test_writes_of_a_refused_job_are_rolled_back_and_every_line_is_kept(school_a, coordinator_a, media):
    job, _created, _task = start(school_a, coordinator_a, upload=b"provider;code\n", upload_name="codes.csv")

    def work(job, progress):
        def write_then_refuse():
            InternetCode.objects.create(school=school_a, provider="Telenet", code="HALF", valid_until="2030-01-01")
            raise ImportRejected([RowError(4, "the code is missing"), RowError(2, "the end date has passed")])
        return jobs.Outcome(file=b"x", filename="x.pdf", then=write_then_refuse)

    assert jobs.run_job(None, job.pk, work) == "refused"
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not job.file and not job.upload
    assert job.errors == [[2, "the end date has passed"], [4, "the code is missing"]]
    assert not InternetCode.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]  # the file made before the refusal is gone


def test_an_unexpected_error_ends_the_job_as_not_done(school_a, coordinator_a):
    job, _created, _task = start(school_a, coordinator_a)

    def work(job, progress):
        raise KeyError("a bug")

    assert jobs.run_job(None, job.pk, work) == "error"
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message.startswith("Something went wrong")


def test_a_newer_document_replaces_the_older_ones_of_its_subject(school_a, coordinator_a):
    def work(job, progress):
        return jobs.Outcome(file=b"letters", filename="letters.pdf", replaces_earlier=True)

    first, _created, _task = start(school_a, coordinator_a, key="a", subject="survey:9")
    jobs.run_job(None, first.pk, work)
    second, _created, _task = start(school_a, coordinator_a, key="b", subject="survey:9")
    jobs.run_job(None, second.pk, work)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Job.Status.REPLACED and not first.file
    assert second.status == Job.Status.DONE and second.file


def test_housekeeping_deletes_old_documents_and_queues_lost_jobs_again(school_a, coordinator_a, settings, media):
    done, _created, _task = start(school_a, coordinator_a, key="done")
    jobs.run_job(None, done.pk, lambda job, progress: jobs.Outcome(file=b"x", filename="x.pdf"))
    done.refresh_from_db()
    stored = done.file.name
    lost, _created, _task = start(school_a, coordinator_a, key="lost")
    stuck, _created, _task = start(school_a, coordinator_a, key="stuck")
    # Queued eleven minutes ago and never started: its message was lost. Queued again, it runs (here in-process).
    Job.objects.filter(pk=lost.pk).update(task_name="lending.tasks.make_labels", params={"device_ids": []},
                                          created_at=timezone.now() - timedelta(minutes=11))
    Job.objects.filter(pk=stuck.pk).update(status=Job.Status.RUNNING, started_at=timezone.now() - timedelta(hours=3))
    Job.objects.filter(pk=done.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    result = jobs_housekeeping()
    assert result == {"removed": 1, "requeued": 1}
    assert not Job.objects.filter(pk=done.pk).exists() and not (media / stored).exists()
    assert Job.objects.get(pk=stuck.pk).status == Job.Status.FAILED
    assert Job.objects.get(pk=lost.pk).status == Job.Status.DONE
    assert settings.DOCUMENTS_KEEP_DAYS == 3
    assert abs(lost.expires_at - lost.created_at - timedelta(days=3)) < timedelta(seconds=5)


# --- the documents page ---------------------------------------------------------------------------


def _done(school, user, *, private=False, key="d"):
    job, _created, _task = start(school, user, key=key, private=private)
    jobs.run_job(None, job.pk, lambda job, progress: jobs.Outcome(file=b"%PDF-1.7 x", filename="x.pdf", message="Ready"))
    return Job.objects.get(pk=job.pk)


def test_the_documents_page_lists_downloads_and_reports_progress(client_as, coordinator_a, school_a):
    ready = _done(school_a, coordinator_a)
    waiting, _created, _task = start(school_a, coordinator_a, key="w")
    client = client_as(coordinator_a)
    page = client.get(reverse("document_list")).content.decode()
    assert reverse("document_download", args=[ready.pk]) in page
    assert f'data-job-status="{reverse("document_status", args=[waiting.pk])}"' in page and "js/progress.js" in page
    assert client.get(reverse("document_status", args=[waiting.pk])).json() == {
        "status": "queued", "finished": False, "done": 0, "total": 0}
    assert client.get(reverse("document_status", args=[ready.pk])).json()["finished"] is True
    download = client.get(reverse("document_download", args=[ready.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="x.pdf"' and "no-store" in download["Cache-Control"]
    assert client.get(reverse("document_download", args=[waiting.pk])).status_code == 404  # nothing to fetch yet


def test_private_documents_are_their_creators_only(client_as, coordinator_a, director_a, school_a):
    mine = _done(school_a, coordinator_a, private=True, key="mine")
    shared = _done(school_a, coordinator_a, key="shared")
    client = client_as(director_a)
    page = client.get(reverse("document_list")).content.decode()
    assert reverse("document_detail", args=[shared.pk]) in page
    assert reverse("document_detail", args=[mine.pk]) not in page
    for name in ("document_detail", "document_status", "document_download"):
        assert client.get(reverse(name, args=[mine.pk])).status_code == 404


def test_another_schools_documents_are_404_and_lop_staff_have_none(client_as, coordinator_b, lop_staff_a, school_a,
                                                                   coordinator_a):
    job = _done(school_a, coordinator_a)
    for name in ("document_detail", "document_status", "document_download"):
        assert client_as(coordinator_b).get(reverse(name, args=[job.pk])).status_code == 404
    assert client_as(lop_staff_a).get(reverse("document_list")).status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_the_documents_page_runs_a_fixed_number_of_queries(client_as, coordinator_a, school_a, count,
                                                           django_assert_max_num_queries):
    others = [UserFactory(email=f"ict{n}@devlieger.test") for n in range(count)]
    for n, user in enumerate(others):
        Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, school=school_a)
        _done(school_a, user, key=f"job{n}")
    client = client_as(coordinator_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("document_list"))
    assert len(response.context["page"]) == count
