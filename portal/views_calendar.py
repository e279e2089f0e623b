"""The school calendar page: holidays and closed days; the director edits them (portal/school_calendar.py)."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import school_calendar as calendar
from .access import director_required, school_required
from .models import Role, SchoolClosure


class ClosureForm(forms.ModelForm):
    class Meta:
        model = SchoolClosure
        fields = ["name", "starts_on", "ends_on", "kind"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class SummerForm(forms.Form):
    days_before = forms.IntegerField(
        label=gettext_lazy("Devices come back before the summer: how many school days before it"), required=False,
        min_value=0, max_value=30,
        help_text=gettext_lazy("Empty: devices stay home in the summer and come back on the first school day after it."))


def _start_year(request) -> int:
    this = calendar.school_year_start(timezone.localdate())
    try:
        chosen = int(request.GET.get("year", this))
    except ValueError:
        chosen = this
    return chosen if this - 1 <= chosen <= this + 1 else this


@school_required
def school_calendar(request):
    start_year = _start_year(request)
    is_director = request.school_role.kind == Role.Kind.DIRECTOR
    form = ClosureForm(request.POST or None)
    if request.method == "POST":
        if not is_director:
            return redirect("school_calendar")
        if form.is_valid():
            try:
                calendar.closure_add(school=request.school, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The calendar is saved."))
                return redirect(f"{request.path}?year={calendar.school_year_start(form.cleaned_data['starts_on'])}")
    periods, own = calendar.year_overview(request.school, start_year)
    cal = calendar.calendar_for(request.school, timezone.localdate())
    return render(request, "portal/school_calendar.html", {
        "periods": periods, "own": own, "start_year": start_year, "form": form, "is_director": is_director,
        "summer_form": SummerForm(initial={"days_before": request.school.last_return_days_before_summer}),
        "summer_start": cal.summer_start(calendar.school_year_start(timezone.localdate())),
        "years": [start_year - 1, start_year, start_year + 1],
    })


@director_required
def school_calendar_fill(request):
    if request.method == "POST":
        start_year = _start_year(request)
        added = calendar.flemish_holidays_fill(school=request.school, start_year=start_year, by=request.user)
        messages.success(request, _("%(added)s holidays added.") % {"added": added})
        return redirect(f"{request.path.rsplit('fill/', 1)[0]}?year={start_year}")
    return redirect("school_calendar")


@director_required
def school_calendar_delete(request, closure_id):
    closure = get_object_or_404(SchoolClosure, pk=closure_id, school=request.school)
    if request.method == "POST":
        calendar.closure_delete(closure=closure, by=request.user)
        messages.success(request, _("“%(name)s” is removed from the calendar.") % {"name": closure.name})
    return redirect(f"/school/calendar/?year={calendar.school_year_start(closure.starts_on)}")


@director_required
def school_calendar_summer(request):
    form = SummerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        calendar.summer_return_set(school=request.school, days_before=form.cleaned_data["days_before"], by=request.user)
        messages.success(request, _("The calendar is saved."))
    return redirect("school_calendar")
