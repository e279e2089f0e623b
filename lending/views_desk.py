"""The lending desk pages. Short views: forms validate, services in lending/desk.py write."""
import uuid
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from households.models import Pupil
from portal.access import get_scoped_or_404, school_required, scoped

from . import desk, receipts
from .due_dates import default_due, due_for_year_end, school_year_end
from .forms_desk import (
    CheckinForm,
    CheckoutForm,
    IncidentForm,
    LeaverForm,
    RepairBackForm,
    RepairSendForm,
    YearEndForm,
    search_borrowers,
)
from .models import Device, Incident, Loan, Repair
from .terms import current_terms

HANDOUT_QUEUE_SHOWN = 30


def _checkout_post(request, form, url_name):
    """Validate; on a confirmed, valid form hand the device out and redirect to the next scan. A
    second submit of the same confirm screen (a double Enter, a fast scanner) lands on the same
    page as the first: the success is shown once, from the loan, and nothing is handed out twice."""
    if not form.is_valid():
        # The device is on loan now because this very screen was sent a moment ago?
        first = _done(request, request.POST.get("checkout_key", ""))
        return redirect(f"{reverse(url_name)}?done={first.checkout_key}") if first else None
    if not form.cleaned_data["confirm"]:
        return None
    if form.cleaned_data.get("checkout_key") is None:
        form.cleaned_data["checkout_key"] = uuid.uuid4()
    try:
        loan = desk.loan_checkout(by=request.user, **form.service_kwargs())
    except desk.AlreadyHandedOut as done:
        loan = done.loan
    except desk.DeskError as error:
        form.add_error(None, str(error))
        return None
    return redirect(f"{reverse(url_name)}?done={loan.checkout_key}")


def _done(request, value=None):
    """The loan just handed out (?done=<its checkout key>), for the success line on the next scan."""
    try:
        key = uuid.UUID(request.GET.get("done", "") if value is None else value)
    except ValueError:
        return None
    return scoped(Loan, request).filter(checkout_key=key).select_related("device", "pupil", "staff_member").first()


def _scan_context(request, form):
    """Where the cursor goes next, and the due date to confirm once the form is complete."""
    ready = form.is_bound and not form.errors and form.device is not None and form.borrower_object is not None
    due = None
    if ready:
        focus = "confirm"
        pupil = form.borrower_object if isinstance(form.borrower_object, Pupil) else None
        due = form.cleaned_data.get("due_on") or default_due(
            school=request.school, return_policy=current_terms(request.school).return_policy, pupil=pupil)[1]
    elif form.handout or not form.is_bound or "asset_tag" in form.errors or form.non_field_errors():
        focus = "asset_tag"
    elif form.candidates:
        focus = "borrower"
    else:
        focus = "q"
    if focus in form.fields:
        form.fields[focus].widget.attrs["autofocus"] = True
    form.fields["asset_tag"].widget.attrs["data-scan"] = "1"
    return {"form": form, "ready": ready, "due": due, "focus": focus, "done": _done(request),
            "checkout_key": uuid.uuid4() if ready else None}


@school_required
def desk_checkout(request):
    form = CheckoutForm(request.POST or None, school=request.school)
    if request.method == "POST" and (done := _checkout_post(request, form, "desk_checkout")):
        return done
    return render(request, "lending/desk_checkout.html", _scan_context(request, form))


@require_GET
@school_required
def desk_borrower_search(request):
    query = request.GET.get("q", "")[:100]
    return render(request, "lending/partials/desk_borrowers.html",
                  {"candidates": search_borrowers(request.school, query), "query": query, "chosen": ""})


def handout_queue(school):
    has_open_loan = Loan.objects.filter(pupil=OuterRef("pk"), status=Loan.Status.ACTIVE)
    return (Pupil.objects.filter(school=school, active=True, needs_device=True)
            .exclude(Exists(has_open_loan)).order_by("class_name", "last_name", "first_name", "pk"))


