"""A director's pages for a family's rights: erasure (and the export of everything kept)."""
import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from households.models import Household
from lending.models import Loan
from portal import audit, jobs
from portal.access import director_required, get_scoped_or_404
from portal.models import AuditEvent, Job

from . import export, retention, tasks
from .forms import EraseHouseholdForm


@director_required
def household_erase(request, household_id):
    household = get_scoped_or_404(Household, request, pk=household_id)
    if household.anonymised_at:
        messages.info(request, _("The personal data of this family was already erased."))
        return redirect("household_detail", household_id=household.pk)
    on_loan = list(Loan.objects.filter(pupil__household=household, status=Loan.Status.ACTIVE)
                   .values_list("device__asset_tag", flat=True))
    form = EraseHouseholdForm(request.POST or None, household=household)
    if request.method == "POST" and not on_loan and form.is_valid():
        try:
            retention.erase_household(household, actor=request.user)
        except retention.ErasureRefused:
            messages.error(request, _("A device was just lent to this family: nothing was erased."))
        else:
            messages.success(request, _("The family's personal data is erased. The counts for the reports stay."))
        return redirect("household_detail", household_id=household.pk)
    return render(request, "privacy/household_erase.html", {
        "household": household, "form": form, "on_loan": on_loan,
    }, status=409 if on_loan and request.method == "POST" else 200)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@director_required
def household_export(request, household_id, fmt):
    """Everything kept about the family, for an access request; the request itself is audited. The JSON
    comes at once; the PDF is laid out by a worker and waits, for its director only, on the documents page."""
    household = get_scoped_or_404(Household.objects.select_related("school"), request, pk=household_id)
    if fmt == "pdf":
        if request.method != "POST":
            return render(request, "privacy/household_export.html", {"household": household, "job_key": uuid.uuid4().hex})
        job, created = jobs.job_start(
            school=request.school, by=request.user, kind=Job.Kind.HOUSEHOLD_EXPORT, title=household.name,
            task=tasks.make_household_export, key=request.POST.get("job_key", ""), private=True,
            params={"household_id": household.pk, "next_url": reverse("household_detail", args=[household.pk])})
        if created:
            audit.record(actor=request.user, action=AuditEvent.Action.HOUSEHOLD_EXPORTED, instance=household,
                         school=request.school, after={"format": fmt})
        return redirect("document_detail", job_id=job.pk)
    data = export.collect(household)
    audit.record(actor=request.user, action=AuditEvent.Action.HOUSEHOLD_EXPORTED, instance=household, school=request.school,
                 after={"format": fmt})
    return _download(export.to_json(data), "application/json", f"household-{household.pk}.json")
