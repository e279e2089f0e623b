"""The families' imports as jobs (portal/jobs.py): the same function runs in the request for a small file
and on a worker, from the upload stored on the job, for a large one. The import itself runs in the
transaction that marks the job done, so a second run of the same job writes nothing."""
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.jobs import Outcome, upload_bytes

from .codes import import_activations, import_codes
from .roster import import_roster


def roster_work(job, progress, data: bytes | None = None) -> Outcome:
    data = data if data is not None else upload_bytes(job)

    def run() -> str:
        summary = import_roster(school=job.school, data=data, filename=job.params.get("filename", ""),
                                columns=job.params["columns"], by=job.created_by)
        return _("Roster imported: %(summary)s.") % {"summary": summary}

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
