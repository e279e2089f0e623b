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

from .tasks import refresh_school_figures

# Each model, and the path from it to its school's id.
SCHOOL_ID = {
    Pupil: "school_id", Household: "school_id", InternetCode: "school_id", Device: "school_id",
    StaffMember: "school_id", SchoolYearFacts: "school_id", School: "pk", AuditEvent: "school_id",
    Loan: "device.school_id", Agreement: "loan.device.school_id", Incident: "device.school_id",
}


def _flush():
    connection = transaction.get_connection()
    pending, connection._figures_pending = getattr(connection, "_figures_pending", set()), set()
    for school_id in sorted(pending):
        refresh_school_figures.delay(school_id)


def mark_changed(school_ids) -> None:
    """Queue one refresh per school when the transaction commits (at once outside a transaction)."""
    connection = transaction.get_connection()
    queued = any(func is _flush for _savepoints, func, _robust in connection.run_on_commit)
    if not queued:
        connection._figures_pending = set()  # left over from a transaction that rolled back
    connection._figures_pending.update(school_id for school_id in school_ids if school_id)
    if not queued:
        transaction.on_commit(_flush)


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
