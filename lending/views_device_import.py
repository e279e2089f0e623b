"""The device import: upload with the defaults for the whole file, columns when needed, check, confirm.

The file waits in the (database-backed) session between the steps, base64-encoded and at most 2 MB: the
coordinator need not pick it again, the confirm cannot import another file than the one previewed (its
SHA-256 travels in the form), and any web process can serve the next step. A recognised export (Google
Admin, Intune) or a file with the usual column names goes straight to the check. A file above
IMPORT_ROWS_IN_REQUEST rows is imported by a worker, with a progress bar on the documents page.
"""
import base64
import hashlib

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import jobs
from portal.access import school_required
from portal.csvfiles import ImportRejected, read_csv
from portal.models import Job
from portal.views_documents import import_answer

from . import device_presets, tasks
from .device_import import DevicesChanged, import_devices, plan_device_import, read_devices
from .forms_device_import import (
    MAX_IMPORT_BYTES,
    RECOGNISE,
    DeviceColumnsForm,
    DeviceImportConfirmForm,
    DeviceImportForm,
)
from .models import DeviceImportSettings

SESSION_KEY = "device_import"
PREVIEW_ROWS = 200  # a preview of 20,000 devices is a page nobody reads; the counts say it all
DONE_KEY = "device_import_done"


def _stored(request) -> dict | None:
    stored = request.session.get(SESSION_KEY)
    return stored if stored and stored.get("school") == request.school.pk else None


def _options(stored: dict) -> dict:
    return {"preset": stored["preset"], "columns": stored["columns"], "funding_source": stored["funding_source"],
            "kind": stored["kind"]}


@require_http_methods(["GET", "POST"])
@school_required
def device_import(request):
    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request)
    remembered = DeviceImportSettings.objects.filter(school=request.school).first()
    form = DeviceImportForm(request.POST or None, request.FILES or None, initial={
        "preset": (remembered and remembered.preset) or RECOGNISE,
        "funding_source": remembered.funding_source if remembered else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        preset = form.cleaned_data["preset"]
        request.session[SESSION_KEY] = {
            "data": base64.b64encode(data).decode("ascii"), "sha256": hashlib.sha256(data).hexdigest(),
            "school": request.school.pk, "preset": None if preset == RECOGNISE else preset, "columns": None,
            "funding_source": form.cleaned_data["funding_source"], "kind": form.cleaned_data["kind"]}
        try:
            found = read_devices(data, preset=request.session[SESSION_KEY]["preset"],
                                 remembered=remembered.columns if remembered else None)
        except ImportRejected:
            return redirect("device_import_columns")  # the check names what is wrong; columns may fix it
        request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "preset": found.preset}
        return redirect("device_import_check")
    return render(request, "lending/device_import.html", {"form": form, "max_bytes": MAX_IMPORT_BYTES})


@require_http_methods(["GET", "POST"])
@school_required
def device_import_columns(request):
    stored = _stored(request)
    if stored is None:
        return redirect("device_import")
    data = base64.b64decode(stored["data"])
    try:
        header = read_csv(data, required=[]).columns
    except ImportRejected as rejected:
        return render(request, "lending/device_import.html", {
            "form": DeviceImportForm(), "errors": rejected.errors, "max_bytes": MAX_IMPORT_BYTES})
    remembered = DeviceImportSettings.objects.filter(school=request.school).first()
    initial = device_presets.mapping_for(stored["preset"] or device_presets.detect(header), header,
                                         remembered.columns if remembered else None)
    form = DeviceColumnsForm(request.POST or None, header=header, initial={**initial, **(stored["columns"] or {})})
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = {**stored, "preset": device_presets.GENERIC, "columns": form.columns}
        return redirect("device_import_check")
    return render(request, "lending/device_import_columns.html", {"form": form})


@require_http_methods(["GET"])
@school_required
def device_import_check(request):
    stored = _stored(request)
    if stored is None:
        return redirect("device_import")
    context = {"max_bytes": MAX_IMPORT_BYTES, "preset_label": dict(device_presets.CHOICES).get(stored["preset"]),
               "stored": stored, "preview_rows": PREVIEW_ROWS, "preview_slice": f":{PREVIEW_ROWS}"}
    try:
        context["plan"] = plan_device_import(school=request.school, data=base64.b64decode(stored["data"]),
                                             **_options(stored))
    except ImportRejected as rejected:
        context["errors"] = rejected.errors
    else:
        context["confirm_form"] = DeviceImportConfirmForm(initial={"sha256": stored["sha256"],
                                                                   "fingerprint": context["plan"].fingerprint()})
        context["mapping_shown"] = [(device_presets.LABELS[name], column)
                                    for name, column in context["plan"].mapping.items()]
    return render(request, "lending/device_import_check.html", context)


def _rows_in(data: bytes) -> int:
    return max(data.count(b"\n") - 1, 0)  # a line per device after the header, enough to decide where to run


def _import_confirm(request):
    job = jobs.find(school=request.school, key=f"devices:{request.POST.get('sha256', '')}")
    if job is not None:  # a large file already handed to a worker: its page, or its outcome
        return import_answer(request, job, done="device_list") or redirect("document_detail", job_id=job.pk)
    stored = _stored(request)
    if request.session.get(DONE_KEY) == request.POST.get("sha256") and (stored is None or stored.get(
            "sha256") != request.POST.get("sha256")):
        messages.info(request, _("This file was imported already."))
        return redirect("device_list")
    if stored is None or stored.get("sha256") != request.POST.get("sha256"):
        messages.error(request, _("The previewed file is no longer available; upload it again."))
        return redirect("device_import")
    data = base64.b64decode(stored["data"])
    if _rows_in(data) > settings.IMPORT_ROWS_IN_REQUEST:
        return _import_on_a_worker(request, stored, data)
    try:
        summary = import_devices(school=request.school, data=data, by=request.user,
                                 remember=True, expected=request.POST.get("fingerprint") or None, **_options(stored))
    except DevicesChanged as changed:
        messages.error(request, str(changed))
        return redirect("device_import_check")
    except ImportRejected:
        # The inventory changed since the preview in a way that makes the file invalid now.
        messages.error(request, _("The file no longer passes the check; nothing was imported."))
        return redirect("device_import_check")
    del request.session[SESSION_KEY]
    request.session[DONE_KEY] = stored["sha256"]
    messages.success(request, _("Import finished: %(summary)s.") % {"summary": summary})
    return redirect("device_list")


def _import_on_a_worker(request, stored: dict, data: bytes):
    """A file above IMPORT_ROWS_IN_REQUEST rows is imported by a worker, with a progress bar on the
    documents page; keyed by the file's SHA-256, so a second click finds this job."""
    job, _created = jobs.job_start(
        school=request.school, by=request.user, kind=Job.Kind.DEVICE_IMPORT, title=_("Device import"),
        task=tasks.import_devices, key=f"devices:{stored['sha256']}", upload=data, upload_name="devices.upload",
        params={**_options(stored), "expected": request.POST.get("fingerprint") or None})
    del request.session[SESSION_KEY]
    request.session[DONE_KEY] = stored["sha256"]
    return redirect("document_detail", job_id=job.pk)
