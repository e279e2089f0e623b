"""Figures for the LOP, Flanders and school reports: counts per school, never a pupil.

One report runs a fixed number of aggregate queries whatever the number of schools: one
``GROUP BY school`` query per source table (pupils, loans, agreements, households,
internet codes, devices, incidents) with conditional aggregation, plus two for the monthly
trend. Breakdowns (level, network, province, ...) are rolled up in Python from the
per-school rows, so they cost no query at all.

The school year
    School year ``Y`` runs from 1 September ``Y`` to 31 August ``Y+1`` (Europe/Brussels).
    Its *reference moment* is the end of that year, or now for the running year.
    - "open loans", "agreements signed" and "staff devices" are counted as they stood at the
      reference moment (a loan is open when it started before it and was not returned yet);
    - "loans handed out", internet codes handed out (and activated) and incidents are those
      whose date falls inside the school year;
    - pupils, households and devices have no history in the portal: they are counted as they
      are today, whatever year is chosen.
    Pupils in scope: active pupils from the 5th year of primary school (setting
    ``REPORT_FIRST_PRIMARY_GRADE``, default 5) to the end of secondary school.
"""
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from households.models import Household, InternetCode, Pupil
from lending.models import Agreement, Device, Incident, Loan
from portal.models import EducationLevel

# Every per-school figure, and whether it is about pupils or households (then small counts hide).
PUPIL_FIGURES = (
    "in_scope", "flagged", "covered", "open_pupil", "loans_started", "signed", "paper",
    "no_internet", "issued", "activated", "damage", "loss", "theft",
    # Staff devices are about people too: in a small school "2" can name two teachers.
    "staff",
)
DEVICE_FIGURES = ("laptop", "tablet", "chromebook", "other", "devices")
FIRST_SCHOOL_YEAR = 2020


def first_primary_grade():
    return settings.REPORT_FIRST_PRIMARY_GRADE


@dataclass(frozen=True)
class SchoolYear:
    start_year: int

    @classmethod
    def current(cls, now=None):
        today = timezone.localtime(now or timezone.now()).date()
        return cls(today.year if today.month >= 9 else today.year - 1)

    @classmethod
    def choices(cls):
        return [cls(year) for year in range(cls.current().start_year, FIRST_SCHOOL_YEAR - 1, -1)]

    @classmethod
    def from_param(cls, value):
        """The year a query string asks for; the running year when absent or out of range."""
        current = cls.current()
        try:
            year = int(value)
        except (TypeError, ValueError):
            return current
        return cls(year) if FIRST_SCHOOL_YEAR <= year <= current.start_year else current

    @property
    def label(self):
        return f"{self.start_year}–{self.start_year + 1}"

    @property
    def start(self):
        return timezone.make_aware(datetime(self.start_year, 9, 1))

    @property
    def end(self):
        """Exclusive: 1 September of the next year, 00:00."""
        return timezone.make_aware(datetime(self.start_year + 1, 9, 1))

    @property
    def reference(self):
        return min(self.end, timezone.now())

    def month_ends(self):
        """(first day of the month, the moment the month ends) for each month begun so far."""
        months = []
        for index in range(12):
            year, month = self.start_year + (index + 4) // 12, (index + 8) % 12 + 1
            next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
            first = timezone.make_aware(datetime(year, month, 1))
            if first > timezone.now():
                break
            months.append((first, min(timezone.make_aware(datetime(next_year, next_month, 1)), timezone.now())))
        return months


def _open_at(moment, prefix=""):
    return Q(**{f"{prefix}started_at__lte": moment}) & (
        Q(**{f"{prefix}returned_at__isnull": True}) | Q(**{f"{prefix}returned_at__gt": moment})
    )


def _in_scope(prefix=""):
    return Q(**{f"{prefix}school__level": EducationLevel.SECONDARY}) | Q(
        **{f"{prefix}school__level": EducationLevel.PRIMARY, f"{prefix}grade__gte": first_primary_grade()}
    )


def _by_school(queryset, school_field, **aggregates):
    return {row.pop(school_field): row for row in queryset.values(school_field).annotate(**aggregates).order_by()}


