"""The families' imports as jobs (portal/jobs.py): the same function runs in the request for a small file
and on a worker, from the upload stored on the job, for a large one. The import itself runs in the
transaction that marks the job done, so a second run of the same job writes nothing."""
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.jobs import JobRefused, Outcome, upload_bytes

from . import roster, roster_pending
from .codes import import_activations, import_codes


def roster_work(job, progress, data: bytes | None = None) -> Outcome:
    """A confirmed pupil list, read again from the stored upload and imported with the confirmation the
    coordinator gave (the same checks as in the request: a list that changed meanwhile is refused)."""
    data = data if data is not None else upload_bytes(job)
    options = job.params

    def run() -> str:
        pending = roster_pending.Pending(kind=options["kind"], label=options["label"], data=data,
                                         preset=options["preset"], columns=options["columns"],
                                         whole_school=options["whole_school"], key=options["key"],
                                         labels=options.get("labels"))
        listed = pending.read(job.school)
        try:
            summary = roster.import_rows(
                school=job.school, rows=listed.rows, source=pending.label, by=job.created_by,
                whole_school=pending.whole_school, leavers_confirmed=options["leavers_confirmed"],
                many_leavers_confirmed=options["many_leavers_confirmed"], expected=options["expected"],
                key=pending.key, skipped=listed.skipped, labels=listed.labels, remember=listed.remember)
        except (roster.PlanChanged, roster.LeaversNotConfirmed) as refusal:
            raise JobRefused(str(refusal)) from None
        return _("Pupil list imported: %(summary)s.") % {"summary": summary}

    return Outcome(then=run)


def codes_work(job, progress, data: bytes | None = None) -> Outcome:
    data = data if data is not None else upload_bytes(job)

    def run() -> str:
        count = import_codes(school=job.school, data=data, by=job.created_by, batch=job.params.get("batch", ""))
        return ngettext("%(count)d internet code imported.", "%(count)d internet codes imported.", count) % {
            "count": count}

    return Outcome(then=run)


def activations_work(job, progress, data: bytes | None = None) -> Outcome:
    data = data if data is not None else upload_bytes(job)

    def run() -> str:
        count = import_activations(school=job.school, data=data, by=job.created_by)
        return ngettext("%(count)d code marked as activated.", "%(count)d codes marked as activated.", count) % {
            "count": count}

    return Outcome(then=run)
