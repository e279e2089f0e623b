"""The roster import in three steps: upload, choose columns and check, confirm."""
import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import jobs
from portal.access import school_required
from portal.csvfiles import ImportRejected
from portal.models import Job
from portal.views_documents import import_answer

from . import import_jobs, roster, roster_file, tasks
from .forms import RosterColumnsForm, RosterConfirmForm, RosterUploadForm

PAGE_SIZE = 50


# --- the roster import: upload, choose columns and check, confirm ----------------------------------
# The uploaded file waits in MEDIA_ROOT under a random name between the steps (web processes share
# MEDIA_ROOT, not memory); the session holds only that name. It is removed after the import, and
# files left behind by abandoned imports are removed by the next upload after a day.

SESSION_KEY = "roster_import"
UPLOAD_DIR = "roster-imports"
STALE_AFTER = timedelta(days=1)


def _stash(request, data: bytes, filename: str, rows: int) -> None:
    _discard(request)
    _remove_stale_uploads()
    upload_id = uuid.uuid4().hex
    path = default_storage.save(f"{UPLOAD_DIR}/{upload_id}.upload", ContentFile(data))
    request.session[SESSION_KEY] = {"path": path, "filename": filename[:200], "school": request.school.pk,
                                    "rows": rows, "upload": upload_id}


def _stashed(request):
    """(data, filename, columns) of this user's pending upload for this school, or None."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("school") != request.school.pk or not default_storage.exists(pending["path"]):
        return None
    with default_storage.open(pending["path"], "rb") as upload:
        return upload.read(), pending["filename"], pending.get("columns")


def _discard(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        default_storage.delete(pending["path"])


def _remove_stale_uploads() -> None:
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        if default_storage.get_modified_time(path) < timezone.now() - STALE_AFTER:
            default_storage.delete(path)


@school_required
def pupil_import(request):
    posted = request.method == "POST"
    form = RosterUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        _stash(request, form.data_bytes, form.cleaned_data["file"].name, form.row_count)
        return redirect("pupil_import_columns")
    return render(request, "households/pupil_import.html", {"form": form, "step": 1})


@school_required
def pupil_import_columns(request):
    pending = _stashed(request)
    if pending is None:
        return redirect("pupil_import")
    data, filename, _columns = pending
    header = roster_file.read_header(data)  # the same bytes passed this at upload
    form = RosterColumnsForm(request.POST if request.method == "POST" else None, header=header,
                             initial=roster.suggested_columns(header, request.school.roster_columns))
    context = {"form": form, "filename": filename, "step": 1}
    if request.method == "POST" and form.is_valid():
        context["step"] = 2
        # Only a mapping that passed the check can be confirmed.
        request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "columns": None}
        try:
            context["summary"] = roster.plan_roster(school=request.school, data=data, columns=form.columns).summary
        except ImportRejected as rejected:
            context["errors"] = rejected.errors
        else:
            request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "columns": form.columns}
            context["confirm_form"] = RosterConfirmForm(initial={"upload": request.session[SESSION_KEY].get("upload")})
    return render(request, "households/pupil_import_columns.html", context)


@school_required
def pupil_import_confirm(request):
    """Import the checked file: in the request when small, else by a worker with a progress bar. The job is
    keyed by the upload, so a second click (or a second tab) answers like the first."""
    if request.method != "POST":
        return redirect("pupil_import_columns")
    stash = request.session.get(SESSION_KEY) or {}
    key = f"roster:{request.POST.get('upload') or stash.get('upload', '')}"
    job = jobs.find(school=request.school, key=key)
    pending = _stashed(request)
    if job is None:
        if pending is None or not pending[2] or f"roster:{stash.get('upload')}" != key:
            return redirect("pupil_import_columns" if pending else "pupil_import")
        data, filename, columns = pending
        job = jobs.job_import(school=request.school, by=request.user, kind=Job.Kind.ROSTER_IMPORT, title=filename,
                              key=key, rows=stash.get("rows", 0), task=tasks.import_roster, work=import_jobs.roster_work,
                              data=data, filename="roster.upload",
                              params={"columns": columns, "filename": filename, "next_url": reverse("pupil_list")})
        _discard(request)
    answer = import_answer(request, job, done="pupil_list")
    if answer is not None:
        return answer
    # Cannot happen after a clean check of the same bytes and mapping; say so rather than fail.
    messages.error(request, _("The file no longer passes the check; nothing was imported."))
    return redirect("pupil_import")
