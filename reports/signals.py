"""After a write that changes a school's figures, refresh that school's roll-up once, after commit.

Writes are seen three ways: every service records an audit row with its school (one row even for a
roster import of 2,000 pupils), a model that is saved or deleted directly (the admin, a fixture),
and ``portal.signals.school_data_changed`` for bulk writes that record no row per object.
"""
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from households.models import Household, InternetCode, Pupil
from lending.models import Agreement, Device, Incident, Loan
from portal.models import AuditEvent, School, SchoolYearFacts, StaffMember
from portal.signals import school_data_changed

from .tasks import pending_key, queue_once, refresh_school_figures

# Each model, and the path from it to its school's id.
SCHOOL_ID = {
    Pupil: "school_id", Household: "school_id", InternetCode: "school_id", Device: "school_id",
    StaffMember: "school_id", SchoolYearFacts: "school_id", School: "pk", AuditEvent: "school_id",
    Loan: "device.school_id", Agreement: "loan.device.school_id", Incident: "device.school_id",
}


class _Refresh:
    """The after-commit callback for one school (an object, so a second write can see it is queued)."""

    def __init__(self, school_id):
        self.school_id = school_id

    def __call__(self):
        # One refresh waiting per school is enough: it reads after it starts, so it sees this write
        # too (the task clears the mark when it starts). A burst of hand-outs queues one, not fifty.
        queue_once(refresh_school_figures, pending_key(self.school_id), self.school_id)


def mark_changed(school_ids) -> None:
    """Queue one refresh per school when the transaction commits (at once outside a transaction).
    A school already queued in the same (save)point of the transaction is not queued again."""
    connection = transaction.get_connection()
    savepoints = set(connection.savepoint_ids)
    queued = {func.school_id for sids, func, _robust in connection.run_on_commit
              if isinstance(func, _Refresh) and sids == savepoints}
    for school_id in sorted({school_id for school_id in school_ids if school_id} - queued):
        transaction.on_commit(_Refresh(school_id))


def _school_id(instance):
    value = instance
    for name in SCHOOL_ID[type(instance)].split("."):
        try:
            value = getattr(value, name)
        except Exception:  # a row deleted with its parent: the parent's own signal covers it
            return None
    return value


def _changed(sender, instance, **kwargs):
    if sender is AuditEvent and not kwargs.get("created", True):
        return
    mark_changed([_school_id(instance)])


def connect():
    for model in SCHOOL_ID:
        post_save.connect(_changed, sender=model, dispatch_uid=f"figures-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"figures-delete-{model._meta.label}")
    school_data_changed.connect(lambda sender, school_ids, **kwargs: mark_changed(school_ids),
                                dispatch_uid="figures-bulk", weak=False)