@school_required
def desk_handout(request):
    """Hand-out day: the queue of pupils who need a device; one scan and one confirmation each."""
    queue = handout_queue(request.school)
    form = CheckoutForm(request.POST or None, school=request.school, handout=True)
    if request.method == "POST":
        if done := _checkout_post(request, form, "desk_handout"):
            return done
        pupil = form.borrower_object
    else:
        chosen = request.GET.get("pupil", "")
        pupil = queue.filter(pk=chosen).first() if chosen.isdigit() else None
    shown = list(queue[:HANDOUT_QUEUE_SHOWN])
    pupil = pupil or (shown[0] if shown else None)
    return render(request, "lending/desk_handout.html", {
        **_scan_context(request, form), "pupil": pupil, "queue": shown, "queue_total": queue.count(),
    })


@school_required
def desk_checkin(request):
    """Scan, then confirm condition and accessories: back in stock, or to repair."""
    # ?tag= comes from the leavers' worklist: the device counts as scanned.
    scanned = request.POST or ({"asset_tag": request.GET["tag"]} if request.GET.get("tag") else None)
    form = CheckinForm(scanned, request.FILES or None, school=request.school)
    if request.method == "POST" and "confirm" in request.POST:
        if form.is_valid():
            try:
                loan = desk.loan_checkin(by=request.user, **form.service_kwargs())
            except desk.DeskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, checkin_message(loan))
                return redirect("desk_checkin")
    elif scanned and not form.is_valid() and form.loan is not None and "condition_in" not in scanned:
        # Just scanned: start from what was handed out.
        data = request.POST.copy() if request.POST else QueryDict(mutable=True)
        data["asset_tag"] = form.loan.device.asset_tag
        data.setlist("accessories_in", form.loan.accessories_out)
        data["condition_in"] = data.get("condition_in") or Loan.Condition.GOOD
        data["cost_to_family"] = data.get("cost_to_family") or "0"
        form = CheckinForm(data, school=request.school)
        form.is_valid()
    form.fields["asset_tag"].widget.attrs.update({"autofocus": True, "data-scan": "1"})
    cap = current_terms(request.school).damage_cap if form.loan else None
    labels = dict(Device.Accessory.choices)
    handed_out = [labels.get(item, item) for item in form.loan.accessories_out] if form.loan else []
    return render(request, "lending/desk_checkin.html",
                  {"form": form, "loan": form.loan, "cap": cap, "handed_out": handed_out, "last": _last_return(request)})


def _last_return(request):
    """The receipt of the coordinator's last return today, to print it for a family without e-mail."""
    return (scoped(Loan, request).filter(received_by=request.user, receipt__isnull=False,
                                         returned_at__date=timezone.localdate())
            .select_related("device", "receipt").order_by("-returned_at").first())


