"""Coordinator pages for internet codes: import, hand out, send, activate, extend (under /families/codes/)."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal import audit
from portal.access import get_scoped_or_404, school_required, scoped
from portal.csvfiles import ImportRejected
from portal.models import AuditEvent

from . import codes, selectors
from .forms_families import CodeExtendForm, CodeHandOutForm, CodeImportForm, CodeSendForm, CsvUploadForm
from .models import Household, InternetCode

PAGE_SIZE = 50


# --- internet codes ---------------------------------------------------------------------------------

@school_required
def code_list(request):
    mine = scoped(InternetCode, request)
    counts = selectors.internet_code_counts([request.school.pk]).get(request.school.pk)
    attention = list(selectors.codes_needing_attention(mine)[:200])
    issued = mine.filter(issued_at__isnull=False).select_related("household").order_by("-issued_at", "pk")
    page = Paginator(issued, PAGE_SIZE).get_page(request.GET.get("page"))
    by_provider = (mine.filter(issued_at__isnull=True, valid_until__gte=timezone.localdate())
                   .values("provider").annotate(count=Count("pk")).order_by("provider"))
    return render(request, "households/code_list.html", {
        "counts": counts, "attention": attention, "page": page, "by_provider": by_provider,
    })


@school_required
def code_import(request):
    form = CodeImportForm(request.POST or None, request.FILES or None, submit=_("Import the codes"),
                          form_id="code-import-form")
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            count = codes.import_codes(school=request.school, data=form.data_bytes, by=request.user,
                                       batch=form.cleaned_data["batch"] or form.cleaned_data["file"].name)
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(request, _("%(count)d internet codes imported.") % {"count": count})
            return redirect("code_list")
    return render(request, "households/code_import.html", {"form": form, "errors": errors, "kind": "codes"})


@school_required
def code_activation_import(request):
    form = CsvUploadForm(request.POST or None, request.FILES or None, submit=_("Import the activations"),
                         form_id="activation-import-form")
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            count = codes.import_activations(school=request.school, data=form.data_bytes, by=request.user)
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(request, _("%(count)d codes marked as activated.") % {"count": count})
            return redirect("code_list")
    return render(request, "households/code_import.html", {"form": form, "errors": errors, "kind": "activations"})


@school_required
def code_hand_out(request, household_id):
    household = get_scoped_or_404(Household, request, pk=household_id)
    if request.method != "POST":
        return redirect("household_detail", household_id=household.pk)
    providers = sorted(set(codes.available_codes(request.school).values_list("provider", flat=True)))
    form = CodeHandOutForm(request.POST, providers=providers)
    if not form.is_valid():
        messages.error(request, _("Choose a provider from the list."))
        return redirect("household_detail", household_id=household.pk)
    try:
        code = codes.code_hand_out(school=request.school, household=household, by=request.user,
                                   provider=form.cleaned_data["provider"])
    except codes.CodeError as error:
        messages.error(request, str(error))
        return redirect("household_detail", household_id=household.pk)
    messages.success(request, _("The code is handed out. Print the letter or send it to the family."))
    return redirect("code_detail", code_id=code.pk)


@never_cache
@school_required
def code_detail(request, code_id):
    code = get_scoped_or_404(InternetCode.objects.select_related("household"), request, pk=code_id)
    # The code itself only for the coordinator who handed it out.
    show_code = code.issued_by_id is not None and code.issued_by_id == request.user.pk
    return render(request, "households/code_detail.html", {
        "code": code, "show_code": show_code,
        "send_form": CodeSendForm(initial={"channel": code.household.contact_channel if code.household else ""}),
        "extend_form": CodeExtendForm(),
    })


@never_cache
@school_required
def code_letter(request, code_id):
    code = get_scoped_or_404(InternetCode.objects.select_related("household", "school"), request, pk=code_id)
    if code.issued_at is None or code.issued_by_id != request.user.pk:
        messages.error(request, _("Only the coordinator who handed out this code can print its letter."))
        return redirect("code_detail", code_id=code.pk)
    response = HttpResponse(codes.render_letter_pdf(code, request.build_absolute_uri("/")),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="internet-code-letter-{code.pk}.pdf"'
    audit.record(actor=request.user, action=AuditEvent.Action.INTERNET_CODE_LETTER_PRINTED, instance=code, school=request.school)
    return response


@school_required
def code_send(request, code_id):
    code = get_scoped_or_404(InternetCode.objects.select_related("household", "school"), request, pk=code_id)
    if request.method == "POST":
        form = CodeSendForm(request.POST)
        if code.issued_by_id != request.user.pk:
            messages.error(request, _("Only the coordinator who handed out this code can send it."))
        elif form.is_valid():
            try:
                count = codes.code_send(code=code, channel=form.cleaned_data["channel"], by=request.user)
            except codes.CodeError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Sent to %(count)d address(es).") % {"count": count})
    return redirect("code_detail", code_id=code.pk)


@school_required
def code_activate(request, code_id):
    code = get_scoped_or_404(InternetCode, request, pk=code_id)
    if request.method == "POST":
        try:
            codes.code_activate(code=code, by=request.user)
        except codes.CodeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Recorded: the code is activated."))
    return redirect("code_detail", code_id=code.pk)


@school_required
def code_extend(request, code_id):
    code = get_scoped_or_404(InternetCode, request, pk=code_id)
    if request.method == "POST":
        form = CodeExtendForm(request.POST)
        if form.is_valid():
            try:
                codes.code_extend(code=code, until=form.cleaned_data["until"], by=request.user)
            except codes.CodeError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The code is extended."))
        else:
            messages.error(request, _("Enter a valid date."))
    return redirect("code_detail", code_id=code.pk)
