"""Long work as a task with a progress bar: batches of letters, label sheets, a family's export, large imports.

A view calls `job_start`: one Job row (portal.models.Job) and its Celery task, queued after commit. The
task calls `run_job` with the function that does the work; that function reports how far it is through
`progress(done, total)`, which lands in Celery's task state (the result backend), where the documents
page's small script (static/js/progress.js) polls it. What the work made is stored on the row and
listed on the school's documents page for DOCUMENTS_KEEP_DAYS.

What makes it safe to click twice, to rerun, and to lose a worker:
- A key per submitted form (or per upload) is unique per school: a double submit gets the first job.
- One job per kind and subject (a survey's letters) is active at a time.
- The worker claims the row with a conditional update, and stores the result with another one in the
  same transaction as the work's own writes (`Outcome.then`): a second run of the same job finds it
  done and writes nothing; a run that dies half-way wrote nothing, and Redis hands the task to the
  next worker after the visibility timeout. A job whose message was lost is queued again by beat.
- Writes that hand something to families (new links in letters) happen in `then`, so they are
  committed only for letters that were actually rendered and stored.
"""
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from .import_errors import ImportRejected, RowError
from .models import Job

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5
REQUEUE_AFTER = timedelta(minutes=10)
# Worth another try: the disk, the database connection. Job tasks retry on these (autoretry_for).
TRANSIENT = (OSError, OperationalError, InterfaceError)


class JobRefused(Exception):
    """The work cannot be done; the message (and any bad lines) is what the requester reads."""

    def __init__(self, message: str = "", errors: list | None = None):
        self.message, self.errors = message, errors or []
        super().__init__(message)


@dataclass
class Outcome:
    message: str = ""
    file: bytes | None = None
    filename: str = ""
    # Runs in the transaction that marks the job done; may return a message that replaces `message`.
    then: Callable[[], str | None] | None = None
    # The new file makes the earlier ones of the same kind and subject useless (their links were replaced).
    replaces_earlier: bool = False
    extra: dict = field(default_factory=dict)


def _new_row(*, school, by, kind, title, task, params, key, subject, private) -> Job:
    return Job(school=school, created_by=by if by is not None and by.is_authenticated else None, kind=kind,
               title=title[:200], params=params or {}, key=key[:120], subject=subject[:64], private=private,
               language=translation.get_language() or settings.LANGUAGE_CODE, token=secrets.token_hex(16),
               task_name=task.name if task is not None else "",
               expires_at=timezone.now() + timedelta(days=settings.DOCUMENTS_KEEP_DAYS))


def _twin(school, key, kind, subject) -> Job | None:
    """The job a twin submission made, or the active one of the same subject."""
    if key:
        found = Job.objects.filter(school=school, key=key[:120]).first()
        if found is not None:
            return found
    if subject:
        return Job.objects.filter(kind=kind, subject=subject[:64], status__in=Job.ACTIVE).first()
    return None


def _insert(job: Job, *, upload: bytes | None = None, upload_name: str = "") -> Job | None:
    """Insert the row; None if a twin's insert won (a concurrent insert waits for the twin to commit)."""
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        return None
    if upload is not None:
        job.upload.save(upload_name or "upload", ContentFile(upload), save=False)
        job.save(update_fields=["upload"])
    return job


def job_start(*, school, by, kind: str, title: str, task, params: dict | None = None, upload: bytes | None = None,
              upload_name: str = "", key: str = "", subject: str = "", private: bool = False) -> tuple[Job, bool]:
    """Create the job and queue its task after commit: (job, True). A second start with the same key, or
    while a job of the same kind and subject is still active, gets that job back: (job, False)."""
    with transaction.atomic():
        existing = _twin(school, key, kind, subject)
        if existing is not None:
            return existing, False
        job = _insert(_new_row(school=school, by=by, kind=kind, title=title, task=task, params=params, key=key,
                               subject=subject, private=private), upload=upload, upload_name=upload_name)
        if job is None:
            return _twin(school, key, kind, subject), False
        transaction.on_commit(lambda: task.apply_async(args=[job.pk], task_id=job.token))
    return job, True