def aggregate_querysets(schools, year: SchoolYear):
    """The per-school aggregate queries of a report, unevaluated (the bench times their SQL)."""
    ref, start, end = year.reference, year.start, year.end
    has_open_loan = Loan.objects.filter(_open_at(ref), pupil=OuterRef("pk"))
    pupils = Pupil.objects.filter(school__in=schools, active=True)
    in_scope = _in_scope()
    loans = Loan.objects.filter(device__school__in=schools)
    # An agreement that ended after its loan was signed all the same: signed_at tells.
    signed = Q(signed_at__isnull=False, signed_at__lt=ref)
    return {
        "pupils": (pupils, "school", {
            "in_scope": Count("id", filter=in_scope),
            "flagged": Count("id", filter=in_scope & Q(needs_device=True)),
            "covered": Count("id", filter=in_scope & Q(needs_device=True) & Q(Exists(has_open_loan))),
        }),
        "loans": (loans, "device__school", {
            "open_pupil": Count("id", filter=_open_at(ref) & Q(pupil__isnull=False)),
            "staff": Count("id", filter=_open_at(ref) & Q(staff_member__isnull=False)),
            "loans_started": Count(
                "id", filter=Q(pupil__isnull=False, started_at__gte=start, started_at__lt=end)
            ),
        }),
        "agreements": (
            Agreement.objects.filter(_open_at(ref, "loan__"), loan__device__school__in=schools,
                                     loan__pupil__isnull=False),
            "loan__device__school",
            {
                "signed": Count("loan", distinct=True, filter=signed),
                "paper": Count("loan", distinct=True, filter=signed & Q(signed_method=Agreement.Method.PAPER)),
            },
        ),
        "households": (Household.objects.filter(school__in=schools), "school", {
            "no_internet": Count("id", filter=Q(internet_at_home=Household.Access.NONE)),
        }),
        "codes": (
            InternetCode.objects.filter(school__in=schools, issued_at__gte=start, issued_at__lt=end),
            "school",
            {"issued": Count("id"), "activated": Count("id", filter=Q(activated_at__lt=ref))},
        ),
        "incidents": (
            Incident.objects.filter(device__school__in=schools, reported_at__gte=start, reported_at__lt=end),
            "device__school",
            {kind: Count("id", filter=Q(kind=kind)) for kind in Incident.Kind.values},
        ),
    }


def devices_queryset(schools):
    """Devices in use (not retired), per school, kind and funding source."""
    return (
        Device.objects.filter(school__in=schools).exclude(status=Device.Status.RETIRED)
        .values("school", "kind", "funding_source")
        .annotate(n=Count("id"), value=Sum("purchase_value"))
        .order_by()
    )


def aggregate_sql(schools, year: SchoolYear) -> list[tuple[str, tuple]]:
    """(sql, params) of the per-school aggregate queries, for timing them bare (bench/reports.py)."""
    querysets = [
        queryset.values(school_field).annotate(**aggregates).order_by()
        for queryset, school_field, aggregates in aggregate_querysets(schools, year).values()
    ]
    return [queryset.query.sql_with_params() for queryset in [*querysets, devices_queryset(schools)]]


def school_rows(schools, year: SchoolYear) -> list[dict]:
    """One dict of raw counts per school, in 8 queries whatever the number of schools."""
    rows = {
        school["id"]: {"school": school, **dict.fromkeys(PUPIL_FIGURES + DEVICE_FIGURES, 0), "funding": {}}
        for school in schools.order_by("name", "pk").values(
            "id", "name", "municipality", "province", "level", "special_needs", "network"
        )
    }
    for queryset, school_field, aggregates in aggregate_querysets(schools, year).values():
        for school_id, figures in _by_school(queryset, school_field, **aggregates).items():
            rows[school_id].update(figures)
    for device in devices_queryset(schools):
        row = rows[device["school"]]
        kind = device["kind"] if device["kind"] in DEVICE_FIGURES else "other"
        row[kind] += device["n"]
        row["devices"] += device["n"]
        count, value = row["funding"].get(device["funding_source"], (0, 0))
        row["funding"][device["funding_source"]] = (count + device["n"], value + (device["value"] or 0))
    return list(rows.values())


def monthly_trend(schools, year: SchoolYear) -> list[dict]:
    """Open loans to pupils and their signed agreements at each month end, per school: two queries.

    Per school, so that a month's figure for the whole report is a column total like any other
    and hides when it would give a small school's count away."""
    months = year.month_ends()
    if not months:
        return []
    loans = _by_school(
        Loan.objects.filter(device__school__in=schools, pupil__isnull=False), "device__school",
        **{f"m{i}": Count("id", filter=_open_at(end)) for i, (_first, end) in enumerate(months)},
    )
    agreements = _by_school(
        Agreement.objects.filter(loan__device__school__in=schools, loan__pupil__isnull=False),
        "loan__device__school",
        **{
            f"m{i}": Count("loan", distinct=True,
                           filter=_open_at(end, "loan__") & Q(signed_at__isnull=False, signed_at__lt=end))
            for i, (_first, end) in enumerate(months)
        },
    )
    return [
        {
            "month": first,
            "schools": {
                school_id: {"open_pupil": loans.get(school_id, {}).get(f"m{i}", 0),
                            "signed": agreements.get(school_id, {}).get(f"m{i}", 0)}
                for school_id in {*loans, *agreements}
            },
        }
        for i, (first, _end) in enumerate(months)
    ]
