"""Report pages for LOP staff, the admin (all of Flanders) and a school, with their exports."""
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.access import lop_staff_required, school_required
from portal.models import School

from . import exports
from .figures import SchoolYear, first_primary_grade
from .report import Listing, Period, build
from .rollup import FiguresPending


def admin_required(view):
    """The Flanders-wide view: superusers only; anyone else logged in gets a 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class YearForm(forms.Form):
    """The school year and the period for the monthly code figures (a GET form: both are part of the
    page's address, so an export downloads exactly what is on screen)."""

    year = forms.ChoiceField(label=gettext_lazy("School year"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(choice.start_year, choice.label) for choice in SchoolYear.choices()]
        # "from" and "to" are Python keywords, so these two fields are named here.
        self.fields["from"] = forms.CharField(label=gettext_lazy("Internet codes from (month)"), required=False,
                                              widget=forms.TextInput(attrs={"type": "month"}))
        self.fields["to"] = forms.CharField(label=gettext_lazy("to (month)"), required=False,
                                            widget=forms.TextInput(attrs={"type": "month"}))


def suppression_note():
    return _(
        "Per school, a count of 1 to 4 pupils, families or staff shows as “<5”, and a few more school figures "
        "show as “–” so that no hidden figure can be worked out, not even by someone who knows the exact "
        "figures of their own school. Totals over several schools are exact: every hidden figure can still "
        "move between schools of the same LOP, province, level, type and network without changing any total "
        "on any page (where that is impossible, the total shows as “–” too)."
    )


def _report(request, *, scope, title, subtitle, schools, lop_id=None):
    """The page, or with ?format=csv / ?format=xlsx exactly its tables (every school) as a download."""
    year = SchoolYear.from_param(request.GET.get("year"))
    try:
        return _report_page(request, scope=scope, title=title, subtitle=subtitle, schools=schools, lop_id=lop_id,
                            year=year)
    except FiguresPending:
        # An expected state for a few minutes a year, not a server error: a normal page that says so.
        return render(request, "reports/figures_pending.html", {"title": title, "subtitle": subtitle, "year": year})


def _report_page(request, *, scope, title, subtitle, schools, lop_id, year):
    period = Period.from_params(request.GET.get("from"), request.GET.get("to"), year)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        report = build(scope, schools, year, period=period, lop_id=lop_id)
        write = exports.report_csv if fmt == "csv" else exports.report_xlsx
        return write(title, f"{suppression_note()} {as_at_note(report['as_at'])}", year, report["tables"])
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    query = request.GET.get("q", "").strip()[:100]
    report = build(scope, schools, year, period=period, listing=Listing(query=query, page=page), lop_id=lop_id)
    params = {"year": year.start_year, "from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}"}
    if query:
        params["q"] = query
    base = f"{request.path}?{urlencode(params)}"
    page = min(max(1, page), report["pages"])
    return render(request, "reports/lop_detail.html" if scope == "lop" else "reports/report_page.html", {
        **report,
        "scope": scope,
        "title": title,
        "subtitle": subtitle,
        "year": year,
        "year_form": YearForm(initial={"year": year.start_year, "from": params["from"], "to": params["to"]}),
        "first_grade": first_primary_grade(),
        "note": suppression_note(),
        "as_at_note": as_at_note(report["as_at"]),
        "query": query,
        "page": page,
        "previous_url": f"{base}&page={page - 1}" if page > 1 else "",
        "next_url": f"{base}&page={page + 1}" if page < report["pages"] else "",
        "csv_url": f"{base}&format=csv",
        "xlsx_url": f"{base}&format=xlsx",
    })


def as_at_note(moment):
    if moment is None:
        return ""
    return _("Figures as at %(moment)s.") % {"moment": date_format(timezone.localtime(moment), "DATETIME_FORMAT")}


@require_GET
@lop_staff_required
def lop_report(request, lop_id):
    lop = get_object_or_404(request.lops, pk=lop_id)
    return _report(request, scope="lop", title=lop.name, subtitle=f"{lop.area} · {lop.get_level_display()}",
                   schools=School.objects.filter(lop=lop), lop_id=lop.pk)


@require_GET
@admin_required
def flanders_report(request):
    return _report(request, scope="flanders", title=_("Flanders and Brussels"), subtitle=_("All schools"),
                   schools=School.objects.all())


@require_GET
@school_required
def school_report(request):
    school = request.school
    return _report(request, scope="school", title=school.name, subtitle=school.address,
                   schools=School.objects.filter(pk=school.pk))
