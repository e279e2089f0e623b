"""Audit rows for services: who changed what, and how it looked before and after."""
import datetime

from django.db.models import Model, Q
from django.forms.models import model_to_dict

from .models import AuditEvent

Action = AuditEvent.Action
_PLAIN = (str, int, float, bool, type(None))


def json_safe(value):
    """A value an audit row's JSON can hold: dates as ISO 8601, amounts and anything else as text."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    return str(value)


def snapshot(instance: Model, fields: list[str] | None = None) -> dict:
    """The named fields of ``instance`` as JSON-safe values (files left out: their names are in the row)."""
    data = model_to_dict(instance, fields=fields)
    return {key: json_safe(value) for key, value in data.items() if not hasattr(value, "read")}


def record(*, actor, action: Action, instance: Model, school=None, before: dict | None = None,
           after: dict | None = None) -> AuditEvent:
    """One audit row. ``action`` must be one of AuditEvent.Action: the trail has one vocabulary."""
    action = Action(action)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        school=school,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        before=before,
        after=after,
    )


def events_about(objects: dict[str, list]):
    """Audit rows about these objects: {"lending.loan": [ids], ...}; none when the dict is empty."""
    about = Q(pk__in=[])
    for object_type, ids in objects.items():
        if ids:
            about |= Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
    return AuditEvent.objects.filter(about)
