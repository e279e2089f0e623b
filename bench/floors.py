"""The bare-SQL floor of each measurement: the same data fetched with ONE hand-written statement
through a raw cursor. The gap between a page and its floor is what Django, Python and the template
add; the floor itself is what PostgreSQL needs on this data."""
from datetime import timedelta

from django.db import connection


def _fetch(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def dashboard(school_id):
    return _fetch("""
        SELECT
          (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) n FROM lending_device
             WHERE school_id = %(s)s GROUP BY status) d),
          (SELECT count(*) FROM lending_loan l JOIN lending_device d ON d.id = l.device_id
             WHERE d.school_id = %(s)s AND l.status = 'active'),
          (SELECT count(*) FROM lending_loan l JOIN lending_device d ON d.id = l.device_id
             WHERE d.school_id = %(s)s AND l.status = 'active' AND l.due_on < current_date),
          (SELECT count(*) FROM lending_agreement a JOIN lending_loan l ON l.id = a.loan_id
             JOIN lending_device d ON d.id = l.device_id
             WHERE d.school_id = %(s)s AND l.status = 'active' AND a.status IN ('draft', 'sent', 'question')),
          (SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM lending_loan l WHERE l.pupil_id = p.id
             AND l.status = 'active')) FROM households_pupil p
             WHERE p.school_id = %(s)s AND p.active AND p.needs_device),
          (SELECT count(*) FROM lending_repair r JOIN lending_device d ON d.id = r.device_id
             WHERE d.school_id = %(s)s AND r.returned_at IS NULL AND r.sent_at < now() - interval '30 days')
    """, {"s": school_id})


def device_list(school_id):
    return _fetch("""
        SELECT d.id, d.asset_tag, d.kind, d.status, p.first_name, p.last_name, p.class_name,
               count(*) OVER () AS total
        FROM lending_device d
        LEFT JOIN lending_loan l ON l.device_id = d.id AND l.status = 'active'
        LEFT JOIN households_pupil p ON p.id = l.pupil_id
        WHERE d.school_id = %s ORDER BY d.asset_tag LIMIT 50
    """, [school_id])


def _row(model, values, *, refs=()):
    """Column list, SELECT expressions and params for an INSERT of one row with every NOT NULL
    column (the COPY loader's defaults); ``refs`` maps an attname to an SQL expression."""
    from .copyload import _default, _sql_value

    columns, exprs, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.attname in refs:
            exprs.append(refs[field.attname])
            continue
        exprs.append("%s")
        params.append(_sql_value(field, values.get(field.attname, _default(field))))
    return ", ".join(columns), ", ".join(exprs), params


def checkout(device_ids, pupil_ids):
    """One statement that writes what a checkout writes: the loan, its agreement, the device status."""
    from django.utils import timezone

    from lending.models import Agreement, Loan

    devices, pupils = iter(device_ids), iter(pupil_ids)

    def run():
        now = timezone.now()
        loan_cols, loan_exprs, loan_params = _row(Loan, {"pupil_id": next(pupils), "started_at": now,
                                                         "due_on": timezone.localdate() + timedelta(days=200), "created_at": now},
                                                  refs={"device_id": "d.id"})
        agr_cols, agr_exprs, agr_params = _row(Agreement, {"text_version": "bench", "created_at": now},
                                               refs={"loan_id": "l.id"})
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH d AS (UPDATE lending_device SET status = 'on_loan' WHERE id = %s RETURNING id), "
                f"l AS (INSERT INTO lending_loan ({loan_cols}) SELECT {loan_exprs} FROM d RETURNING id) "
                f"INSERT INTO lending_agreement ({agr_cols}) SELECT {agr_exprs} FROM l RETURNING id",
                [next(devices), *loan_params, *agr_params])
            cursor.fetchall()

    return run


def reminder_plan(on):
    """The loans the nightly plan reads, with household and school, in one statement."""
    return _fetch("""
        SELECT l.id, l.due_on, h.id, h.contact_channel, h.preferred_language, d.school_id
        FROM lending_loan l JOIN households_pupil p ON p.id = l.pupil_id
        JOIN households_household h ON h.id = p.household_id JOIN lending_device d ON d.id = l.device_id
        WHERE l.status = 'active' AND l.due_on BETWEEN %(on)s::date - 365 AND %(on)s::date + 14
    """, {"on": on})


def reminder_send(limit):
    """The next ``limit`` pending reminders with their guardians' addresses, in one statement."""
    return _fetch("""
        SELECT r.id, r.kind, r.step, r.language, g.email
        FROM (SELECT * FROM lending_reminder WHERE status = 'pending' ORDER BY due_at, id LIMIT %s) r
        LEFT JOIN households_guardian g ON g.household_id = r.household_id
    """, [limit])


def roster_insert(school_id, household_id, count):
    """``count`` pupils in one multi-row INSERT, rolled back so each run inserts the same."""
    from households.models import Pupil

    rows, params = [], []
    for number in range(count):
        columns, exprs, values = _row(Pupil, {"school_id": school_id, "household_id": household_id,
                                              "first_name": f"Kind{number}", "last_name": "Roster",
                                              "class_name": "3B", "grade": 3, "internal_number": f"R{number:05d}"})
        rows.append(f"({exprs})")
        params += values

    def run():
        from django.db import transaction

        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO households_pupil ({columns}) VALUES {', '.join(rows)}", params)
            transaction.set_rollback(True)

    return run
