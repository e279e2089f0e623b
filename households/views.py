"""The pupil list import: upload (or rows from another source), columns, check, confirm.

The check page shows what the import will do, whether the list is the whole school, and the leavers by
name; the confirmation writes exactly that (the plan's fingerprint travels in the form) and only once (the
list's key travels too). A source other than a file stashes its rows (roster_pending.stash_rows) and sends
the user to the same check page. A list above IMPORT_ROWS_IN_REQUEST rows is written by a worker, with a
progress bar on the documents page.
"""
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import jobs, smartschool
from portal.access import school_required
from portal.csvfiles import ImportRejected
from portal.models import Job
from portal.views_documents import import_answer

from . import roster, roster_file, roster_pending, roster_presets, roster_smartschool, tasks
from .forms import RECOGNISE, ClassMapForm, RosterColumnsForm, RosterConfirmForm, RosterScopeForm, RosterUploadForm
from .models import Pupil, RosterImport
from .roster_grades import class_map_update, grade_from_class, highest_grade

PREVIEW_ROWS = 200  # longer lists show their first rows and the count; leavers are always listed whole


@require_http_methods(["GET", "POST"])
@school_required
def pupil_import(request):
    posted = request.method == "POST"
    remembered = request.school.roster_preset
    form = RosterUploadForm(request.POST if posted else None, request.FILES if posted else None,
                            initial={"preset": RECOGNISE}, remembered=remembered)
    if posted and form.is_valid():
        preset = form.cleaned_data["preset"]
        if preset == RECOGNISE:
            # The header says which export it is; when it says nothing, the kind the school used last time.
            preset = roster_presets.detect(form.header)
            if preset == roster_presets.GENERIC and remembered in roster_presets.PRESETS:
                preset = remembered
        roster_pending.stash_file(request, form.data_bytes, form.cleaned_data["file"].name, preset)
        return redirect("pupil_import_columns" if preset == roster_presets.GENERIC else "pupil_import_check")
    return render(request, "households/pupil_import.html", {
        "form": form, "step": 1,
        "smartschool": request.school.smartschool_platform if smartschool.is_connected(request.school) else ""})


@school_required
def pupil_import_smartschool(request):
    """Read the pupils from the school's Smartschool, then the same check and confirmation as a file."""
    if request.method != "POST" or not smartschool.is_connected(request.school):
        return redirect("pupil_import")
    try:
        synced = roster_smartschool.read_pupils(request.school)
    except roster_smartschool.SyncRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("pupil_import")
    label = roster_smartschool.SOURCE_LABEL % {"platform": request.school.smartschool_platform}
    roster_pending.stash_rows(request, synced.rows, label, labels=synced.labels)
    messages.info(request, synced.summary)
    return redirect("pupil_import_check")


@require_http_methods(["GET", "POST"])
@school_required
def pupil_import_columns(request):
    pending = roster_pending.pending(request)
    if pending is None or pending.kind != roster_pending.FILE:
        return redirect("pupil_import")
    header = roster_file.read_header(pending.data)  # the same bytes passed this at upload
    initial = roster_presets.suggested_mapping(header, pending.columns or request.school.roster_columns)
    form = RosterColumnsForm(request.POST if request.method == "POST" else None, header=header, initial=initial)
    if request.method == "POST" and form.is_valid():
        roster_pending.update(request, preset=roster_presets.GENERIC, columns=form.columns)
        return redirect("pupil_import_check")
    return render(request, "households/pupil_import_columns.html", {"form": form, "pending": pending, "step": 1})


def unknown_classes(school, rows) -> list[str]:
    highest = highest_grade(school)
    return sorted({row.class_name.strip() for row in rows if not row.grade.strip()
                   and grade_from_class(row.class_name.strip(), highest, school.roster_class_grades) is None
                   and row.class_name.strip()})


@require_http_methods(["GET"])
@school_required
def pupil_import_check(request):
    pending = roster_pending.pending(request)
    if pending is None:
        return redirect("pupil_import")
    if pending.kind == roster_pending.FILE and pending.preset == roster_presets.GENERIC and pending.columns is None:
        return redirect("pupil_import_columns")
    context = {"pending": pending, "step": 2, "preset_label": dict(roster_presets.CHOICES).get(pending.preset)}
    try:
        listed = pending.read(request.school)
        context["listed"] = listed
        plan = roster.plan_rows(school=request.school, rows=listed.rows, whole_school=pending.whole_school,
                                skipped=listed.skipped, labels=listed.labels)
    except ImportRejected as rejected:
        context["errors"] = rejected.errors if pending.kind == roster_pending.FILE else _named(rejected.errors, listed.rows)
        classes = unknown_classes(request.school, context["listed"].rows) if "listed" in context else []
        if classes:
            context["class_form"] = ClassMapForm(classes=classes, highest=highest_grade(request.school))
    else:
        context.update(_preview(plan))
        context["confirm_form"] = RosterConfirmForm(initial={
            "fingerprint": plan.fingerprint(), "key": pending.key, "leavers": len(plan.leavers)})
        context["scope_form"] = RosterScopeForm(initial={"whole_school": "0" if plan.scope.whole else "1"})
    return render(request, "households/pupil_import_check.html", context)


def _named(errors, rows) -> list[str]:
    """Rows from a platform have no file to look a line up in: each problem names its pupil."""
    who = {row.line: " ".join(part for part in (row.first_name, row.last_name) if part) or row.number for row in rows}
    return [_("line %(line)d (%(pupil)s): %(reason)s") % {"line": error.line, "pupil": who.get(error.line, "?"),
                                                         "reason": error.reason} for error in errors]


