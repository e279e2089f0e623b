"""Coordinator pages for internet codes: import, hand out, send, activate, extend (under /families/codes/)."""
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal import jobs
from portal.access import get_scoped_or_404, school_required, scoped
from portal.models import Job
from portal.views_documents import import_answer

from . import codes, import_jobs, selectors, tasks
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
        "letters_waiting": codes.letters_waiting(request.school, request.user).count(), "job_key": uuid.uuid4().hex,
    })


def _import(request, *, form, kind, title, task, work, template_kind, params=None):
    """Both CSV imports of this page: under a job keyed by the form and the file, so a second post of the
    same form answers like the first; a large file goes to a worker and its progress page."""
    errors = None
    if request.method == "POST" and form.is_valid():
        job = jobs.job_import(school=request.school, by=request.user, kind=kind, title=title, key=form.job_key(kind),
                              rows=form.row_count, task=task, work=work, data=form.data_bytes,
                              filename=form.cleaned_data["file"].name, params={**(params or {}),
                                                                              "next_url": reverse("code_list")})
        answer = import_answer(request, job, done="code_list")
        if answer is not None:
            return answer
        errors = jobs.row_errors(job)
    return render(request, "households/code_import.html", {"form": form, "errors": errors, "kind": template_kind})


@school_required
def code_import(request):
    form = CodeImportForm(request.POST or None, request.FILES or None, submit=_("Import the codes"),
                          form_id="code-import-form")
    batch = ""
    if form.is_bound and form.is_valid():
        batch = form.cleaned_data["batch"] or form.cleaned_data["file"].name
    return _import(request, form=form, kind=Job.Kind.CODE_IMPORT, title=batch, task=tasks.import_internet_codes,
                   work=import_jobs.codes_work, template_kind="codes", params={"batch": batch})


@school_required
def code_activation_import(request):
    form = CsvUploadForm(request.POST or None, request.FILES or None, submit=_("Import the activations"),
                         form_id="activation-import-form")
    return _import(request, form=form, kind=Job.Kind.ACTIVATION_IMPORT, title="", task=tasks.import_activations,
                   work=import_jobs.activations_work, template_kind="activations")


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
    # One letter takes a tenth of a second: made here. Many letters: code_letters, below.
    response = HttpResponse(codes.render_letter_pdf(code, request.build_absolute_uri("/")),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="internet-code-letter-{code.pk}.pdf"'
    codes.code_letter_printed(codes=[code], by=request.user)
    return response


@school_required
def code_letters(request):
    """The letters of every code this coordinator handed out and did not print yet, made by a worker."""
    if request.method != "POST":
        return redirect("code_list")
    waiting = list(codes.letters_waiting(request.school, request.user).values_list("pk", flat=True))
    if not waiting:
        messages.info(request, _("There are no letters to print."))
        return redirect("code_list")
    job, _created = jobs.job_start(
        school=request.school, by=request.user, kind=Job.Kind.CODE_LETTERS, title="", task=tasks.make_code_letters,
        key=request.POST.get("job_key", ""), private=True,
        params={"code_ids": waiting, "base_url": request.build_absolute_uri("/"), "next_url": reverse("code_list")})
    return redirect("document_detail", job_id=job.pk)


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
