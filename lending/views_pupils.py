"""The pupil list and a pupil's page, with each pupil's loan and agreement."""
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.shortcuts import render
from django.views.decorators.http import require_GET

from households.filters import PupilFilter
from households.forms_pupils import PupilNeedsForm
from households.models import Pupil
from portal.access import get_scoped_or_404, school_required, scoped

from .models import Agreement, Loan

PAGE_SIZE = 50


@require_GET
@school_required
def pupil_list(request):
    open_loans = Loan.objects.filter(pupil=OuterRef("pk"), status=Loan.Status.ACTIVE).order_by("-started_at")
    agreements = Agreement.objects.filter(loan__pupil=OuterRef("pk"), loan__status=Loan.Status.ACTIVE)
    pupils = scoped(Pupil, request).annotate(
        has_open_loan=Exists(open_loans),
        open_loan_device=Subquery(open_loans.values("device__asset_tag")[:1]),
        agreement_status=Subquery(agreements.order_by("-created_at").values("status")[:1]),
    ).order_by("class_name", "last_name", "first_name", "pk")
    classes = scoped(Pupil, request).exclude(class_name="").order_by("class_name").values_list(
        "class_name", flat=True).distinct()
    filterset = PupilFilter(request.GET, queryset=pupils, classes=classes)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Agreement.Status.choices)
    for pupil in page:
        pupil.agreement_label = labels.get(pupil.agreement_status, "")
    return render(request, "lending/pupil_list.html", {"filter": filterset, "page": page})


@require_GET
@school_required
def pupil_detail(request, pupil_id):
    pupil = get_scoped_or_404(Pupil.objects.select_related("household", "needs_marked_by"), request, pk=pupil_id)
    loans = pupil.loans.select_related("device").prefetch_related(
        Prefetch("agreements", queryset=Agreement.objects.order_by("-created_at"))
    ).order_by("-started_at")
    household, guardians, siblings = pupil.household, [], []
    if household is not None:
        guardians = list(household.guardians.all())
        siblings = list(scoped(Pupil, request).filter(household=household).exclude(pk=pupil.pk))
    return render(request, "lending/pupil_detail.html", {
        "pupil": pupil, "loans": loans, "household": household, "guardians": guardians, "siblings": siblings,
        "needs_form": PupilNeedsForm(instance=pupil) if pupil.active and not pupil.anonymised_at else None,
    })
