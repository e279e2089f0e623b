"""The device import as a job (portal/jobs.py): in the request for a small file, on a worker from the
upload stored on the job for a large one; the import runs in the transaction that marks the job done."""
from django.utils.translation import gettext as _

from portal.jobs import Outcome, upload_bytes

from .device_import import import_devices


def devices_work(job, progress, data: bytes | None = None) -> Outcome:
    data = data if data is not None else upload_bytes(job)

    def run() -> str:
        summary = import_devices(school=job.school, data=data, by=job.created_by)
        return _("Import finished: %(summary)s.") % {"summary": summary}

    return Outcome(then=run)
