"""Everything the portal keeps about one household, for a family's access request (JSON and PDF).

Every row that points at the household, its guardians or pupils (and their loans, agreements,
incidents) is listed with all its stored fields, plus the audit rows about those objects. The
internet code is shown: it is the family's own data. Files are listed by name; the signed PDF
itself is downloaded from the agreement page. A fixed number of queries whatever the family's size;
tests/households/test_export.py discovers the models through Django's relations, so a new model
that points at a family fails the test until it is added here.
"""
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from households.models import Guardian, Household, InternetCode, Pupil, Referral, SurveyAnswer, SurveyInvite
from lending.models import Agreement, Device, Incident, Loan, Repair, ReturnReceipt, SigningLink, Transfer
from portal.audit import events_about
from portal.documents import html_to_pdf
from portal.jobs import JobRefused, Outcome
from portal.models import AuditEvent, FailingAddress, Message
from reminders.models import Reminder

MODELS = (Household, Guardian, Pupil, Loan, Device, Agreement, SigningLink, Incident, Repair, ReturnReceipt, Transfer,
          InternetCode, SurveyInvite, SurveyAnswer, Referral, Reminder, Message, FailingAddress, AuditEvent)


def _value(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj) -> dict:
    return {field.attname: _value(getattr(obj, field.attname)) for field in obj._meta.concrete_fields}


def _querysets(household: Household) -> list:
    """(model, queryset) for each kind of row about the family, in the order the PDF shows them."""
    loans = Loan.objects.filter(pupil__household=household)
    return [
        (Household, Household.objects.filter(pk=household.pk)),
        (Guardian, Guardian.objects.filter(household=household)),
        (Pupil, Pupil.objects.filter(household=household)),
        (Loan, loans),
        (Device, Device.objects.filter(loans__in=loans).distinct()),
        (Agreement, Agreement.objects.filter(loan__in=loans)),
        (SigningLink, SigningLink.objects.filter(agreement__loan__in=loans)),
        (Incident, Incident.objects.filter(loan__in=loans)),
        (Repair, Repair.objects.filter(incident__loan__in=loans)),
        (ReturnReceipt, ReturnReceipt.objects.filter(loan__in=loans)),
        (Transfer, Transfer.objects.filter(loan__in=loans)),
        (InternetCode, InternetCode.objects.filter(household=household)),
        (SurveyInvite, SurveyInvite.objects.filter(household=household)),
        (SurveyAnswer, SurveyAnswer.objects.filter(invite__household=household)),
        (Referral, Referral.objects.filter(household=household)),
        (Reminder, Reminder.objects.filter(household=household)),
        # The messages sent to the family (by id: portal cannot point at a household) and the
        # addresses a provider reported as not working.
        (Message, Message.objects.filter(household_id=household.pk)),
        (FailingAddress, FailingAddress.objects.filter(household_id=household.pk)),
    ]


def collect(household: Household) -> dict:
    records = {}
    for model, queryset in _querysets(household):
        records[model._meta.label_lower] = [_row(obj) for obj in queryset.order_by("pk")]
    # Audit rows about the family's own rows; a device's history is the school's, not the family's.
    about = events_about({label: [row["id"] for row in rows] for label, rows in records.items()
                          if label != "lending.device"})
    records["portal.auditevent"] = [_row(event) for event in about.order_by("at", "pk")]
    return {
        "generated_at": timezone.now().isoformat(),
        "school": {"id": household.school_id, "name": household.school.name},
        "household_id": household.pk,
        "records": records,
    }


def to_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _sections(data: dict) -> list[dict]:
    models = {model._meta.label_lower: model for model in MODELS}
    sections = []
    for label, rows in data["records"].items():
        model = models[label]
        names = {field.attname: str(field.verbose_name) for field in model._meta.concrete_fields}
        sections.append({
            "title": str(model._meta.verbose_name_plural).capitalize(),
            "rows": [[(names.get(key, key), "" if value is None else str(value)) for key, value in row.items()]
                     for row in rows],
        })
    return sections


def to_pdf(data: dict) -> bytes:
    html = render_to_string("pdf/household_export.html", {"data": data, "sections": _sections(data)})
    return html_to_pdf(html)


def export_make(job, progress) -> Outcome:
    """The PDF of everything kept about one family, made by a worker (privacy/tasks.py) for the director
    who asked; only they see it on the documents page, and it is deleted after DOCUMENTS_KEEP_DAYS."""
    household = (Household.objects.select_related("school")
                 .filter(pk=job.params["household_id"], school=job.school).first())
    if household is None:
        raise JobRefused(gettext("This family is no longer in the portal."))
    return Outcome(file=to_pdf(collect(household)), filename=f"household-{household.pk}.pdf")
