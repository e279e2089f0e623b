from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from .access import choose_school_role, lops_for, role_at_school


@login_required
def home(request):
    """Send each staff member to the page of their role."""
    if role_at_school(request):
        return redirect("school_dashboard")
    if lops_for(request.user).exists() and not request.user.is_superuser:
        return redirect("lop_overview")
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "portal/no_role.html", status=403)


@login_required
def school_switch(request):
    """Staff with roles at several schools pick the one they work in (menu, POST)."""
    if request.method == "POST":
        try:
            role_id = int(request.POST.get("role", ""))
        except ValueError:
            role_id = None
        if not choose_school_role(request, role_id):
            return HttpResponseBadRequest()
    return redirect("school_dashboard")


@require_GET
def healthz(request):
    """For load balancers and the container health check: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico before reading the page's <link rel="icon">."""
    return redirect(static("favicon.ico"), permanent=True)
