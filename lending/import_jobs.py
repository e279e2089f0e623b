"""The device import as a job (portal/jobs.py): in the request for a small file, on a worker from the
upload stored on the job for a large one; the import runs in the transaction that marks the job done."""
from django.utils.translation import gettext as _

from portal.jobs import JobRefused, Outcome, upload_bytes

from .device_import import DevicesChanged, import_devices

OPTIONS = ("preset", "columns", "funding_source", "kind")


def devices_work(job, progress, data: bytes | None = None) -> Outcome:
    """The checked file with the choices made on its pages; a file that no longer matches what the
    coordinator saw is refused, as in the request."""
    data = data if data is not None else upload_bytes(job)

    def run() -> str:
        try:
            summary = import_devices(school=job.school, data=data, by=job.created_by, remember=True,
                                     expected=job.params.get("expected"),
                                     **{name: job.params[name] for name in OPTIONS})
        except DevicesChanged as changed:
            raise JobRefused(str(changed)) from None
        return _("Import finished: %(summary)s.") % {"summary": summary}

    return Outcome(then=run)