@require_GET
@school_required
def return_receipt_pdf(request, loan_id):
    """The family's receipt, to print or show; made again when its file is gone."""
    loan = get_scoped_or_404(Loan.objects.select_related("receipt", "device"), request, pk=loan_id, receipt__isnull=False)
    receipt = receipts.load(loan.receipt.pk)
    if not receipt.pdf or not receipt.pdf.storage.exists(receipt.pdf.name):
        receipts.store_pdf(receipt)
    response = FileResponse(receipt.pdf.open("rb"), filename=f"receipt-{loan.device.asset_tag}.pdf",
                            content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    return response


def checkin_message(loan) -> str:
    """What the return recorded, in one line: missing accessories, incident, repair, receipt."""
    labels = dict(Device.Accessory.choices)
    parts = [_("Device %(tag)s is back.") % {"tag": loan.device.asset_tag}]
    missing = [str(labels.get(item, item)) for item in loan.accessories_out if item not in loan.accessories_in]
    if missing:
        parts.append(_("Missing: %(missing)s.") % {"missing": ", ".join(missing)})
    if loan.recorded_incident is not None:
        parts.append(_("A damage incident is recorded (cost to the family: € %(cost)s).")
                     % {"cost": loan.recorded_incident.cost_to_family})
    if loan.device.status == Device.Status.IN_REPAIR:
        parts.append(_("The device is in repair."))
    receipt = loan.receipt_made
    if receipt is not None:
        parts.append(_("The family gets a receipt by e-mail.") if receipt.channel == "email"
                     else _("Print the receipt for the family."))
    return " ".join(parts)


def _incident(request, device, loan):
    kind = request.GET.get("kind")  # ?kind=loss from the leavers' worklist
    form = IncidentForm(request.POST or None, school=request.school,
                        initial={"kind": kind} if kind in Incident.Kind.values else None)
    if request.method == "POST" and form.is_valid():
        try:
            desk.incident_record(device=device, loan=loan, by=request.user, **form.cleaned_data)
        except desk.DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The incident is recorded."))
            return redirect("desk_checkout")
    return render(request, "lending/desk_incident.html", {"form": form, "device": device, "loan": loan})


@school_required
def incident_create(request, device_id):
    device = get_scoped_or_404(Device, request, pk=device_id)
    return _incident(request, device, None)


@school_required
def incident_create_for_loan(request, loan_id):
    loan = get_scoped_or_404(Loan.objects.select_related("device", "pupil", "staff_member"), request, pk=loan_id)
    return _incident(request, loan.device, loan)


@school_required
def repair_send(request, device_id):
    device = get_scoped_or_404(Device, request, pk=device_id)
    form = RepairSendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            desk.repair_send(device=device, by=request.user, **form.cleaned_data)
        except desk.DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Device %(tag)s is in repair.") % {"tag": device.asset_tag})
            return redirect("desk_repairs")
    return render(request, "lending/desk_repair_send.html", {"form": form, "device": device})


@school_required
def repair_back(request, repair_id):
    repair = get_scoped_or_404(Repair.objects.select_related("device"), request, pk=repair_id)
    form = RepairBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        back_on = form.cleaned_data["back_on"]
        returned_at = (timezone.now() if back_on == timezone.localdate()
                       else timezone.make_aware(datetime.combine(back_on, time(12))))
        try:
            desk.repair_back(repair=repair, by=request.user, cost=form.cleaned_data["cost"], returned_at=returned_at)
        except desk.DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Device %(tag)s is available again.") % {"tag": repair.device.asset_tag})
            return redirect("desk_repairs")
    return render(request, "lending/desk_repair_back.html", {"form": form, "repair": repair})


@require_GET
@school_required
def desk_repairs(request):
    too_long = timezone.now() - timedelta(days=request.school.repair_too_long_days)
    repairs = scoped(Repair, request).filter(returned_at__isnull=True).select_related("device").order_by("sent_at")
    return render(request, "lending/desk_repairs.html", {"repairs": repairs, "too_long": too_long})


@school_required
def desk_leaver(request, loan_id):
    loan = get_scoped_or_404(Loan.objects.select_related("device", "pupil", "staff_member"), request, pk=loan_id)
    form = LeaverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            desk.loan_end_for_leaver(loan=loan, by=request.user, transfer=form.cleaned_data["outcome"] == "transfer")
        except desk.DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The loan is ended."))
            return redirect("desk_checkout")
    return render(request, "lending/desk_leaver.html", {"form": form, "loan": loan})


@school_required
def desk_year_end(request):
    """Open pupil loans due at the end of this school year: renew for those who stay."""
    end = due_for_year_end(school=request.school, end=school_year_end(), today=timezone.localdate())
    loans = list(scoped(Loan, request).filter(status=Loan.Status.ACTIVE, pupil__isnull=False, due_on__lte=end)
                 .select_related("pupil", "device").order_by("pupil__class_name", "pupil__last_name", "pk"))
    form = YearEndForm(request.POST or None, loans=loans)
    if request.method == "POST" and form.is_valid():
        renewed = desk.loans_year_end(school=request.school, loans=loans, renew_ids=form.renew_ids(),
                                      by=request.user)
        messages.success(request, _("%(renewed)s of %(total)s loans renewed; the others end on their due date.")
                         % {"renewed": renewed, "total": len(loans)})
        return redirect("desk_year_end")
    return render(request, "lending/desk_year_end.html", {"form": form, "loans": loans, "end": end})
