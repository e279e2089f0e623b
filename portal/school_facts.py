"""A school's staff head count and Digisprong budget per school year: entered by the director on
/school/facts/, or imported for many schools at once (``manage.py import_school_facts FILE --year Y``)."""
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .csvfiles import ImportRejected, RowError, read_csv
from .models import AuditEvent, School, SchoolYearFacts

FIELDS = ["staff_head_count", "digisprong_budget"]
MAX_HEAD_COUNT = 5000
MAX_BUDGET = Decimal("10000000")


def school_facts_set(*, school: School, start_year: int, staff_head_count: int | None,
                     digisprong_budget: Decimal | None, by) -> SchoolYearFacts:
    with transaction.atomic():
        facts, created = SchoolYearFacts.objects.select_for_update().get_or_create(school=school, start_year=start_year)
        before = None if created else audit.snapshot(facts, FIELDS)
        facts.staff_head_count, facts.digisprong_budget = staff_head_count, digisprong_budget
        facts.save(update_fields=[*FIELDS, "updated_at"])
        audit.record(actor=by, action=AuditEvent.Action.SCHOOL_FACTS_CHANGED, instance=facts, school=school,
                     before=before, after=audit.snapshot(facts, FIELDS))
    return facts


class SchoolFactsForm(forms.Form):
    staff_head_count = forms.IntegerField(
        label=gettext_lazy("Staff head count (teachers and other staff)"), min_value=0, max_value=MAX_HEAD_COUNT,
        required=False)
    digisprong_budget = forms.DecimalField(
        label=gettext_lazy("Digisprong budget (euro)"), min_value=0, max_value=MAX_BUDGET, decimal_places=2,
        required=False)


def _whole(value):
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 <= number <= MAX_HEAD_COUNT else None


def _amount(value):
    try:
        amount = Decimal(value.replace(" ", "").replace(".", "").replace(",", ".") if "," in value else value)
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if 0 <= amount <= MAX_BUDGET else None


def import_school_facts(*, data: bytes, start_year: int, by=None) -> int:
    """``schoolnummer;personeelsleden;digisprongbudget`` (either figure may stay empty): all or nothing."""
    table = read_csv(data, required=["schoolnummer"])
    errors = list(table.errors)
    schools = {s.instellingsnummer: s for s in School.objects.filter(
        instellingsnummer__in=[row["schoolnummer"] for row in table.rows])}
    plan = []
    for row in table.rows:
        school = schools.get(row["schoolnummer"])
        head, budget = row["personeelsleden"], row["digisprongbudget"]
        head_value, budget_value = (_whole(head) if head else None), (_amount(budget) if budget else None)
        if school is None:
            errors.append(RowError(row.line, _("no school with number %(number)s") % {"number": row["schoolnummer"]}))
        elif head and head_value is None:
            errors.append(RowError(row.line, _("the staff head count must be a whole number from 0 to 5000")))
        elif budget and budget_value is None:
            errors.append(RowError(row.line, _("the budget must be an amount in euro, at least 0")))
        else:
            plan.append((school, head_value, budget_value))
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for school, head, budget in plan:
            school_facts_set(school=school, start_year=start_year, staff_head_count=head, digisprong_budget=budget,
                             by=by)
    return len(plan)
