"""Long work done by a worker for a school (letters, label sheets, imports), and what it made."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .schools import School


def job_file_path(job, filename):
    # A random folder per job: file names say what a document is, never whose.
    return f"jobs/{job.school_id}/{job.token}/{filename}"


class Job(models.Model):
    """Long work for a school, done by a worker with a progress bar (portal/jobs.py): a batch of letters,
    a label sheet, a family's export, a large import. What it made is kept for DOCUMENTS_KEEP_DAYS on the
    school's documents page, then deleted."""

    class Kind(models.TextChoices):
        SURVEY_LETTERS = "survey_letters", _("Survey letters")
        CODE_LETTERS = "code_letters", _("Internet code letters")
        REMINDER_LETTERS = "reminder_letters", _("Reminder letters")
        LABELS = "labels", _("Label sheet")
        HOUSEHOLD_EXPORT = "household_export", _("Everything kept about a family (PDF)")
        ROSTER_IMPORT = "roster_import", _("Pupil list import")
        DEVICE_IMPORT = "device_import", _("Device import")
        CODE_IMPORT = "code_import", _("Internet code import")
        ACTIVATION_IMPORT = "activation_import", _("Activation list import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Working")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Not done")
        REPLACED = "replaced", _("Replaced by a newer one")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # Only its creator sees a private job: internet codes are for the one who handed them out, a family's
    # export for the director who asked.
    private = models.BooleanField(default=False)
    # A double click or a second post of the same form gets the first job back (unique per school).
    key = models.CharField(max_length=120, blank=True)
    # What the job works on ("survey:12"): one job per kind and subject runs at a time.
    subject = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, default="nl")
    token = models.CharField(max_length=32, unique=True)
    task_name = models.CharField(max_length=120)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    upload = models.FileField(upload_to=job_file_path, blank=True)
    file = models.FileField(upload_to=job_file_path, blank=True)
    filename = models.CharField(max_length=120, blank=True)
    # What the requester reads when it is done: a message, and for a refused import every bad line.
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document or import")
        verbose_name_plural = _("documents and imports")
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], condition=~Q(key=""), name="job_key_once_per_school"),
            models.UniqueConstraint(fields=["kind", "subject"], condition=Q(status__in=["queued", "running"]) & ~Q(subject=""),
                                    name="job_one_active_per_subject"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in self.ACTIVE
