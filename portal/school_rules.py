"""A school's rules for loans (agreement terms, calendar) kept in memory, under the school's stamp.

Every checkout needs the school's current agreement terms and its closed days (for the due date);
read from the database they were two of a checkout's seven round trips (bench/checkout.py). They
change a few times a year, and each change gives the school a new ``rules_stamp`` in the same
transaction (the save signals below, and ``rules_changed`` for bulk writes). So what a process keeps
under the stamp of the school row a request read is exactly what the database held when that row
was read, whatever another process changed since: nothing has to be told to forget anything.

A stamp is random, not a counter: a rolled-back change (a test's transaction, a failed request)
leaves a stamp that is never read again instead of one that comes back meaning other rows.
"""
import copy
import threading
import uuid
from collections import OrderedDict
from collections.abc import Hashable

from django.db.models.signals import post_delete, post_save

from .models import School, SchoolClosure

# Entries, not bytes: a calendar or a terms row each; a process serves a few hundred schools at most.
KEPT = 4096

_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()


def remembered(school: School, what: Hashable, make):
    """``make()`` for this school, or what it returned before under the same stamp.

    The value is stored under the stamp as it is after ``make()``: when making it wrote a rule (the
    first terms of a school), the school's stamp moved and the value belongs to the new one. Callers
    get a copy, so an instance kept here is never changed by a request."""
    if school.rules_stamp is None:
        return make()
    with _lock:
        key = (school.pk, school.rules_stamp, what)
        value = _kept.get(key)
        if value is not None:
            _kept.move_to_end(key)
            return copy.copy(value)
    value = make()
    with _lock:
        _kept[(school.pk, school.rules_stamp, what)] = value
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return copy.copy(value)


def rules_changed(school: School) -> None:
    """Give the school a new stamp, in the database and on the instance in hand."""
    school.rules_stamp = uuid.uuid4()
    School.objects.filter(pk=school.pk).update(rules_stamp=school.rules_stamp)


def _rule_saved_or_deleted(sender, instance, **kwargs):
    # The instance's own school object when it has one (a service passed it in), so the caller's
    # object sees its new stamp; otherwise a stand-in with the key.
    school = instance._state.fields_cache.get("school") or School(pk=instance.school_id)
    rules_changed(school)


def stamp_on_change(model) -> None:
    """Every save or delete of ``model`` (a model with a ``school`` foreign key) changes the school's stamp."""
    uid = f"portal.school_rules.{model._meta.label_lower}"
    post_save.connect(_rule_saved_or_deleted, sender=model, dispatch_uid=uid + ".saved")
    post_delete.connect(_rule_saved_or_deleted, sender=model, dispatch_uid=uid + ".deleted")


stamp_on_change(SchoolClosure)
