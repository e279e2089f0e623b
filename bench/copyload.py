"""Bulk loading with PostgreSQL COPY: every concrete column is written, so a model that gains a
field keeps loading (unlisted fields take the field's Python default)."""
import json
from decimal import Decimal

from django.db import connection
from django.db.models import NOT_PROVIDED, JSONField


def _default(field):
    if field.has_default():
        value = field.default() if callable(field.default) else field.default
    elif field.null:
        value = None
    elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
        from django.utils import timezone

        value = timezone.now()
    else:
        value = "" if field.empty_strings_allowed else NOT_PROVIDED
    return value


def _sql_value(field, value):
    if isinstance(field, JSONField) and value is not None:
        return json.dumps(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def copy_rows(model, rows) -> int:
    """rows: dicts keyed by attname (``school_id``, not ``school``). Returns how many were written."""
    fields = model._meta.concrete_fields
    columns = ", ".join(f'"{f.column}"' for f in fields)
    defaults = {f.attname: _default(f) for f in fields}
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor underneath Django's wrapper
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                values = []
                for field in fields:
                    value = row.get(field.attname, defaults[field.attname])
                    if value is NOT_PROVIDED:
                        raise ValueError(f"{model.__name__}.{field.attname} needs a value")
                    values.append(_sql_value(field, value))
                copy.write_row(values)
                count += 1
    return count


def reset_sequences(*models):
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1)) FROM \"{table}\""
            )
