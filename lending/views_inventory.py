"""The inventory pages: device list and page, add and edit, label sheets (the import: views_device_import.py)."""
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from portal import jobs
from portal.access import get_scoped_or_404, school_required, scoped
from portal.models import Job

from . import inventory, tasks
from .filters import DeviceFilter
from .forms_inventory import DeviceForm
from .labels import MAX_LABELS
from .models import Device, Loan

PAGE_SIZE = 50


def _filtered(request):
    return DeviceFilter(request.GET or None, queryset=scoped(Device, request).order_by("asset_tag"), request=request)


@require_GET
@school_required
def device_list(request):
    device_filter = _filtered(request)
    devices = device_filter.qs if device_filter.is_bound else device_filter.queryset
    page = Paginator(inventory.devices_with_borrower(devices), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "lending/device_list.html", {
        "filter": device_filter, "page": page, "max_labels": MAX_LABELS,
    })


@require_GET
@school_required
def device_detail(request, device_id):
    device = get_scoped_or_404(Device, request, pk=device_id)
    open_loan = device.loans.filter(status=Loan.Status.ACTIVE).first()
    return render(request, "lending/device_detail.html", {
        "device": device, "open_loan": open_loan, "history": inventory.device_history(device),
        "accessories": inventory.display_value("accessories", device.accessories),
    })


@require_http_methods(["GET", "POST"])
@school_required
def device_create(request):
    form = DeviceForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            device = inventory.device_create(school=request.school, by=request.user, **form.changes())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Device %(tag)s added.") % {"tag": device.asset_tag})
            return redirect("device_detail", device_id=device.pk)
    return render(request, "lending/device_form.html", {"form": form, "device": None})


@require_http_methods(["GET", "POST"])
@school_required
def device_edit(request, device_id):
    device = get_scoped_or_404(Device, request, pk=device_id)
    form = DeviceForm(request.POST or None, school=request.school, device=device)
    if request.method == "POST" and form.is_valid():
        try:
            inventory.device_update(device=device, by=request.user, **form.changes())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Device %(tag)s saved.") % {"tag": form.cleaned_data["asset_tag"]})
            return redirect("device_detail", device_id=device.pk)
    return render(request, "lending/device_form.html", {"form": form, "device": device})


@require_http_methods(["GET", "POST"])
@school_required
def device_labels(request):
    """A label sheet of the filtered devices, made by a worker: this page says how many, its button starts it."""
    device_filter = _filtered(request)
    devices = device_filter.qs if device_filter.is_bound else device_filter.queryset
    count = devices.count()
    back = reverse("device_list") + ("?" + request.GET.urlencode() if request.GET else "")
    if count == 0:
        messages.error(request, _("No devices match these filters, so there are no labels to print."))
        return redirect(back)
    if count > MAX_LABELS:
        messages.error(request, ngettext(
            "%(count)d devices match; labels are made for at most %(max)d device at a time. Filter the list further.",
            "%(count)d devices match; labels are made for at most %(max)d devices at a time. Filter the list further.",
            MAX_LABELS) % {"count": count, "max": MAX_LABELS})
        return redirect(back)
    if request.method == "POST":
        job, _created = jobs.job_start(
            school=request.school, by=request.user, kind=Job.Kind.LABELS, task=tasks.make_labels,
            title=ngettext("%(count)d device", "%(count)d devices", count) % {"count": count},
            key=request.POST.get("job_key", ""),
            params={"device_ids": list(devices.values_list("pk", flat=True)), "next_url": back})
        return redirect("document_detail", job_id=job.pk)
    return render(request, "lending/device_labels.html", {"count": count, "back": back, "job_key": uuid.uuid4().hex})
