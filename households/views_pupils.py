"""One pupil by hand: add a pupil, mark what a pupil needs (the pupil's page itself is lending's)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.access import get_scoped_or_404, school_required

from .forms_pupils import PupilCreateForm, PupilNeedsForm
from .models import Pupil
from .pupils import pupil_create, pupil_needs_mark


@require_http_methods(["GET", "POST"])
@school_required
def pupil_create_view(request):
    form = PupilCreateForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            pupil = pupil_create(school=request.school, by=request.user, **form.service_arguments())
        except ValidationError as error:
            form.add_error("internal_number", error)
        else:
            messages.success(request, _("Pupil %(name)s added.") % {"name": pupil.full_name})
            return redirect("pupil_detail", pupil_id=pupil.pk)
    return render(request, "households/pupil_form.html", {"form": form})


@school_required
def pupil_needs(request, pupil_id):
    pupil = get_scoped_or_404(Pupil, request, pk=pupil_id)
    if request.method != "POST":
        return redirect("pupil_detail", pupil_id=pupil.pk)
    form = PupilNeedsForm(request.POST, instance=pupil)
    if form.is_valid():
        pupil_needs_mark(pupil=pupil, needs_device=form.cleaned_data["needs_device"],
                         needs_internet=form.cleaned_data["needs_internet"], by=request.user)
        messages.success(request, _("Saved what %(name)s needs.") % {"name": pupil.full_name})
    return redirect("pupil_detail", pupil_id=pupil.pk)
