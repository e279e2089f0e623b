"""The landing pages with figures: the school's dashboard and the LOP staff's choice of LOP
(the LOP report itself is reports.views.lop_report)."""
from django.shortcuts import redirect, render

from portal.access import lop_staff_required, school_required

from . import dashboards


@school_required
def school_dashboard(request):
    return render(
        request,
        "reports/school_dashboard.html",
        {"school": request.school, "counts": dashboards.school_dashboard(request.school)},
    )


@lop_staff_required
def lop_overview(request):
    lops = list(request.lops)
    if len(lops) == 1:
        return redirect("lop_detail", lop_id=lops[0].pk)
    return render(request, "reports/lop_overview.html", {"lops": lops})

