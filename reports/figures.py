"""Figures per school, computed live from the rows: the truth the roll-up (reports/rollup.py) stores.

A report never runs these queries for all of Flanders while someone waits: it reads the roll-up,
which these functions fill (nightly, after a write for one school, or on demand). Tests compare the
two after every kind of write.

The school year
    School year ``Y`` runs from 1 September ``Y`` 00:00 to 1 September ``Y+1`` 00:00 (Europe/Brussels,
    end exclusive). Its *reference moment* is that end, or now for the running year.
    - "open loans", "agreements signed", "staff with a device on loan" and "devices in use" are counted
      as they stood at the reference moment: a loan is open when it started before it and was not
      returned before it; a device is in use from its "in use since" day unless it is lost, stolen
      or retired (the portal keeps no date for those, so they count in no year);
    - "loans handed out", internet codes handed out and incidents are those dated inside the year;
      "codes activated" counts the codes handed out in the year that were activated, whenever that
      happened (a code activated in the next year still belongs to the year it was handed out);
    - pupils and households have no history in the portal: they are counted as they are today.
    Pupils in scope: active pupils from the 5th year of primary school (setting
    ``REPORT_FIRST_PRIMARY_GRADE``, default 5) to the end of secondary school.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DateField, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from households.models import Household, InternetCode, Pupil
from lending.models import Agreement, Device, Incident, Loan
from portal.models import EducationLevel, SchoolYearFacts

# Counts about people: hidden per school when small (reports/suppression.py).
PERSON_FIGURES = (
    "in_scope", "flagged", "covered", "open_pupil", "loans_started", "signed", "paper",
    "no_internet", "issued", "activated", "damage", "loss", "theft",
    # Staff devices are about people too: in a small school "2" can name two teachers.
    "staff",
)
DEVICE_FIGURES = ("laptop", "tablet", "chromebook", "other", "devices")
# Counted but never shown per school: the group a person figure is about (see suppression.PART_OF).
BASE_FIGURES = ("households",)
FIRST_SCHOOL_YEAR = 2019  # the first lockdown (March-July 2020) falls in 2019-2020


def first_primary_grade():
    return settings.REPORT_FIRST_PRIMARY_GRADE


def _aware(year, month):
    return timezone.make_aware(datetime(year, month, 1))


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
    def all(cls):
        return list(reversed(cls.choices()))

    @classmethod
    def from_param(cls, value):
        """The year a query string asks for; the running year when absent or out of range."""
        current = cls.current()
        try:
            year = int(value)
        except (TypeError, ValueError):
            return current
        return cls(year) if FIRST_SCHOOL_YEAR <= year <= current.start_year else current

    @classmethod
    def of(cls, moment):
        return cls.current(moment)

    @property
    def label(self):
        return f"{self.start_year}–{self.start_year + 1}"

    @property
    def start(self):
        return _aware(self.start_year, 9)

    @property
    def end(self):
        """Exclusive: 1 September of the next year, 00:00."""
        return _aware(self.start_year + 1, 9)

    @property
    def reference(self):
        """The end of the year, or for the running year just after now: a loan handed out this very
        instant is open now, one handed out at 00:00 on 1 September was not open the year before."""
        return min(self.end, timezone.now() + timedelta(microseconds=1))

    @property
    def last_day(self):
        """The last day a device must have been in use by to count in this year."""
        return timezone.localtime(self.reference - timedelta(microseconds=1)).date()

    def months(self):
        """The first day (aware, local midnight) of each month of the year begun so far, September first."""
        firsts = []
        for index in range(12):
            month = (8 + index) % 12 + 1  # 9, 10, 11, 12, 1, ... 8
            first = _aware(self.start_year + (month < 9), month)
            if first > timezone.now():
                break
            firsts.append(first)
        return firsts

    def month_ends(self):
        """(first day of the month, the moment the month ends or now) for each month begun so far."""
        firsts = self.months()
        ends = [*firsts[1:], self.end]
        now = timezone.now() + timedelta(microseconds=1)
        return [(first, min(end, now)) for first, end in zip(firsts, ends, strict=True)]


def _open_at(moment, prefix=""):
    """Open at ``moment``: started strictly before it and not returned by then."""
    return Q(**{f"{prefix}started_at__lt": moment}) & (
        Q(**{f"{prefix}returned_at__isnull": True}) | Q(**{f"{prefix}returned_at__gt": moment})
    )


def _in_scope(prefix=""):
    return Q(**{f"{prefix}school__level": EducationLevel.SECONDARY}) | Q(
        **{f"{prefix}school__level": EducationLevel.PRIMARY, f"{prefix}grade__gte": first_primary_grade()}
    )


def devices_in_use(schools, year: "SchoolYear"):
    return Device.objects.filter(school__in=schools, in_use_since__lte=year.last_day).exclude(
        status__in=Device.OUT_OF_USE)


def aggregate_querysets(schools, year: SchoolYear):
    """The per-school aggregate queries of a year, unevaluated: (queryset, school field, aggregates)."""
    ref, start, end = year.reference, year.start, year.end
    has_open_loan = Loan.objects.filter(_open_at(ref), pupil=OuterRef("pk"))
    in_scope = _in_scope()
    # An agreement that ended after its loan was signed all the same: signed_at tells.
    signed = Q(signed_at__isnull=False, signed_at__lt=ref)
    return {
        "pupils": (Pupil.objects.filter(school__in=schools, active=True), "school", {
            "in_scope": Count("id", filter=in_scope),
            "flagged": Count("id", filter=in_scope & Q(needs_device=True)),
            "covered": Count("id", filter=in_scope & Q(needs_device=True) & Q(Exists(has_open_loan))),
        }),
        "loans": (Loan.objects.filter(device__school__in=schools), "device__school", {
            "open_pupil": Count("id", filter=_open_at(ref) & Q(pupil__isnull=False)),
            "staff": Count("staff_member", distinct=True, filter=_open_at(ref) & Q(staff_member__isnull=False)),
            "loans_started": Count("id", filter=Q(pupil__isnull=False, started_at__gte=start, started_at__lt=end)),
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
            "households": Count("id"),
            "no_internet": Count("id", filter=Q(internet_at_home=Household.Access.NONE)),
        }),
        "codes": (
            InternetCode.objects.filter(school__in=schools, issued_at__gte=start, issued_at__lt=end),
            "school",
            {"issued": Count("id"), "activated": Count("id", filter=Q(activated_at__isnull=False))},
        ),
        "incidents": (
            Incident.objects.filter(device__school__in=schools, reported_at__gte=start, reported_at__lt=end),
            "device__school",
            {kind: Count("id", filter=Q(kind=kind)) for kind in Incident.Kind.values},
        ),
    }


def devices_queryset(schools, year: SchoolYear):
    """Devices in use at the reference moment, per school, kind and funding source."""
    return (
        devices_in_use(schools, year).values("school", "kind", "funding_source")
        .annotate(n=Count("id"), value=Sum("purchase_value")).order_by()
    )


def aggregate_sql(schools, year: SchoolYear) -> list[tuple[str, tuple]]:
    """(sql, params) of the live per-school queries of one year, for timing them bare (bench/)."""
    querysets = [
        queryset.values(school_field).annotate(**aggregates).order_by()
        for queryset, school_field, aggregates in aggregate_querysets(schools, year).values()
    ]
    return [queryset.query.sql_with_params() for queryset in [*querysets, devices_queryset(schools, year)]]


def empty_counts():
    return {**dict.fromkeys(PERSON_FIGURES + DEVICE_FIGURES + BASE_FIGURES, 0), "funding": {},
            "staff_head_count": None, "digisprong_budget": None, "started_lending": False}


def _first_loans(schools):
    return dict(
        Loan.objects.filter(device__school__in=schools, pupil__isnull=False).values_list("device__school")
        .annotate(first=Min("started_at")).order_by()
    )


def _facts(schools):
    """{school id: [(start_year, head count, budget), ...]} newest first."""
    facts = {}
    for row in SchoolYearFacts.objects.filter(school__in=schools).order_by("school", "-start_year").values_list(
            "school", "start_year", "staff_head_count", "digisprong_budget"):
        facts.setdefault(row[0], []).append(row[1:])
    return facts


def _latest(facts, year, index):
    """The newest value entered for this year or an earlier one (a head count stays true until changed)."""
    return next((row[index] for row in facts if row[0] <= year.start_year and row[index] is not None), None)


def live_counts(schools, years) -> dict:
    """{(school id, start year): counts} computed from the rows: 7 queries per year plus 2."""
    school_ids = list(schools.values_list("pk", flat=True))
    first_loans, facts = _first_loans(schools), _facts(schools)
    result = {}
    for year in years:
        rows = {school_id: empty_counts() for school_id in school_ids}
        for queryset, school_field, aggregates in aggregate_querysets(schools, year).values():
            for row in queryset.values(school_field).annotate(**aggregates).order_by():
                rows[row.pop(school_field)].update(row)
        for device in devices_queryset(schools, year):
            row = rows[device["school"]]
            kind = device["kind"] if device["kind"] in DEVICE_FIGURES else "other"
            row[kind] += device["n"]
            row["devices"] += device["n"]
            count, value = row["funding"].get(device["funding_source"], (0, "0"))
            row["funding"][device["funding_source"]] = [count + device["n"],
                                                        str(Decimal(value) + (device["value"] or Decimal(0)))]
        for school_id, row in rows.items():
            first = first_loans.get(school_id)
            row["started_lending"] = first is not None and year.start <= first < year.end
            row["staff_head_count"] = _latest(facts.get(school_id, []), year, 1)
            budget = _latest(facts.get(school_id, []), year, 2)
            row["digisprong_budget"] = None if budget is None else str(budget)
            result[(school_id, year.start_year)] = row
    return result


MONTH_FIGURES = ("open_pupil", "signed", "issued", "activations")


def live_months(schools, years) -> dict:
    """{(school id, first day of the month): {open_pupil, signed, issued, activations}} for every month begun of
    the years: open loans to pupils and their signed agreements at each month's end, internet codes
    handed out and activated during the month. Two queries per year plus two."""
    result = {}
    for year in years:
        ends = year.month_ends()
        if not ends:
            continue
        loans = Loan.objects.filter(device__school__in=schools, pupil__isnull=False).values("device__school").annotate(
            **{f"m{i}": Count("id", filter=_open_at(end)) for i, (_first, end) in enumerate(ends)}).order_by()
        agreements = Agreement.objects.filter(loan__device__school__in=schools, loan__pupil__isnull=False).values(
            "loan__device__school").annotate(**{
                f"m{i}": Count("loan", distinct=True,
                               filter=_open_at(end, "loan__") & Q(signed_at__isnull=False, signed_at__lt=end))
                for i, (_first, end) in enumerate(ends)}).order_by()
        for figure, rows, field in (("open_pupil", loans, "device__school"),
                                    ("signed", agreements, "loan__device__school")):
            for row in rows:
                for i, (first, _end) in enumerate(ends):
                    if row[f"m{i}"]:
                        key = (row[field], timezone.localdate(first))
                        result.setdefault(key, dict.fromkeys(MONTH_FIGURES, 0))[figure] = row[f"m{i}"]
    begun = {timezone.localdate(first) for year in years for first in year.months()}
    for figure, field in (("issued", "issued_at"), ("activations", "activated_at")):
        rows = (InternetCode.objects.filter(school__in=schools, **{f"{field}__isnull": False})
                .annotate(month=TruncMonth(field, output_field=DateField())).values("school", "month")
                .annotate(n=Count("id")).order_by())
        for row in rows:
            if row["month"] in begun:
                result.setdefault((row["school"], row["month"]), dict.fromkeys(MONTH_FIGURES, 0))[figure] = row["n"]
    return result