def _change_label(name: str) -> str:
    return str(_("family") if name == "household" else Pupil._meta.get_field(name).verbose_name)


def _preview(plan: roster.RosterPlan) -> dict:
    def shown(name, old, new):
        if name == "household":
            return _change_label(name), "", _("a new family") if new is None else _("another family")
        return _change_label(name), old, new

    return {
        "plan": plan, "summary": plan.summary, "scope": plan.scope, "leavers": plan.leavers,
        "new_pupils": plan.new_pupils[:PREVIEW_ROWS], "changed_pupils": [
            (pupil, [shown(*change) for change in plan.changes.get(pupil.pk, [])])
            for pupil in plan.changed_pupils[:PREVIEW_ROWS]],
        "more_new": max(0, len(plan.new_pupils) - PREVIEW_ROWS),
        "more_changed": max(0, len(plan.changed_pupils) - PREVIEW_ROWS),
    }


@school_required
def pupil_import_scope(request):
    """'This list is the whole school' (or is not): the user's word over the portal's reading of the list."""
    if request.method != "POST":
        return redirect("pupil_import_check")
    form = RosterScopeForm(request.POST)
    if roster_pending.pending(request) is not None and form.is_valid():
        roster_pending.update(request, whole_school=form.cleaned_data["whole_school"] == "1")
    return redirect("pupil_import_check")


@school_required
def pupil_import_classes(request):
    pending = roster_pending.pending(request)
    if request.method != "POST":
        return redirect("pupil_import_check")
    if pending is None:
        return redirect("pupil_import")
    try:
        rows = pending.read(request.school).rows
    except ImportRejected:
        return redirect("pupil_import_check")
    form = ClassMapForm(request.POST, classes=unknown_classes(request.school, rows),
                        highest=highest_grade(request.school))
    if form.is_valid() and form.grades:
        class_map_update(school=request.school, grades=form.grades, by=request.user)
        request.school.refresh_from_db(fields=["roster_class_grades"])
        messages.success(request, _("The class map is saved."))
    return redirect("pupil_import_check")


@school_required
def pupil_import_confirm(request):
    if request.method != "POST":
        return redirect("pupil_import_check")
    key = request.POST.get("key", "")
    job = jobs.find(school=request.school, key=f"roster:{key}") if key else None
    if job is not None:  # a large list already handed to a worker: its page, or its outcome
        return import_answer(request, job, done="pupil_list") or redirect("document_detail", job_id=job.pk)
    done = RosterImport.objects.filter(school=request.school, key=key).first() if key else None
    if done is not None:
        # A second click, or the back button: the list was imported once, and that is what counts.
        messages.info(request, _("This list was imported already."))
        return redirect("pupil_list")
    pending = roster_pending.pending(request)
    if pending is None or pending.key != key:
        messages.error(request, _("The checked list is no longer available; upload it again."))
        return redirect("pupil_import")
    second = request.POST.get("second_step") == "1"
    form = RosterConfirmForm(request.POST, leavers=int(request.POST.get("leavers") or 0), second=second)
    if not form.is_valid():
        return _second_confirmation(request, form) if second else redirect("pupil_import_check")
    marked = form.cleaned_data["mark_leavers"] or form.second_confirmed
    confirmation = {"whole_school": pending.whole_school,
                    "leavers_confirmed": form.cleaned_data["leavers"] if marked else None,
                    "many_leavers_confirmed": form.second_confirmed, "expected": form.cleaned_data["fingerprint"]}
    try:
        listed = pending.read(request.school)
        if len(listed.rows) > settings.IMPORT_ROWS_IN_REQUEST:
            roster.check_confirmation(school=request.school, rows=listed.rows, skipped=listed.skipped,
                                      labels=listed.labels, **confirmation)
            return _import_on_a_worker(request, pending, confirmation)
        summary = roster.import_rows(
            school=request.school, rows=listed.rows, source=pending.label, by=request.user, key=key,
            skipped=listed.skipped, labels=listed.labels, remember=listed.remember, **confirmation)
    except roster.ManyLeavers:
        second = RosterConfirmForm(initial=form.cleaned_data, leavers=form.cleaned_data["leavers"], second=True)
        return _second_confirmation(request, second)
    except (ImportRejected, roster.PlanChanged, roster.LeaversNotConfirmed) as refusal:
        messages.error(request, str(refusal) if not isinstance(refusal, ImportRejected)
                       else _("The list no longer passes the check; nothing was imported."))
        return redirect("pupil_import_check")
    roster_pending.discard(request)
    messages.success(request, _("Pupil list imported: %(summary)s.") % {"summary": summary})
    return redirect("pupil_list")


def _import_on_a_worker(request, pending, confirmation: dict):
    """A list above IMPORT_ROWS_IN_REQUEST rows is written by a worker; the coordinator follows its
    progress on the documents page. Keyed by the check's key: a second click finds this job."""
    job, _created = jobs.job_start(
        school=request.school, by=request.user, kind=Job.Kind.ROSTER_IMPORT, title=pending.label,
        task=tasks.import_roster, key=f"roster:{pending.key}", upload=pending.data, upload_name="roster.upload",
        params={"kind": pending.kind, "label": pending.label, "preset": pending.preset, "columns": pending.columns,
                "key": pending.key, "labels": pending.labels, **confirmation})
    roster_pending.discard(request)
    return redirect("document_detail", job_id=job.pk)


def _second_confirmation(request, form):
    leavers = form.initial.get("leavers") if not form.is_bound else form.data.get("leavers")
    return render(request, "households/pupil_import_leavers.html", {
        "form": form, "step": 3, "leavers": int(leavers or 0)})
