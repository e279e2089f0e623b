"""Audit rows for services: who changed what, and how it looked before and after."""
from decimal import Decimal

from django.db.models import Model, Q
from django.forms.models import model_to_dict

from .models import AuditEvent


def snapshot(instance: Model, fields: list[str] | None = None) -> dict:
    data = model_to_dict(instance, fields=fields)
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in data.items()
            if not hasattr(value, "read")}


def record(*, actor, action: str, instance: Model, school=None, before: dict | None = None,
           after: dict | None = None) -> AuditEvent:
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
