"""A pupil who leaves the school between two roster imports, marked by hand."""
from datetime import date

from django.db import transaction

from portal.audit import record
from portal.models import AuditEvent

from .models import Pupil


def pupil_mark_left(*, pupil: Pupil, left_on: date, by) -> Pupil:
    """Same effect as the roster import not finding the pupil: no longer active, with the day they left
    (which starts the retention clock and the leavers' worklist)."""
    with transaction.atomic():
        pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
        before = {"active": pupil.active, "left_on": pupil.left_on.isoformat() if pupil.left_on else None}
        pupil.active, pupil.left_on = False, left_on
        pupil.save(update_fields=["active", "left_on"])
        record(actor=by, action=AuditEvent.Action.PUPIL_MARKED_LEFT, instance=pupil, school=pupil.school,
               before=before, after={"active": False, "left_on": left_on.isoformat()})
    return pupil
