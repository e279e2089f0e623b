"""The desk pages of a school year: leavers, hand-overs between schools, stocktakes."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from households.leaving import pupil_mark_left
from households.models import Pupil
from portal.access import get_scoped_or_404, school_required

from . import stocktake as counts
from . import transfers
from .desk import DeskError
from .forms_year import AcceptForm, HandOverForm, LeftForm, ScanForm
from .leavers import leavers_worklist
from .models import Loan, Stocktake, Transfer


@require_GET
@school_required
def desk_leavers(request):
    return render(request, "lending/desk_leavers.html",
                  {"loans": leavers_worklist(request.school, timezone.localdate())})


@school_required
def pupil_left(request, pupil_id):
    pupil = get_scoped_or_404(Pupil, request, pk=pupil_id, active=True)
    form = LeftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pupil_mark_left(pupil=pupil, left_on=form.cleaned_data["left_on"], by=request.user)
        messages.success(request, _("%(pupil)s is marked as left the school.") % {"pupil": pupil.full_name})
        return redirect("desk_leavers")
    return render(request, "lending/pupil_left.html", {"form": form, "pupil": pupil})


@school_required
def loan_hand_over(request, loan_id):
    loan = get_scoped_or_404(Loan.objects.select_related("device", "pupil"), request, pk=loan_id,
                             status=Loan.Status.ACTIVE)
    form = HandOverForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            transfers.loan_hand_over(loan=loan, to_school=form.to_school, note=form.cleaned_data["note"],
                                     by=request.user)
        except DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Device %(tag)s is handed over to %(school)s. It is no longer in your stock.")
                             % {"tag": loan.device.asset_tag, "school": form.to_school.name})
            return redirect("desk_transfers")
    return render(request, "lending/desk_hand_over.html", {"form": form, "loan": loan})


@require_GET
@school_required
def desk_transfers(request):
    return render(request, "lending/desk_transfers.html", {
        "transfers": transfers.transfers_of(request.school)[:100], "school": request.school})


@school_required
def transfer_accept(request, transfer_id):
    transfer = get_object_or_404(Transfer.objects.select_related("device", "from_school"), pk=transfer_id,
                                 to_school=request.school, status=Transfer.Status.WAITING)
    form = AcceptForm(request.POST or None, initial={"asset_tag": transfer.device.asset_tag})
    if request.method == "POST" and form.is_valid():
        try:
            device = transfers.transfer_accept(transfer=transfer, asset_tag=form.cleaned_data["asset_tag"],
                                               by=request.user)
        except (DeskError, transfers.ValidationError) as error:
            form.add_error(None, "; ".join(error.messages) if hasattr(error, "messages") else str(error))
        else:
            messages.success(request, _("Device %(tag)s is in your stock. Lend it at the desk: the family signs "
                                        "your school's agreement.") % {"tag": device.asset_tag})
            return redirect("desk_transfers")
    return render(request, "lending/desk_transfer_accept.html", {"form": form, "transfer": transfer})


@school_required
def transfer_decline(request, transfer_id):
    transfer = get_object_or_404(Transfer, pk=transfer_id, to_school=request.school, status=Transfer.Status.WAITING)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    transfers.transfer_decline(transfer=transfer, by=request.user)
    messages.success(request, _("The device goes back to the old school."))
    return redirect("desk_transfers")


# --- stocktake -------------------------------------------------------------------------------------


@school_required
def stocktake_list(request):
    if request.method == "POST":
        count = counts.stocktake_start(school=request.school, by=request.user)
        return redirect("stocktake_detail", stocktake_id=count.pk)
    stocktakes = Stocktake.objects.filter(school=request.school).select_related("started_by", "closed_by")[:20]
    return render(request, "lending/stocktake_list.html", {"stocktakes": stocktakes})


@school_required
def stocktake_detail(request, stocktake_id):
    count = get_scoped_or_404(Stocktake, request, pk=stocktake_id)
    form = ScanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, new = counts.stocktake_scan(stocktake=count, raw_tag=form.cleaned_data["asset_tag"], by=request.user)
        except DeskError as error:
            form.add_error("asset_tag", str(error))
        else:
            text = (_("%(tag)s counted.") if new else _("%(tag)s was counted already.")) % {"tag": device.asset_tag}
            messages.success(request, text)
            return redirect("stocktake_detail", stocktake_id=count.pk)
    result = counts.stocktake_result(count) if count.closed_at is None else None
    return render(request, "lending/stocktake_detail.html", {"count": count, "form": form, "result": result})


@school_required
def stocktake_close(request, stocktake_id):
    count = get_scoped_or_404(Stocktake, request, pk=stocktake_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        count = counts.stocktake_close(stocktake=count, by=request.user)
    except DeskError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The count is closed: %(scanned)s devices counted, %(missing)s missing.")
                         % count.summary)
    return redirect("stocktake_detail", stocktake_id=count.pk)


@require_GET
@school_required
def stocktake_devices(request):
    page = Paginator(counts.last_counted(request.school), 50).get_page(request.GET.get("page"))
    return render(request, "lending/stocktake_devices.html", {"page": page})