def find(*, school, key: str) -> Job | None:
    """The job an earlier submission with this key made, if any."""
    return Job.objects.filter(school=school, key=key[:120]).first() if key else None


def row_errors(job: Job) -> list[RowError]:
    """A refused import's bad lines, as the import listed them."""
    return [RowError(line, reason) for line, reason in job.errors]


def upload_bytes(job: Job) -> bytes:
    """The file a job works on, as the request stored it."""
    with job.upload.open("rb") as upload:
        return upload.read()


def job_import(*, school, by, kind: str, title: str, key: str, rows: int, task, work, data: bytes, filename: str,
               params: dict | None = None) -> Job:
    """An import under a job row: in the request up to IMPORT_ROWS_IN_REQUEST rows, else by a worker with a
    progress bar. `work(job, progress, data=...)` is the same function either way; the worker's reads the
    upload stored on the row."""
    if rows <= settings.IMPORT_ROWS_IN_REQUEST:
        return job_run_here(school=school, by=by, kind=kind, title=title, key=key, params=params,
                            work=lambda job, progress: work(job, progress, data=data))
    job, _created = job_start(school=school, by=by, kind=kind, title=title, task=task, params=params, key=key,
                              upload=data, upload_name=filename)
    return job


def job_run_here(*, school, by, kind: str, title: str, key: str, work: Callable[[Job, "Progress"], Outcome],
                 params: dict | None = None, private: bool = False) -> Job:
    """Run short work in the request, under a job row keyed like `job_start`'s: a second submission of
    the same form waits for the first (on the unique key) and gets its job, done or refused, back."""
    with transaction.atomic():
        existing = _twin(school, key, kind, "")
        if existing is not None:
            return existing
        job = _new_row(school=school, by=by, kind=kind, title=title, task=None, params=params, key=key, subject="",
                       private=private)
        job.status, job.started_at = Job.Status.RUNNING, timezone.now()
        if _insert(job) is None:
            return _twin(school, key, kind, "")
        try:
            with transaction.atomic():
                outcome = work(job, Progress(None, job))
                _finish(job, outcome)
        except (JobRefused, ImportRejected) as refused:
            _fail(job, refused)
    job.refresh_from_db()
    return job


def run_job(task, job_id: int, work: Callable[[Job, "Progress"], Outcome]) -> str:
    """The body of every job task: claim, work, store. Returns what happened, for the worker's log."""
    claimed = Job.objects.filter(pk=job_id, status__in=Job.ACTIVE).update(status=Job.Status.RUNNING,
                                                                         started_at=timezone.now())
    if not claimed:
        return "gone or finished"
    job = Job.objects.select_related("school", "created_by").get(pk=job_id)
    stored = ""
    with translation.override(job.language):
        try:
            outcome = work(job, Progress(task, job))
            stored = _store_file(job, outcome)
            with transaction.atomic():
                finished = _finish(job, outcome, stored=stored)
        except TRANSIENT:
            _delete(job, stored)
            raise  # the task retries; the row stays running, so the retry can claim it
        except (JobRefused, ImportRejected) as refused:
            _delete(job, stored)
            _fail(job, refused)
            return "refused"
        except Exception:
            _delete(job, stored)
            logger.exception("Job failed", extra={"job_id": job.pk, "kind": job.kind})
            _fail(job, JobRefused(gettext("Something went wrong while making this. Try again; if it fails again, "
                                          "tell the helpdesk.")))
            return "error"
    if not finished:
        _delete(job, stored)
        return "finished by another run"
    return "done"


def _delete(job: Job, stored: str) -> None:
    if stored:
        job.file.storage.delete(stored)


def _store_file(job: Job, outcome: Outcome) -> str:
    if outcome.file is None:
        return ""
    return job.file.storage.save(job_file_path_for(job, outcome.filename), ContentFile(outcome.file))


def job_file_path_for(job: Job, filename: str) -> str:
    return job._meta.get_field("file").generate_filename(job, filename)


