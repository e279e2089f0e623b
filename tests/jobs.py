"""Pages that start a job (portal/jobs.py): post, run the queued task in-process after commit, fetch
what it made. The real worker's tests are in tests/portal/test_jobs_worker.py."""
from urllib.parse import urlsplit

from django.test import TestCase
from django.urls import resolve, reverse

from portal.models import Job


def started_job(client, url: str, data: dict | None = None) -> Job:
    """POST `url` (a page that starts a job), run the task it queued, and return the job."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data or {})
    assert response.status_code == 302, response.status_code
    match = resolve(urlsplit(response["Location"]).path)
    assert match.url_name == "document_detail", response["Location"]
    return Job.objects.get(pk=match.kwargs["job_id"])


def downloaded(client, job: Job) -> bytes:
    response = client.get(reverse("document_download", args=[job.pk]))
    assert response.status_code == 200, (job.status, job.message, job.errors)
    return b"".join(response.streaming_content)
