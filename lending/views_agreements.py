"""Staff pages for loan agreements. Every object comes through portal.access."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.access import director_required, get_scoped_or_404, school_required, scoped

from . import agreements, pdf
from .forms_agreements import PaperScanForm, TermsForm
from .models import Agreement
from .terms import current_terms
from .views_signing import sign_page

LIST_LIMIT = 200


def _agreement(request, agreement_id):
    return get_scoped_or_404(
        Agreement.objects.select_related("terms", "loan__device__school", "loan__pupil__household"),
        request, pk=agreement_id,
    )


def _detail(agreement):
    return redirect("agreement_detail", agreement_id=agreement.pk)


@school_required
def agreement_list(request):
    unsigned = (
        scoped(Agreement, request).filter(status__in=Agreement.UNSIGNED_STATUSES)
        .select_related("loan__device", "loan__pupil__household", "terms").order_by("created_at")
    )
    return render(request, "lending/agreement_list.html",
                  {"agreements": unsigned[:LIST_LIMIT], "total": unsigned.count(), "limit": LIST_LIMIT})


@school_required
def agreement_detail(request, agreement_id):
    agreement = _agreement(request, agreement_id)
    links = agreement.signing_links.order_by("-created_at")[:5]
    return render(request, "lending/agreement_detail.html", {
        "agreement": agreement, "links": links, "unsigned": agreement.status in Agreement.UNSIGNED_STATUSES,
        "household": agreement.loan.pupil.household if agreement.loan.pupil else None,
    })


def _file_response(field, filename):
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=filename)


@school_required
def agreement_pdf(request, agreement_id):
    """The unsigned agreement; rebuilt on demand when the file is missing."""
    agreement = _agreement(request, agreement_id)
    if not agreement.pdf or not agreement.pdf.storage.exists(agreement.pdf.name):
        pdf.store_agreement_pdf(agreement)
    return _file_response(agreement.pdf, f"agreement-{agreement.pk}.pdf")


@school_required
def agreement_signed_pdf(request, agreement_id):
    agreement = _agreement(request, agreement_id)
    if agreement.status != Agreement.Status.SIGNED or agreement.signed_method == Agreement.Method.PAPER:
        raise Http404
    if not agreement.signed_pdf or not agreement.signed_pdf.storage.exists(agreement.signed_pdf.name):
        pdf.store_signed_pdf(agreement)
    return _file_response(agreement.signed_pdf, f"agreement-{agreement.pk}-signed.pdf")


@school_required
def agreement_scan(request, agreement_id):
    agreement = _agreement(request, agreement_id)
    return _file_response(agreement.paper_scan, agreement.paper_scan.name.rsplit("/", 1)[-1] if agreement.paper_scan else "")


@school_required
def agreement_send(request, agreement_id):
    agreement = _agreement(request, agreement_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        link = agreements.agreement_send(agreement=agreement, by=request.user,
                                         base_url=request.build_absolute_uri("/"),
                                         channel=request.POST.get("channel") or None)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The signing link was sent (%(channel)s).") % {"channel": link.get_channel_display()})
    return _detail(agreement)


@school_required
def agreement_letter(request, agreement_id):
    """A printable letter: the agreement, a QR code to the signing page and a place to sign."""
    agreement = _agreement(request, agreement_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        _link, token = agreements.agreement_paper_link(agreement=agreement, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(agreement)
    data = pdf.render_document(agreement, sign_url=agreements.sign_url(request.build_absolute_uri("/"), token))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{agreement.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@school_required
def agreement_regenerate(request, agreement_id):
    agreement = _agreement(request, agreement_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    agreements.agreement_regenerate(agreement=agreement, by=request.user)
    messages.success(request, _("The PDF is being made again."))
    return _detail(agreement)


@school_required
def agreement_desk_sign(request, agreement_id):
    """The parent signs on the coordinator's screen at hand-out: the same form as online."""
    agreement = _agreement(request, agreement_id)
    if agreement.status not in Agreement.UNSIGNED_STATUSES:
        messages.info(request, _("This agreement is already signed."))
        return _detail(agreement)
    return sign_page(request, agreement=agreement, method=Agreement.Method.DESK,
                     done_url=reverse("agreement_detail", kwargs={"agreement_id": agreement.pk}))


@school_required
def agreement_paper_upload(request, agreement_id):
    agreement = _agreement(request, agreement_id)
    form = PaperScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.agreement_mark_paper_signed(agreement=agreement, scan=form.cleaned_data["scan"],
                                                   by=request.user)
        except agreements.AlreadySigned:
            messages.error(request, _("This agreement is already signed."))
        else:
            messages.success(request, _("The agreement is marked as signed on paper."))
        return _detail(agreement)
    return render(request, "lending/agreement_paper_upload.html", {"agreement": agreement, "form": form})


@director_required
def terms_edit(request):
    current = current_terms(request.school)
    form = TermsForm(request.POST or None, initial=model_to_dict(current, fields=agreements.TERMS_FIELDS))
    if request.method == "POST" and form.is_valid():
        terms = agreements.terms_save(school=request.school, data=form.cleaned_data, by=request.user,
                                      acknowledged=form.cleaned_data["confirm_high_amounts"])
        messages.success(request, _("Version %(version)s of the agreement terms is saved.") % {"version": terms.version})
        return redirect("terms_edit")
    show_warning = getattr(form, "needs_warning", False) or (not form.is_bound and current.needs_warning)
    if not show_warning:
        # The box confirms the warning: without a warning on the page there is nothing to confirm yet.
        form.fields["confirm_high_amounts"].widget = forms.HiddenInput()
    return render(request, "lending/terms_edit.html", {"form": form, "current": current, "show_warning": show_warning})