def _finish(job: Job, outcome: Outcome, *, stored: str = "") -> bool:
    """Mark the job done (if it still runs: a second run finds it done), then run the outcome's writes,
    all in the caller's transaction. False when another run finished it first."""
    if outcome.file is not None and not stored:
        stored = _store_file(job, outcome)
    message = outcome.message
    done = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.DONE, finished_at=timezone.now(), file=stored, filename=outcome.filename[:120],
        message=message, params={**job.params, **outcome.extra})
    if not done:
        return False
    if outcome.then is not None:
        replaced_message = outcome.then()
        if replaced_message:
            Job.objects.filter(pk=job.pk).update(message=replaced_message)
    if outcome.replaces_earlier and job.subject:
        earlier = Job.objects.filter(kind=job.kind, subject=job.subject, status=Job.Status.DONE).exclude(pk=job.pk)
        for old in earlier:
            if old.file:
                old.file.delete(save=False)
        earlier.update(status=Job.Status.REPLACED, file="")
    if job.upload:
        name = job.upload.name
        transaction.on_commit(lambda: job.upload.storage.delete(name))
        Job.objects.filter(pk=job.pk).update(upload="")
    return True


def _fail(job: Job, refused: Exception) -> None:
    # The reasons as the requester reads them: the work runs in their language.
    errors = [[error.line, str(error.reason)] for error in getattr(refused, "errors", [])]
    message = getattr(refused, "message", "") if isinstance(refused, JobRefused) else ""
    failed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), message=message, errors=errors, upload="")
    if failed and job.upload:  # a refused file is of no more use: its lines are listed on the job
        job.upload.storage.delete(job.upload.name)


class Progress:
    """`progress(done, total)` for the work: into Celery's task state, at most twice a second."""

    def __init__(self, task, job: Job):
        self.task, self.job, self.last = task, job, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.task is None or self.task.request.is_eager or (now - self.last < PROGRESS_EVERY_SECONDS and done < total):
            return
        self.last = now
        self.task.update_state(state="PROGRESS", meta={"done": done, "total": total})


def progress_of(job: Job) -> dict:
    """How far a job is, for the polling script: from the row once finished, else from Celery's state."""
    if job.finished:
        return {"status": job.status, "finished": True, "done": 1, "total": 1}
    done = total = 0
    if job.status == Job.Status.RUNNING and current_app.conf.result_backend:
        result = current_app.AsyncResult(job.token)
        if result.state == "PROGRESS" and isinstance(result.info, dict):
            done, total = int(result.info.get("done", 0)), int(result.info.get("total", 0))
    return {"status": job.status, "finished": False, "done": done, "total": total}


def visible_jobs(school, user):
    """The school's jobs this user may see: everyone's shared ones and their own private ones."""
    return Job.objects.filter(school=school).filter(Q(private=False) | Q(created_by=user))


def remove_expired(now=None) -> int:
    """Delete jobs past their keep date, with their files; returns how many."""
    now = now or timezone.now()
    expired = list(Job.objects.filter(expires_at__lt=now).exclude(status__in=Job.ACTIVE))
    for job in expired:
        for stored in (job.file, job.upload):
            if stored:
                stored.delete(save=False)
    Job.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)


def requeue_lost(now=None) -> int:
    """Queue again the jobs still waiting long after they were queued: their message was lost (a web
    process died between commit and queueing, or Redis lost what a killed worker had just taken). A
    job still "working" long after Redis would have handed it to another worker gave up (its retries
    ran out): it is marked as not done, so the page stops waiting."""
    now = now or timezone.now()
    waiting = Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=now - REQUEUE_AFTER).exclude(task_name="")
    count = 0
    for job in waiting:
        task = current_app.tasks.get(job.task_name)
        if task is not None:
            task.apply_async(args=[job.pk], task_id=job.token)
        else:  # not imported in this process (beat runs this on a worker, where every task is)
            current_app.send_task(job.task_name, args=[job.pk], task_id=job.token)
        count += 1
    stuck_since = now - timedelta(seconds=2 * settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    for job in Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=stuck_since):
        with translation.override(job.language):
            _fail(job, JobRefused(gettext("This took too long and was stopped. Try again.")))
    return count
