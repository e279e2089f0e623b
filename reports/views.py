"""Report pages for LOP staff, the admin (all of Flanders) and a school, with their exports."""
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.access import lop_staff_required, school_required
from portal.models import School

from . import exports, tables
from .figures import SchoolYear, first_primary_grade


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
    """The school-year selector (a GET form: the year is part of the page's address)."""

    year = forms.ChoiceField(label=gettext_lazy("School year"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(choice.start_year, choice.label) for choice in SchoolYear.choices()]


def suppression_note():
    return _(
        "Counts about pupils, households or staff from 1 to 4 show as “<5”. A rate built on such a count, "
        "and a total or group figure from which a hidden count could be worked back out, show as “–”. "
        "Device counts say nothing about a person and are always shown."
    )


def _report(request, *, scope, title, subtitle, schools):
    """The page, or with ?format=csv / ?format=xlsx exactly its tables as a download."""
    year = SchoolYear.from_param(request.GET.get("year"))
    fmt = request.GET.get("format")
    report = tables.build(scope, schools, year)
    if fmt == "csv":
        return exports.report_csv(title, suppression_note(), year, report["tables"])
    if fmt == "xlsx":
        return exports.report_xlsx(title, suppression_note(), year, report["tables"])
    query = f"?year={year.start_year}"
    return render(request, "reports/lop_detail.html" if scope == "lop" else "reports/report_page.html", {
        **report,
        "scope": scope,
        "title": title,
        "subtitle": subtitle,
        "year": year,
        "year_form": YearForm(initial={"year": year.start_year}),
        "first_grade": first_primary_grade(),
        "note": suppression_note(),
        "csv_url": f"{request.path}{query}&format=csv",
        "xlsx_url": f"{request.path}{query}&format=xlsx",
    })


@require_GET
@lop_staff_required
def lop_report(request, lop_id):
    lop = get_object_or_404(request.lops, pk=lop_id)
    return _report(request, scope="lop", title=lop.name, subtitle=f"{lop.area} · {lop.get_level_display()}",
                   schools=School.objects.filter(lop=lop))


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
